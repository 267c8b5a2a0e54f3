"""Run a trained recognizer on skeleton files: the config's test pipeline, then the model.

Predictions are those of ``tools/test.py`` for the same sample: the same test pipeline (the
config's ``test_dataloader``), the same ``test_step`` (data preprocessor, clip averaging of the
head). Long sequences can be cut into sliding windows, each predicted on its own, next to the
whole-sequence prediction.

Names do not clash with ``mmaction.apis``: :func:`init_recognizer` takes MMAction2's arguments
(``config, checkpoint, device``) and builds the model with ``mmaction.apis.init_recognizer``;
:func:`predict_skeletons` (not MMAction2's ``inference_skeleton``, which takes pose results of
video frames) predicts skeleton files, arrays and samples. What the model reads (layout,
channels, test pipeline, class names) is asked of the config once, as its
:class:`~sfhead_mm.datasets.input_spec.InputSpec`.
"""
import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate

from ..datasets.input_spec import (BUILTIN_LABEL_MAPS, InputSpec, input_spec_of,  # noqa: F401
                                   read_label_map)
from .readers import InputError, SkeletonSample, read_skeleton_file


# --------------------------------------------------------------------------------- model
def init_recognizer(config: Union[str, Config], checkpoint: Optional[str] = None,
                    device: Union[str, torch.device, None] = None,
                    cfg_options: Optional[dict] = None) -> nn.Module:
    """``mmaction.apis.init_recognizer``, with config names, safe checkpoints and a weight check.

    The model is built by MMAction2's ``init_recognizer``. The config is read as
    ``tools/test.py`` reads it (config names inside the package work). The checkpoint is loaded
    with torch's ``weights_only=True`` and the allow-list of what mmengine checkpoints hold
    (:func:`sfhead_mm.utils.checkpoint.load_checkpoint_file`; a URL through mmengine's loaders
    inside :func:`~sfhead_mm.utils.checkpoint.checkpoint_globals`): a file that names anything
    else is refused with one line, and nothing in it executes. It is read here rather than by
    MMAction2's loader so that its ``meta`` is kept and missing weights are an error, not a
    warning. The returned model carries ``cfg``, ``checkpoint_meta`` (the checkpoint's
    ``meta``, e.g. ``dataset_meta``) and ``input_spec`` (:class:`InputSpec`).

    Args:
        config (str | Config): Config file, config name, or a loaded config.
        checkpoint (str, optional): Checkpoint file; None keeps the initial weights.
        device (str | torch.device, optional): Where to run. Defaults to ``'cuda:0'`` when
            CUDA is available (MMAction2's default), else ``'cpu'``.
        cfg_options (dict, optional): Config overrides (``--cfg-options``).

    Raises:
        FileNotFoundError: Missing config or checkpoint.
        sfhead_mm.utils.checkpoint.CheckpointError: An unsafe, truncated or foreign checkpoint
            (a ValueError; one line naming the file).
        ValueError: The checkpoint lacks weights the model needs (another model, or a deploy
            checkpoint used with its training config), naming them.
    """
    from mmaction.apis import init_recognizer as mmaction_init_recognizer
    from mmengine.runner.checkpoint import load_state_dict

    from ..engine import runner_setup
    from ..utils.checkpoint import checkpoint_globals, load_checkpoint_file
    if isinstance(config, Config):
        cfg = config
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
    else:
        cfg = runner_setup.load_config(str(config), cfg_options)
    if device is None:
        device = 'cuda:0' if torch.cuda.is_available() else 'cpu'
    ckpt = None
    if checkpoint is not None and '://' in str(checkpoint):
        # URLs and storage backends: mmengine's loaders, with the same allow-list
        from mmengine.runner.checkpoint import CheckpointLoader
        with checkpoint_globals():
            ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    elif checkpoint is not None:
        runner_setup.check_checkpoint(checkpoint)
        ckpt = load_checkpoint_file(checkpoint, map_location='cpu')
    model = mmaction_init_recognizer(cfg, None, device='cpu')
    meta = {}
    if ckpt is not None:
        state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, Mapping) else ckpt
        state = {k[7:] if k.startswith('module.') else k: v for k, v in state.items()}
        own = model.state_dict()
        missing = [k for k in own if k not in state and 'num_batches_tracked' not in k]
        unexpected = [k for k in state if k not in own]
        if missing:
            raise ValueError(f'{checkpoint}: lacks {len(missing)} weights of the model built from '
                             f'the config, e.g. {missing[:3]}; is it the checkpoint of this '
                             f'config (a deploy checkpoint goes with the config written next '
                             f'to it)?')
        if unexpected:
            import warnings
            warnings.warn(f'{checkpoint}: {len(unexpected)} weights not used by the model '
                          f'(e.g. {unexpected[:3]}); training-only parts are expected here')
        load_state_dict(model, state, strict=False, logger='silent')
        meta = ckpt.get('meta', {}) if isinstance(ckpt, Mapping) else {}
    model.checkpoint_meta = meta or {}
    model.input_spec = input_spec_of(cfg)
    model.to(device)
    model.eval()
    return model


