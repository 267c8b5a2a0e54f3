# Export a trained recognizer to ONNX and check it in onnxruntime against PyTorch.
"""Export a recognizer to ONNX: ``x`` (N, M, T, V, C) -> ``logits`` (N, num_classes).

    python tools/export_onnx.py CONFIG CHECKPOINT OUT.onnx [--shape M T V C] [--batch 1]
        [--static-batch] [--static-frames] [--opset 17] [--atol 1e-4] [--rtol 1e-5] [--overwrite]

Works with a training checkpoint (plugins that act only in training, e.g. SF-Head in auxiliary
mode, are not in the graph) and with the deploy pair of ``tools/deploy.py``; an inline SF-Head is
exported with the backbone. Batch size and frame count are dynamic axes unless told otherwise.
The file is run in onnxruntime at the export shape and at a second batch size and frame count,
and is written only when its logits are within ``--atol`` (+ ``--rtol`` x the largest logit) of
PyTorch's. The test pipeline
(normalisation, resampling to the clip length) is not part of the graph; see
docs/camera_to_label.md. Needs ``pip install "sfhead_mm[onnx]"``.
"""
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from sfhead_mm.utils.console import print_error  # noqa: E402


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file (training config, or a deploy config)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('out', help='ONNX file to write')
    parser.add_argument('--shape', nargs=4, type=int, metavar=('M', 'T', 'V', 'C'),
                        help='one clip of the example input (default: from the config)')
    parser.add_argument('--batch', type=int, default=1, help='N of the example input')
    parser.add_argument('--static-batch', action='store_true', help='fix N')
    parser.add_argument('--static-frames', action='store_true', help='fix T')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument('--atol', type=float, default=1e-4,
                        help='largest accepted |onnxruntime - PyTorch| on the logits ...')
    parser.add_argument('--rtol', type=float, default=1e-5,
                        help='... plus this times the largest |logit| (0: atol is a hard bound)')
    parser.add_argument('--overwrite', action='store_true', help='replace an existing OUT')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value pairs')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if osp.exists(args.out) and not args.overwrite:
        print_error(f'{args.out} exists; pass --overwrite to replace it')
        return 1
    from sfhead_mm.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    from sfhead_mm.apis.onnx_export import export_onnx_from_config
    try:
        result = export_onnx_from_config(
            args.config, args.checkpoint, args.out, cfg_options=args.cfg_options,
            input_shape=args.shape, batch_size=args.batch,
            dynamic_batch=not args.static_batch, dynamic_frames=not args.static_frames,
            opset=args.opset, atol=args.atol, rtol=args.rtol)
    except ImportError as err:
        print_error(err)
        return 2
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        print_error(err)
        return 1
    axes = ', '.join(f'{"NMTVC"[a]} (axis {a})' for a in sorted(result.dynamic_axes)) or 'none'
    M, T, V, C = result.input_shape
    print(f'wrote {result.path} ({result.bytes:,} bytes): x (N, M={M}, T={T}, V={V}, C={C}) -> '
          f'logits (N, {result.num_classes}); dynamic: {axes}; inference plugins: '
          f'{", ".join(result.plugins) or "none"}')
    print(f'max |onnxruntime - PyTorch| = {result.max_abs_diff:.3g} on inputs '
          + ', '.join(str(s) for s in result.checked_shapes))
    return 0


if __name__ == '__main__':
    sys.exit(main())
