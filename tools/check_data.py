# Check a config's annotation pickles against its model and pipelines, before training.
"""Check the data of a config before training: one readable line per problem.

    python tools/check_data.py CONFIG [--loaders train val test] [--max-lines 5]
        [--json report.json] [--cfg-options KEY=VALUE ...]

Reads every loader's annotation file with the package's restricted unpickler (nothing in it can
execute) and checks it against the config's input spec: split names, keys, keypoint shape
(M, T, V, C) with T == total_frames, V of the layout, C giving the backbone's in_channels with
the pipeline's GenSkeFeat streams and keypoint_score, finite values (inside float32's range),
labels inside num_classes, unique names, in every sample; then dry-runs each pipeline on one
sample. Exit status 0 when all is well, 1 when a problem is found,
2 for a config that cannot be read. ``tools/train.py`` runs the same checks when a run starts
(``CheckDataHook``).
"""
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from mmengine.config import DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from sfhead_mm.datasets.checks import LOADERS, check_config_data  # noqa: E402
from sfhead_mm.engine import runner_setup  # noqa: E402
from sfhead_mm.utils import register_all_modules  # noqa: E402
from sfhead_mm.utils.atomic_write import write_json as write_json_file  # noqa: E402
from sfhead_mm.utils.console import print_error  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file (or a config name of sfhead_mm)')
    parser.add_argument('--loaders', nargs='+', choices=LOADERS, default=list(LOADERS),
                        help='which dataloaders to check (default: all)')
    parser.add_argument('--max-lines', type=int, default=5,
                        help='lines shown per kind of problem; the rest are counted '
                             '(0: show all)')
    parser.add_argument('--no-pipeline', action='store_true',
                        help='do not dry-run the pipelines')
    parser.add_argument('--json', help='also write the problems to this JSON file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value pairs')
    return parser.parse_args(argv)


def write_json(report, path: str) -> None:
    data = dict(ok=report.ok, num_samples=report.num_samples, checked=report.checked,
                problems=[dict(where=p.where, sample=p.sample, key=p.key, kind=p.kind,
                               message=p.message) for p in report.problems])
    write_json_file(path, data)


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules()
    try:
        cfg = runner_setup.load_config(args.config, args.cfg_options)
    except Exception as err:  # a missing or broken config: one line, not a traceback
        print_error(f'cannot load config {args.config!r}: {type(err).__name__}: {err}')
        return 2
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    report = check_config_data(cfg, args.loaders, run_pipeline=not args.no_pipeline)
    print(f'Checking the data of {args.config}')
    print(report.format(args.max_lines))
    # Layouts: pipeline vs model graph vs the recordings, groups vs classes, unused pipelines.
    from sfhead_mm.datasets.layout_checks import check_layout_consistency
    layout_issues = check_layout_consistency(cfg, read_samples=16)
    for issue in layout_issues:
        print(issue)
    if args.json:
        write_json(report, args.json)
    return 0 if report.ok and not any(i.level == 'error' for i in layout_issues) else 1


if __name__ == '__main__':
    sys.exit(main())