def build_test_pipeline(cfg) -> Compose:
    """The pipeline ``tools/test.py`` runs: ``test_dataloader``'s, else ``test_pipeline``."""
    return input_spec_of(cfg).build_test_pipeline()


def _spec_of(model: nn.Module) -> InputSpec:
    spec = getattr(model, 'input_spec', None)
    return spec if isinstance(spec, InputSpec) else input_spec_of(model.cfg)


# ------------------------------------------------------------------------------ classes
def class_names_of(model: nn.Module, label_map=None) -> Optional[List[str]]:
    """Class names, from (first found): ``label_map``; the config's ``class_names``,
    ``label_map`` or test dataset ``metainfo['classes']`` (:class:`InputSpec`); the checkpoint's
    ``dataset_meta['classes']``. None when nothing gives them (predictions show indices).

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        label_map (str | Sequence[str], optional): Names, a file with one name per line, or a
            built-in map (``ntu60``, ``ntu120``, ``nwucla``, ``synthetic``).

    Raises:
        ValueError: The names found do not match the head's number of classes.
    """
    spec = _spec_of(model)
    meta = getattr(model, 'checkpoint_meta', None) or {}
    names, source = None, None
    if label_map:
        names, source = read_label_map(label_map), 'label map'
    elif spec.class_names_spec:
        names, source = spec.class_names(), spec.class_names_key
    elif (meta.get('dataset_meta') or {}).get('classes'):
        names, source = read_label_map(meta['dataset_meta']['classes']), \
            'checkpoint dataset_meta'
    if names is None:
        return None
    num_classes = getattr(getattr(model, 'cls_head', None), 'num_classes', None)
    if num_classes is not None and len(names) != num_classes:
        raise ValueError(f'{source}: {len(names)} class names, but the model has {num_classes} '
                         f'classes')
    return names


