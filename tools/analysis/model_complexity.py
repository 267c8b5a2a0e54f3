"""Parameters and FLOPs of a skeleton recognizer, for training and for inference.

    python tools/analysis/model_complexity.py CONFIG [--shape T | N M T V C] [--table]
        [--cfg-options KEY=VALUE ...]

Two models are measured from one config, with MMEngine's analysis tools (``FlopAnalyzer``,
``parameter_count``):

* **training model**: every parameter of the recognizer (backbone, head, plugins such as SF-Head
  in either mode), and the FLOPs of the forward pass of one training step (``mode='loss'``: the
  plugins' branches and losses included; the backward pass is not counted);
* **inference model**: the parameters the class scores actually depend on (found by
  back-propagating from the scores: SF-Head inline heads count, auxiliary heads and other
  training-only parts such as InfoGCN's ``fc_logvar`` do not), and the FLOPs of the forward pass
  that ``mode='predict'`` runs (backbone and head, one clip).

FLOPs follow fvcore's convention: one multiply-add is one FLOP; operators without a counting rule
(softmax, elementwise activations, ...) count zero and are listed. The input is one sample by
default, shaped from the config's input spec (``sfhead_mm.datasets.input_spec.input_spec_of``):
M = the test pipeline's ``FormatGCNInput.num_person`` (else ``backbone.num_person``), T = its
frame sampler's ``clip_len``, V = the layout's joints, C = the backbone's ``in_channels``.
"""
import argparse
import os.path as osp
import sys
import warnings
from typing import Dict, List, Sequence, Tuple

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from sfhead_mm.utils import register_all_modules  # noqa: E402

register_all_modules()  # the package's models, transforms, hooks and metrics
from mmengine.analysis import FlopAnalyzer, parameter_count  # noqa: E402
from mmengine.analysis.print_helper import complexity_stats_table  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from mmaction.registry import MODELS  # noqa: E402
from mmaction.structures import ActionDataSample  # noqa: E402
from sfhead_mm.datasets.input_spec import input_spec_of  # noqa: E402
from sfhead_mm.engine.runner_setup import load_config  # noqa: E402


class TrainingStep(nn.Module):
    """The forward pass of a training step, as one traceable module returning the total loss."""

    def __init__(self, model: nn.Module, data_samples: List[ActionDataSample]):
        super().__init__()
        self.model = model
        self.data_samples = data_samples

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        losses = self.model(inputs, self.data_samples, mode='loss')
        return sum(v for k, v in losses.items() if 'loss' in k)


class InferenceStep(nn.Module):
    """The network part of ``mode='predict'``: backbone and head, returning the class scores."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.model(inputs, mode='tensor', stage='head')


def default_shape(cfg) -> Tuple[int, int, int, int, int]:
    """(N, M, T, V, C) of one sample, from the config's input spec (test pipeline and model)."""
    spec = input_spec_of(cfg)
    if spec.layout is None:
        raise SystemExit('the config names no skeleton layout (model.backbone.graph_cfg.layout); '
                         'give the input shape with --shape N M T V C')
    return (1, spec.num_person or 2, spec.clip_len or 100, spec.layout.num_joints,
            spec.in_channels or 3)


def parse_shape(values: Sequence[int], cfg) -> Tuple[int, int, int, int, int]:
    base = default_shape(cfg)
    if not values:
        return base
    if len(values) == 1:
        return base[:2] + (values[0], ) + base[3:]
    if len(values) == 5:
        return tuple(values)
    raise SystemExit(f'--shape takes T or N M T V C (got {len(values)} numbers: {values})')


def used_parameters(model: nn.Module, inputs: torch.Tensor) -> Dict[str, int]:
    """Parameters the inference scores depend on: those reached by back-propagation."""
    params = dict(model.named_parameters())
    flags = {name: p.requires_grad for name, p in params.items()}
    for p in params.values():
        p.requires_grad_(True)
        p.grad = None
    try:
        model.eval()
        with torch.enable_grad():
            scores = InferenceStep(model)(inputs)
        scores.float().sum().backward()
        return {name: p.numel() for name, p in params.items() if p.grad is not None}
    finally:
        for name, p in params.items():
            p.grad = None
            p.requires_grad_(flags[name])


