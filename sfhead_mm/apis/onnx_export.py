"""ONNX export of any skeleton recognizer (bare, with inline SF-Head, or a deploy checkpoint).

The exported graph is the recognizer's backbone and classification head on one clip:

    input  ``x``:      (N, M, T, V, C) float32 (persons, frames, joints, channels)
    output ``logits``: (N, num_classes), the head's raw scores (before softmax)

that is ``cls_head(extract_feat(x[:, None]))`` of MMAction2's ``RecognizerGCN``. The test
pipeline (normalisation, resampling to the clip length, persons padding) and the averaging of
several clips stay outside the graph: :func:`softmax` and :class:`OnnxRecognizer` give the
probabilities ``tools/test.py`` reports for a single clip.

``N`` (batch) and ``T`` (frames) are dynamic axes for every backbone of the package and of
MMAction2 (ST-GCN, 2s-AGCN, CTR-GCN, InfoGCN, HD-GCN, BlockGCN, FFN, MDR-GCN: checked by running
the exported file at a second batch size and frame count against PyTorch); ``M`` and ``V`` are
fixed (the input BatchNorm and the graph are built for them). Plugins that do not act at inference
(SF-Head in ``mode='auxiliary'``, FR-Head, RDL) register no hook outside a training loss, so
they are absent from the exported graph; an inline SF-Head is exported as part of each block.

What the export needs from ONNX beyond the stock symbolic functions:

* ``torch.cdist`` (BlockGCN's persistence embedding) is written as ``sqrt(sum((a - b)^2))``:
  the stock export goes through ``|a|^2 + |b|^2 - 2ab``, which differs from PyTorch by ~1e-3.
* Constant folding is off: it breaks the traced SF-Head (a folded node loses its input); ONNX
  Runtime folds constants itself when it loads the file.

The file carries the model's input spec as metadata (``sfhead_mm`` JSON: layout, channels,
persons, clip length, class names), so that :class:`OnnxRecognizer` and the live tools can run
it without the config.
"""
import contextlib
import io
import json
import os
import os.path as osp
import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

#: Opset of the exported files (onnxruntime >= 1.14 runs it).
OPSET = 17
#: Largest difference to PyTorch's logits that :func:`export_onnx` accepts by default.
ATOL = 1e-4
META_KEY = 'sfhead_mm'
INSTALL_HINT = ('ONNX export needs the `onnx` and `onnxruntime` packages (pinned in '
                'requirements.txt): pip install onnx==1.23.2 onnxruntime==1.31.1 protobuf==6.33.0')


def _require_onnx():
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as err:
        raise ImportError(f'{INSTALL_HINT} ({err})') from None


# ------------------------------------------------------------------------------ the graph
def _clip_classifier(recognizer):
    import torch.nn as nn

    class ClipClassifier(nn.Module):
        """(N, M, T, V, C) -> logits (N, num_classes): backbone and head on one clip."""

        def __init__(self, recognizer):
            super().__init__()
            self.recognizer = recognizer

        def forward(self, x):
            feats, _ = self.recognizer.extract_feat(x.unsqueeze(1))
            return self.recognizer.cls_head(feats)

    return ClipClassifier(recognizer).eval()


def clip_logits(model, x):
    """PyTorch logits of clips ``x`` (N, M, T, V, C), the exported graph's reference."""
    import torch
    with torch.no_grad():
        return _clip_classifier(model)(torch.as_tensor(x, dtype=torch.float32))


def _cdist_symbolic(g, x1, x2, p, compute_mode):
    import torch
    a = g.op('Unsqueeze', x1, g.op('Constant', value_t=torch.tensor([-2])))
    b = g.op('Unsqueeze', x2, g.op('Constant', value_t=torch.tensor([-3])))
    d = g.op('Sub', a, b)
    sq = g.op('ReduceSum', g.op('Mul', d, d), g.op('Constant', value_t=torch.tensor([-1])),
              keepdims_i=0)
    return g.op('Sqrt', sq)