# --------------------------------------------------------------------------- predictions
@dataclass
class Prediction:
    """Scores of one sample (or one window of it).

    Args:
        name (str): Sample name.
        source (str): Input file.
        scores (np.ndarray): ``(num_classes,)`` class probabilities (the head's clip average).
        class_names (Sequence[str], optional): Names of the classes.
        topk (int): How many classes :meth:`top` and the outputs list.
        frames (int): Frames of the sequence (or window).
        start (int, optional): First frame of a window; None for the whole sequence.
        end (int, optional): End frame (exclusive) of a window.
        label (int, optional): Ground-truth label, when the input has one.
        windows (list[Prediction]): Per-window predictions of a long sequence.
        notes (list[str]): What the reader changed.
    """

    name: str
    source: str
    scores: np.ndarray
    class_names: Optional[Sequence[str]] = None
    topk: int = 5
    frames: int = 0
    start: Optional[int] = None
    end: Optional[int] = None
    label: Optional[int] = None
    windows: List['Prediction'] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)

    @property
    def pred_label(self) -> int:
        return int(np.argmax(self.scores))

    def class_name(self, index: int) -> str:
        if self.class_names and 0 <= index < len(self.class_names):
            return self.class_names[index]
        return f'class {index}'

    def top(self, k: Optional[int] = None) -> List[Dict]:
        """The ``k`` best classes: ``[{label, name, score}]``, best first."""
        k = min(k or self.topk, len(self.scores))
        order = np.argsort(-self.scores, kind='stable')[:k]
        return [dict(label=int(i), name=self.class_name(int(i)), score=float(self.scores[i]))
                for i in order]

    def to_dict(self) -> Dict:
        out = dict(name=self.name, source=self.source, frames=self.frames,
                   pred_label=self.pred_label, pred_name=self.class_name(self.pred_label),
                   pred_score=float(self.scores[self.pred_label]), topk=self.top())
        if self.start is not None:
            out.update(start=self.start, end=self.end)
        else:
            out['scores'] = [float(s) for s in self.scores]
            if self.label is not None:  # the input's own label (its dataset's numbering)
                out['label'] = self.label
            if self.windows:
                out['windows'] = [w.to_dict() for w in self.windows]
            if self.notes:
                out['notes'] = list(self.notes)
        return out

    def format_text(self) -> str:
        def line(p):
            return '  '.join(f'{i + 1}. {t["name"]} {t["score"]:.4f}'
                             for i, t in enumerate(p.top()))

        gt = f', label in the file: {self.label}' if self.label is not None else ''
        lines = [f'{self.name} ({self.source}, {self.frames} frames{gt})', f'  {line(self)}']
        for w in self.windows:
            lines.append(f'    frames [{w.start}, {w.end}): {line(w)}')
        return '\n'.join(lines)


def window_bounds(num_frames: int, window: int, stride: Optional[int] = None) -> List[tuple]:
    """``[start, end)`` of sliding windows covering ``num_frames``; the last one ends at the end.

    Args:
        num_frames (int): Frames of the sequence.
        window (int): Frames per window.
        stride (int, optional): Frames between window starts. Defaults to ``window``.
    """
    if window <= 0 or (stride is not None and stride <= 0):
        raise ValueError(f'window={window}, stride={stride}: both must be positive')
    stride = stride or window
    if num_frames <= window:
        return [(0, num_frames)]
    starts = list(range(0, num_frames - window + 1, stride))
    if starts[-1] + window < num_frames:
        starts.append(num_frames - window)
    return [(s, s + window) for s in starts]


def _as_samples(spec: InputSpec, inputs, read_kwargs) -> List[SkeletonSample]:
    if isinstance(inputs, (str, SkeletonSample, Mapping, np.ndarray)) or not isinstance(
            inputs, Sequence):
        inputs = [inputs]
    samples: List[SkeletonSample] = []
    for i, item in enumerate(inputs):
        if isinstance(item, SkeletonSample):
            samples.append(item)
        elif isinstance(item, (str, bytes)) or hasattr(item, '__fspath__'):
            kwargs = dict(num_joints=spec.layout.num_joints if spec.layout else None,
                          layout_name=spec.layout.name if spec.layout else None,
                          channels=spec.channels)
            kwargs.update(read_kwargs)
            samples.extend(read_skeleton_file(str(item), **kwargs))
        elif isinstance(item, Mapping):
            samples.append(SkeletonSample(
                name=str(item.get('frame_dir', f'sample{i}')), keypoint=item['keypoint'],
                keypoint_score=item.get('keypoint_score'), img_shape=item.get('img_shape'),
                label=item.get('label'), source='<dict>',
                extra={k: v for k, v in item.items() if k not in (
                    'keypoint', 'keypoint_score', 'frame_dir', 'label', 'img_shape')}))
        elif isinstance(item, np.ndarray):
            if item.ndim != 4:
                raise InputError('<array>', f'shape {item.shape}; expected (M, T, V, C)')
            samples.append(SkeletonSample(name=f'array{i}', keypoint=item, source='<array>'))
        else:
            raise TypeError(f'cannot run inference on a {type(item).__name__}')
    return samples