def count_flops(module: nn.Module, inputs: torch.Tensor) -> Dict:
    """``dict(flops, analyzer)``, or ``dict(flops=None, error=...)`` when tracing fails.

    FlopAnalyzer needs a ``torch.jit`` trace; a module that cannot be traced (e.g. a custom
    autograd Function the tracer rejects) gets its FLOPs reported as unavailable, with the
    reason, instead of aborting the report.
    """
    analyzer = FlopAnalyzer(module, (inputs, ))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    try:
        return dict(flops=analyzer.total(), analyzer=analyzer)  # total() runs the trace
    except RuntimeError as err:
        return dict(flops=None, analyzer=None,
                    error=f'torch.jit cannot trace it ({type(err).__name__}: {err})')


def measure(cfg, shape: Tuple[int, int, int, int, int]) -> Dict:
    """Parameters and FLOPs of the training and inference models of ``cfg``."""
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    N, M, T, V, C = shape
    inputs = torch.randn(N, 1, M, T, V, C)  # RecognizerGCN's (B, clips, M, T, V, C)
    num_classes = cfg.model.cls_head.get('num_classes', 1)
    samples = [ActionDataSample().set_gt_label(i % num_classes) for i in range(N)]

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tracer warnings about numpy conversions in the loss
        model.train()
        train_flops = count_flops(TrainingStep(model, samples), inputs)
        used = used_parameters(model, inputs)
        model.eval()
        with torch.no_grad():
            infer_flops = count_flops(InferenceStep(model), inputs)

    all_params = parameter_count(model)['']
    unused: Dict[str, int] = {}
    for name, p in model.named_parameters():
        if name not in used:
            group = '.'.join(name.split('.')[:2])
            unused[group] = unused.get(group, 0) + p.numel()
    uncounted = set()
    for flops in (train_flops, infer_flops):
        if flops['analyzer'] is not None:
            uncounted |= set(flops['analyzer'].unsupported_ops())
    return dict(
        shape=shape,
        train=dict(params=all_params, **train_flops),
        infer=dict(params=sum(used.values()), **infer_flops),
        training_only=unused,
        uncounted=sorted(uncounted))


def report(result: Dict, config: str, table: bool = False) -> str:
    N, M, T, V, C = result['shape']
    lines = [f'config: {config}',
             f'input: N={N} M={M} T={T} V={V} C={C} (one clip)',
             f'{"":18s}{"params":>14s}{"FLOPs":>16s}']
    for key, title in (('train', 'training model'), ('infer', 'inference model')):
        r = result[key]
        flops = 'n/a' if r['flops'] is None else f'{r["flops"] / 1e9:.3f} G'
        lines.append(f'{title:18s}{r["params"]:>14,d}{flops:>16s}')
    lines.append(f'inference / training params: '
                 f'{result["infer"]["params"] / result["train"]["params"]:.4f}')
    if result['training_only']:
        parts = ', '.join(f'{k} ({v:,d})' for k, v in sorted(result['training_only'].items()))
        lines.append(f'training-only parameters: {parts}')
    lines.append('FLOPs: multiply-adds of the forward pass (training: the loss step, backward '
                 'not counted)')
    for key, title in (('train', 'training model'), ('infer', 'inference model')):
        if result[key]['flops'] is None:
            lines.append(f'{title} FLOPs not measured: {result[key]["error"]}')
    if result['uncounted']:
        lines.append('operators counted as 0 FLOPs: ' + ', '.join(result['uncounted']))
    if table:
        for key, title in (('train', 'training model'), ('infer', 'inference model')):
            if result[key]['analyzer'] is None:
                continue
            lines += ['', f'== {title} ==',
                      complexity_stats_table(result[key]['analyzer'], max_depth=3,
                                             show_param_shapes=False)]
    return '\n'.join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Parameters and FLOPs of the training and inference models of a config')
    parser.add_argument('config', help='config file (or a config name of sfhead_mm)')
    parser.add_argument('--shape', type=int, nargs='+', default=[],
                        help='T, or N M T V C of the input (default: one sample shaped from '
                        'the config)')
    parser.add_argument('--table', action='store_true',
                        help='also print per-module FLOPs and parameters tables')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value pairs')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    result = measure(cfg, parse_shape(args.shape, cfg))
    print(report(result, args.config, args.table))


if __name__ == '__main__':
    main()