@contextlib.contextmanager
def _export_symbolics(opset: int):
    """The exact ``cdist``, registered for the duration of one export only."""
    from torch.onnx import register_custom_op_symbolic, unregister_custom_op_symbolic
    register_custom_op_symbolic('aten::cdist', _cdist_symbolic, opset)
    try:
        yield
    finally:
        unregister_custom_op_symbolic('aten::cdist', opset)


# --------------------------------------------------------------------------- input spec
def config_spec(cfg):
    """The package's :class:`~sfhead_mm.datasets.input_spec.InputSpec` of a config, or None."""
    try:
        from ..datasets.input_spec import input_spec_of
    except ImportError:
        return None
    try:
        return input_spec_of(cfg)
    except Exception:  # a config without a test pipeline or layout: the model decides
        return None


@dataclass
class ClipShape:
    """What one clip looks like: ``(M, T, V, C)`` and the layout's name."""

    num_person: int
    clip_len: int
    num_joints: int
    channels: int
    layout: Optional[str] = None

    @property
    def shape(self) -> Tuple[int, int, int, int]:
        return (self.num_person, self.clip_len, self.num_joints, self.channels)


def clip_shape_of(model) -> ClipShape:
    """The clip shape a model built by ``init_recognizer`` takes, from its config.

    Persons and clip length come from the test pipeline (``FormatGCNInput.num_person``, the
    sampler's ``clip_len``), joints and channels from the model's input spec; the backbone's
    ``num_person`` and graph fill in what the config does not say.
    """
    cfg = getattr(model, 'cfg', None)
    spec = config_spec(cfg) if cfg is not None else None
    M = getattr(spec, 'num_person', None)
    T = getattr(spec, 'clip_len', None)
    C = getattr(spec, 'in_channels', None)
    layout = getattr(spec, 'layout', None)
    V, name = (layout.num_joints, layout.name) if layout is not None else (None, None)
    backbone = getattr(model, 'backbone', None)
    M = M or getattr(backbone, 'num_person', None) or 2
    if V is None:
        V, name = _joints_of_backbone(backbone)
    if C is None:
        C = _channels_of_backbone(backbone)
    return ClipShape(num_person=int(M), clip_len=int(T or 64), num_joints=int(V),
                     channels=int(C), layout=name)


def _joints_of_backbone(backbone) -> Tuple[int, Optional[str]]:
    graph = getattr(backbone, 'graph', None)
    if graph is not None and getattr(graph, 'num_node', None):
        return int(graph.num_node), None
    A = getattr(backbone, 'A', None)
    if A is not None:
        return int(A.shape[-1]), None
    raise ValueError('cannot tell the number of joints of the model; give input_shape')


def _channels_of_backbone(backbone) -> int:
    c = getattr(backbone, 'in_channels', None)
    if c:
        return int(c)
    raise ValueError('cannot tell the input channels of the model; give input_shape')


def _class_names(model) -> Optional[List[str]]:
    try:
        from .inference import class_names_of
        names = class_names_of(model)
        return list(names) if names else None
    except Exception:
        return None


# ---------------------------------------------------------------------------- export
@dataclass
class OnnxExportResult:
    """What :func:`export_onnx` wrote and measured."""

    path: str
    input_shape: Tuple[int, ...]
    dynamic_axes: Dict[int, str]
    num_classes: int
    max_abs_diff: float
    checked_shapes: List[Tuple[int, ...]] = field(default_factory=list)
    plugins: List[str] = field(default_factory=list)
    bytes: int = 0


def _to_bytes(model, x, dynamic_axes: Dict[int, str], opset: int) -> bytes:
    import torch
    wrapper = _clip_classifier(model)
    buf = io.BytesIO()
    with _export_symbolics(opset), warnings.catch_warnings():
        warnings.simplefilter('ignore')  # TracerWarnings of shape checks in the backbones
        torch.onnx.export(wrapper, (x, ), buf, dynamo=False, opset_version=opset,
                          input_names=['x'], output_names=['logits'],
                          dynamic_axes={'x': dynamic_axes, 'logits': {0: 'N'}}
                          if dynamic_axes else None,
                          do_constant_folding=False)
    return buf.getvalue()