def _prepare(pipeline: Compose, sample: SkeletonSample, spec: InputSpec) -> Dict:
    try:
        # A copy, as PoseDataset hands out: transforms may write into the arrays, and windows
        # share the sample's.
        data = pipeline(copy.deepcopy(sample.to_results()))
    except Exception as err:
        raise InputError(sample.source, f'{sample.name}: the test pipeline fails on it '
                                        f'({type(err).__name__}: {err})') from None
    if data is None:
        raise InputError(sample.source, f'{sample.name}: the test pipeline dropped it')
    shape = tuple(data['inputs'].shape)
    if spec.in_channels is not None and shape[-1] != spec.in_channels:
        raise InputError(sample.source, f'{sample.name}: the test pipeline gives C={shape[-1]} '
                                        f'channels (input {shape}), the model takes '
                                        f'{spec.in_channels} (2D keypoints without scores, or '
                                        f'2D data for a 3D model?)')
    return data


@torch.no_grad()
def _predict_batches(model: nn.Module, datas: List[Dict], batch_size: int) -> List[np.ndarray]:
    scores = []
    for i in range(0, len(datas), batch_size):
        batch = pseudo_collate(datas[i:i + batch_size])
        for ds in model.test_step(batch):
            scores.append(ds.pred_score.detach().float().cpu().numpy())
    return scores


def predict_skeletons(model: nn.Module, inputs, *, topk: int = 5,
                      window: Optional[int] = None, stride: Optional[int] = None,
                      batch_size: int = 16, label_map=None,
                      test_pipeline: Optional[Compose] = None,
                      **read_kwargs) -> List[Prediction]:
    """Predict the classes of skeleton sequences.

    Args:
        model (nn.Module): From :func:`init_recognizer`.
        inputs: A file path (any format of :mod:`.readers`; a pickle gives all its samples),
            a :class:`SkeletonSample`, a PoseDataset annotation dict, an ``(M, T, V, C)``
            array, or a list of these.
        topk (int): Classes listed per prediction. Defaults to 5.
        window (int, optional): Also predict sliding windows of this many frames.
        stride (int, optional): Frames between window starts. Defaults to ``window``.
        batch_size (int): Samples per forward pass. Defaults to 16.
        label_map (str | Sequence[str], optional): Class names (see :func:`class_names_of`).
        test_pipeline (Compose, optional): Defaults to the config's test pipeline.
        **read_kwargs: For file inputs: ``split``, ``names`` (pickles), ``npy_order``,
            ``max_persons`` (MMPose json); see :func:`read_skeleton_file`.

    Returns:
        list[Prediction]: One per sample, in input order, each with its ``windows``.

    Raises:
        InputError: An input that cannot be read or does not fit the model, naming the file.
    """
    spec = _spec_of(model)
    pipeline = test_pipeline or spec.build_test_pipeline()
    names = class_names_of(model, label_map)
    samples = _as_samples(spec, inputs, read_kwargs)
    jobs, datas = [], []
    for s_idx, sample in enumerate(samples):
        jobs.append((s_idx, None))
        datas.append(_prepare(pipeline, sample, spec))
        if window:
            for bounds in window_bounds(sample.num_frames, window, stride):
                jobs.append((s_idx, bounds))
                datas.append(_prepare(pipeline, sample.window(*bounds), spec))
    scores = _predict_batches(model, datas, batch_size)
    preds: List[Prediction] = []
    for (s_idx, bounds), score in zip(jobs, scores):
        sample = samples[s_idx]
        if bounds is None:
            preds.append(Prediction(name=sample.name, source=sample.source, scores=score,
                                    class_names=names, topk=topk, frames=sample.num_frames,
                                    label=sample.label, notes=list(sample.notes)))
        else:
            preds[-1].windows.append(Prediction(
                name=sample.name, source=sample.source, scores=score, class_names=names,
                topk=topk, frames=bounds[1] - bounds[0], start=bounds[0], end=bounds[1]))
    return preds
