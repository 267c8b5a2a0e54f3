# Test a checkpoint: MMAction2's tools/test.py interface, with sfhead_mm registered.
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from mmengine.config import DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmaction.registry import RUNNERS  # noqa: E402
from sfhead_mm.datasets.pose_dataset_errors import data_errors_in_one_line  # noqa: E402
from sfhead_mm.engine import runner_setup  # noqa: E402
from sfhead_mm.utils import register_all_modules  # noqa: E402
from sfhead_mm.utils.atomic_write import write_json  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and evaluate) a checkpoint')
    parser.add_argument('config', help='test config file path (or a config name of sfhead_mm)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save the evaluation metrics')
    parser.add_argument('--dump', type=str,
                        help='write the predictions for offline evaluation, score fusion and '
                        'the analysis tools: a .json score file (per-sample ids, labels and '
                        'scores; code-free, compact) or MMAction2\'s .pkl pickle')
    parser.add_argument('--metrics-out', type=str,
                        help='also write the evaluation metrics to this JSON file (atomically)')
    parser.add_argument('--show-dir', help='draw each test sample (as the model sees it) with its '
                        'predicted and true class into this folder (PNG strips)')
    parser.add_argument('--show-max', type=int, default=100,
                        help='with --show-dir: at most N samples (0: all)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings in the config, key=value pairs')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    runner_setup.set_local_rank_env(args.local_rank)
    return args


def merge_args(cfg, args):
    runner_setup.setup_launcher(cfg, args.launcher)
    runner_setup.default_work_dir(cfg, args.config, args.work_dir)
    runner_setup.check_checkpoint(args.checkpoint)
    cfg.load_from = args.checkpoint
    runner_setup.keep_sample_ids(cfg)
    if args.dump is not None:
        if args.dump.endswith('.json'):  # the package's code-free score file
            dump = dict(type='DumpScores', out_file_path=args.dump)
        elif args.dump.endswith(('.pkl', '.pickle')):
            dump = dict(type='DumpResults', out_file_path=args.dump)
        else:
            raise SystemExit(f'--dump {args.dump!r}: the file must end with .json (a score '
                             f'file) or .pkl/.pickle (MMAction2\'s pickle)')
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, (list, tuple)):
            cfg.test_evaluator = list(evaluator) + [dump]
        else:
            cfg.test_evaluator = [evaluator, dump]
    return cfg


@runner_setup.exit_on_user_error
def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = runner_setup.load_config(args.config, args.cfg_options)
    cfg = merge_args(cfg, args)
    with runner_setup.run_scope(cfg), data_errors_in_one_line(cfg):
        runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
        if args.show_dir:
            from sfhead_mm.apis.visualize import show_predictions_hook
            runner.register_hook(show_predictions_hook(cfg, args.show_dir, args.show_max or None))
        metrics = runner.test()
    if args.metrics_out and runner.rank == 0:
        write_json(args.metrics_out, {k: _plain(v) for k, v in metrics.items()})


def _plain(value):
    """numpy / torch scalars -> Python numbers, for JSON."""
    return value.item() if hasattr(value, 'item') else value


if __name__ == '__main__':
    main()
