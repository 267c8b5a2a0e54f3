# Train a recognizer: MMAction2's tools/train.py interface, with sfhead_mm registered.
# Everything a run needs beyond that (exact resume, data check, safe checkpoint loading) is
# declared in the configs' custom_hooks, so MMAction2's own tools/train.py behaves the same.
import argparse
import os.path as osp
import sys

# A source checkout runs without installing; an installed copy (mim) imports the package.
_REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from mmengine.config import DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmaction.registry import RUNNERS  # noqa: E402
from sfhead_mm.datasets.pose_dataset_errors import data_errors_in_one_line  # noqa: E402
from sfhead_mm.engine import runner_setup  # noqa: E402
from sfhead_mm.utils import register_all_modules  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train an action recognizer')
    parser.add_argument('config', help='train config file path (or a config name of sfhead_mm)')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint; without a path, from the latest checkpoint in the '
        'work dir')
    parser.add_argument('--amp', action='store_true',
                        help='enable automatic-mixed-precision training (GPU: float16 with '
                        'loss scaling; CPU: bfloat16)')
    parser.add_argument('--tensorboard', action='store_true',
                        help='also log to TensorBoard '
                        '(pip install -r requirements/tensorboard.txt)')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate checkpoints during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the actual total batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument('--diff-rank-seed', action='store_true',
                        help='set different seeds for different ranks')
    parser.add_argument('--deterministic', action='store_true',
                        help='set deterministic options for the CUDNN backend')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings in the config, key=value pairs (e.g. '
        'train_cfg.max_epochs=5 model.sf_head.groups=4)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    runner_setup.set_local_rank_env(args.local_rank)
    return args


def merge_args(cfg, args):
    """Apply the command line to the config (MMAction2's precedence rules)."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    runner_setup.setup_launcher(cfg, args.launcher)
    runner_setup.default_work_dir(cfg, args.config, args.work_dir)
    if args.tensorboard:  # --cfg-options cannot append to a list (docs/install.md)
        visualizer = cfg.get('visualizer', None) or dict(type='ActionVisualizer')
        backends = list(visualizer.get('vis_backends', None) or [dict(type='LocalVisBackend')])
        if not any(b.get('type') == 'TensorboardVisBackend' for b in backends):
            backends.append(dict(type='TensorboardVisBackend'))
        visualizer['vis_backends'] = backends
        cfg.visualizer = visualizer

    if args.amp:
        import torch
        wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if wrapper not in ('OptimWrapper', 'AmpOptimWrapper', 'CPUAmpOptimWrapper'):
            raise SystemExit(f'--amp does not support optim_wrapper.type={wrapper!r}')
        if torch.cuda.is_available():
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        else:  # mmengine's AmpOptimWrapper refuses the CPU: bfloat16 autocast, no loss scale
            cfg.optim_wrapper.type = 'CPUAmpOptimWrapper'
            cfg.optim_wrapper.pop('loss_scale', None)
            cfg.optim_wrapper.dtype = 'bfloat16'
        if cfg.model.get('type') == 'RecognizerGCN':
            # float32 scores for MMAction2's top-k accuracy in the loss (numpy has no bfloat16);
            # otherwise the same model and state dict.
            cfg.model.type = 'PluginRecognizerGCN'

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        runner_setup.check_checkpoint(args.resume, 'resume checkpoint')
        cfg.resume = True
        cfg.load_from = args.resume
    else:
        runner_setup.check_checkpoint(cfg.get('load_from'), 'load_from checkpoint')

    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True

    # mmengine needs a `seed` key (None draws one and records it in the checkpoints)
    randomness = dict(dict(seed=None), **(cfg.get('randomness', None) or {}))
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if args.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness
    return cfg


@runner_setup.exit_on_user_error
def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    cfg = runner_setup.load_config(args.config, args.cfg_options)
    cfg = merge_args(cfg, args)
    with runner_setup.run_scope(cfg), data_errors_in_one_line(cfg):
        runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
        runner.train()


if __name__ == '__main__':
    main()