def _with_metadata(data: bytes, meta: Dict) -> bytes:
    import onnx
    proto = onnx.load_from_string(data)
    del proto.metadata_props[:]
    entry = proto.metadata_props.add()
    entry.key, entry.value = META_KEY, json.dumps(meta)
    proto.producer_name = 'sfhead_mm'
    return proto.SerializeToString()


def session(model: Union[str, bytes], threads: Optional[int] = None):
    """An onnxruntime CPU session of an exported file (or its bytes)."""
    _require_onnx()
    import onnxruntime as ort
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(model, opts, providers=['CPUExecutionProvider'])


def export_onnx(model, out: str, *, input_shape: Optional[Sequence[int]] = None,
                batch_size: int = 1, dynamic_batch: bool = True, dynamic_frames: bool = True,
                opset: int = OPSET, atol: Optional[float] = ATOL, rtol: float = 1e-5,
                seed: int = 0) -> OnnxExportResult:
    """Export a recognizer to ONNX and check the file against PyTorch.

    Args:
        model (nn.Module): A ``RecognizerGCN`` (or plugin recognizer), e.g. from
            ``init_recognizer``; it is put in eval mode.
        out (str): The ``.onnx`` file to write (written through a temporary file).
        input_shape (Sequence[int], optional): ``(M, T, V, C)`` of one clip. Defaults to the
            config's (see :func:`clip_shape_of`).
        batch_size (int): N of the example input. Defaults to 1.
        dynamic_batch (bool): Make N a dynamic axis. Defaults to True.
        dynamic_frames (bool): Make T a dynamic axis. Defaults to True.
        opset (int): ONNX opset. Defaults to 17.
        atol (float, optional): Largest accepted difference between onnxruntime's and
            PyTorch's logits, checked at the export shape and, for each dynamic axis, at a
            second size. None skips the check. Defaults to 1e-4.
        rtol (float): Also accepted: ``rtol`` times the largest logit (float32 rounding grows
            with the logits' scale; an untrained model's can be in the hundreds). 0 makes
            ``atol`` a hard bound. Defaults to 1e-5.
        seed (int): Seed of the random check inputs.

    Returns:
        OnnxExportResult: Path, shapes, the largest difference measured.

    Raises:
        ImportError: ``onnx`` / ``onnxruntime`` are missing (says what to install).
        RuntimeError: onnxruntime's logits differ from PyTorch's by more than ``atol``
            (nothing is written).
    """
    _require_onnx()
    import torch

    from ..utils.atomic_write import atomic_path
    model.eval()
    spec = clip_shape_of(model) if input_shape is None else None
    shape = tuple(int(s) for s in (input_shape or spec.shape))
    if len(shape) != 4:
        raise ValueError(f'input_shape={shape}: expected (M, T, V, C)')
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn((batch_size, ) + shape, generator=gen)
    axes = {}
    if dynamic_batch:
        axes[0] = 'N'
    if dynamic_frames:
        axes[2] = 'T'
    data = _to_bytes(model, x, axes, opset)
    num_classes = int(clip_logits(model, x).shape[-1])
    plugins = [f'{type(p).__name__}({getattr(p, "mode", "")})'.replace('()', '')
               for p in getattr(model, 'plugins', []) or []
               if getattr(p, 'affects_inference', True)]
    meta = dict(input='N,M,T,V,C', output='logits', num_person=shape[0], clip_len=shape[1],
                num_joints=shape[2], channels=shape[3], num_classes=num_classes,
                layout=(spec.layout if spec else None) or _layout_name(model),
                dynamic=[{0: 'N', 2: 'T'}[a] for a in sorted(axes)],
                class_names=_class_names(model), plugins=plugins)
    data = _with_metadata(data, meta)
    result = OnnxExportResult(path=out, input_shape=shape, dynamic_axes=axes,
                              num_classes=num_classes, max_abs_diff=float('nan'),
                              plugins=plugins)
    if atol is not None:
        checks = [x]
        if dynamic_batch:
            checks.append(torch.randn((batch_size + 2, ) + shape, generator=gen))
        if dynamic_frames:
            T2 = max(4, shape[1] // 2 + 3)
            checks.append(torch.randn((batch_size, shape[0], T2) + shape[2:], generator=gen))
        sess = session(data)
        worst = 0.0
        for xx in checks:
            ref = clip_logits(model, xx).numpy()
            got = sess.run(None, {'x': xx.numpy()})[0]
            diff = float(np.abs(got - ref).max())
            bound = atol + rtol * float(np.abs(ref).max())
            worst = max(worst, diff)
            result.checked_shapes.append(tuple(xx.shape))
            if not diff <= bound:
                raise RuntimeError(f'onnxruntime differs from PyTorch by {diff:.3g} > {bound:.3g} '
                                   f'(atol {atol:g} + rtol {rtol:g} x max |logit|) on an input '
                                   f'of shape {tuple(xx.shape)}; {out} not written')
        result.max_abs_diff = worst
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    with atomic_path(out) as tmp:
        with open(tmp, 'wb') as f:
            f.write(data)
    result.bytes = osp.getsize(out)
    return result


def _layout_name(model) -> Optional[str]:
    cfg = getattr(getattr(model, 'backbone', None), 'graph_cfg', None) or {}
    layout = cfg.get('layout') if isinstance(cfg, dict) else None
    return layout if isinstance(layout, str) else None


def export_onnx_from_config(config, checkpoint: Optional[str], out: str,
                            cfg_options: Optional[dict] = None, **kwargs
                            ) -> OnnxExportResult:
    """:func:`export_onnx` of the model that ``init_recognizer(config, checkpoint)`` builds.

    Works with a training checkpoint (training-only plugins are not in the graph) and with a
    deploy checkpoint and its config written by ``tools/deploy.py``.
    """
    from .inference import init_recognizer
    model = init_recognizer(config, checkpoint, device='cpu', cfg_options=cfg_options)
    return export_onnx(model, out, **kwargs)


# ---------------------------------------------------------------------------- runtime
def softmax(logits: np.ndarray) -> np.ndarray:
    """Class probabilities of logits ``(..., K)`` (what the head's ``predict`` reports)."""
    z = logits - logits.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def read_metadata(path: Union[str, bytes]) -> Dict:
    """The ``sfhead_mm`` metadata of an exported file ({} for another ONNX file)."""
    sess = path if hasattr(path, 'get_modelmeta') else session(path)
    raw = sess.get_modelmeta().custom_metadata_map.get(META_KEY)
    return json.loads(raw) if raw else {}


class OnnxRecognizer:
    """An exported recognizer in onnxruntime: clips ``(N, M, T, V, C)`` -> logits.

    Args:
        path (str): The ``.onnx`` file of :func:`export_onnx`.
        threads (int, optional): onnxruntime's intra-op threads (default: its own choice).

    Attributes:
        meta (dict): The input spec stored in the file (``num_person``, ``clip_len``,
            ``num_joints``, ``channels``, ``layout``, ``class_names``, ``dynamic``).
    """

    def __init__(self, path: str, threads: Optional[int] = None):
        self.path = path
        self.session = session(path, threads)
        self.meta = read_metadata(self.session)

    @property
    def num_classes(self) -> Optional[int]:
        return self.meta.get('num_classes')

    def logits(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(None, {'x': np.ascontiguousarray(x, dtype=np.float32)})[0]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities ``(N, K)`` of clips ``x``."""
        return softmax(self.logits(x))
