# Export a deploy checkpoint without the training-only plugins (auxiliary SF-Head, FR-Head, ...).
"""Export a deploy checkpoint: the trained model without its training-only parts.

    python tools/deploy.py CONFIG CHECKPOINT OUT.pth [--out-config OUT.py]

Plugins whose ``affects_inference`` is False (SF-Head in auxiliary mode, FR-Head, RDL) are dropped
with the optimizer state; plugins that act at inference (inline SF-Head) stay. The config of the
exported model is written next to it (``OUT.py``: MMAction2's plain ``RecognizerGCN`` when no
plugin is left). Both models are compared on a probe input before anything is written. Use the
pair with tools/test.py or tools/infer.py: ``tools/infer.py OUT.py OUT.pth INPUT``.
"""
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from mmengine.config import DictAction  # noqa: E402

from sfhead_mm.apis import export_deploy  # noqa: E402
from sfhead_mm.engine import runner_setup  # noqa: E402
from sfhead_mm.utils import register_all_modules  # noqa: E402
from sfhead_mm.utils.console import print_error  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='training config (or a config name of sfhead_mm)')
    parser.add_argument('checkpoint', help='trained checkpoint')
    parser.add_argument('out', help='deploy checkpoint to write (.pth)')
    parser.add_argument('--out-config', help='its config (default: OUT with .py)')
    parser.add_argument('--overwrite', action='store_true', help='replace existing outputs')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the training config, key=value pairs')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    out_config = args.out_config or osp.splitext(args.out)[0] + '.py'
    if not args.overwrite:
        for path in (args.out, out_config):
            if osp.exists(path):
                print_error(f'{path} exists; pass --overwrite to replace it')
                return 1
    if osp.abspath(out_config) == osp.abspath(args.config):
        print_error(f'{out_config} is the training config; choose another OUT')
        return 1
    register_all_modules()
    try:
        runner_setup.check_checkpoint(args.checkpoint)
        result = export_deploy(args.config, args.checkpoint, args.out, out_config,
                               cfg_options=args.cfg_options)
    except runner_setup.USER_ERRORS as err:  # bad checkpoint or input file: exit 2
        print_error(err)
        return 2
    except (OSError, ValueError, KeyError, RuntimeError) as err:
        print_error(err)
        return 1
    dropped = ', '.join(result.dropped) or 'none'
    kept = ', '.join(result.kept) or 'none'
    print(f'wrote {result.checkpoint} ({result.deploy_bytes:,} bytes; the training checkpoint '
          f'has {result.source_bytes:,}) and {result.config}')
    print(f'dropped plugins: {dropped}; kept: {kept}; outputs '
          + ('identical on a probe input' if result.verified else 'not compared (the config '
             'gives no input shape)'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
