"""t-SNE of a model's pooled features for chosen classes (the papers' feature-space figures).

The pooled feature of a sample is what the classifier sees: the backbone output (N, M, C, T, V)
averaged over frames and joints, then over persons (MMAction2's GCNHead pooling), then over
clips. The samples come from the config's test dataset::

    python tools/analysis/tsne.py configs/stgcn_sfhead_ntu120.py epoch_80.pth \\
        --classes 17 18 --max-per-class 200 --out work_dirs/tsne_glasses.png
    python tools/analysis/tsne.py CONFIG CKPT --groups ntu120_sfhead9 --group glasses_on_off

Writes the PNG and, next to it, ``<out>.npz`` with the features, the 2-D embedding, the labels
and the sample ids. A checkpoint is unpickled (it can run code): load only checkpoints you trust.
"""
import argparse
import os.path as osp
import sys

_REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if osp.isdir(osp.join(_REPO, 'sfhead_mm')) and _REPO not in sys.path:
    sys.path.insert(0, _REPO)

from sfhead_mm.utils import register_all_modules  # noqa: E402

register_all_modules()
import matplotlib  # noqa: E402

matplotlib.use('Agg')  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.dataset import pseudo_collate  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import load_checkpoint  # noqa: E402

from mmaction.registry import DATASETS, MODELS  # noqa: E402
from sfhead_mm.engine import runner_setup  # noqa: E402
from sfhead_mm.evaluation.analysis_cli import (add_group_arguments, class_names_arg,  # noqa
                                                groups_from_args)
from sfhead_mm.utils.atomic_write import atomic_path, save_figure  # noqa: E402
from sfhead_mm.evaluation.group_spec import load_class_names, resolve_member  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file (or a config name of sfhead_mm)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--classes', nargs='+', help='class indices or names to show')
    add_group_arguments(parser)
    parser.add_argument('--group', help='show the classes of this group of --groups')
    parser.add_argument('--max-per-class', type=int, default=200,
                        help='at most this many samples per class (a seeded random subset)')
    parser.add_argument('--perplexity', type=float, default=30.0)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--out', default='tsne.png', help='output PNG')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value pairs')
    args = parser.parse_args(argv)
    if bool(args.classes) == bool(args.group):
        parser.error('give either --classes or --group')
    return args


def chosen_classes(args):
    """(labels, display names) of the classes to show."""
    if args.group:
        group_set = groups_from_args(args)
        by_name = {g.name: g for g in group_set.groups}
        if args.group not in by_name:
            raise SystemExit(f'--group {args.group}: not in {group_set.name!r} (groups: '
                             f'{", ".join(by_name)})')
        labels = list(by_name[args.group].classes)
    else:
        spec = args.class_names
        if spec is None:  # the names the config declares (docs/custom_dataset.md), if any
            from sfhead_mm.datasets.layout_checks import config_class_names
            spec = config_class_names(runner_setup.load_config(args.config))
        names = load_class_names(class_names_arg(spec))
        labels = []
        for c in args.classes:
            member = int(c) if c.lstrip('-').isdigit() else c
            label = resolve_member(member, '--classes', names)[0]
            if label not in labels:
                labels.append(label)
        return labels, [names[c] if names else f'class {c}' for c in labels]
    return labels, [group_set.display_name(c) for c in labels]


def select_samples(dataset, labels, max_per_class, seed):
    """Dataset indices of the chosen classes, at most ``max_per_class`` each (seeded)."""
    rng = np.random.default_rng(seed)
    by_class = {c: [] for c in labels}
    for i in range(len(dataset)):
        label = int(dataset.get_data_info(i)['label'])
        if label in by_class:
            by_class[label].append(i)
    empty = [c for c, idx in by_class.items() if not idx]
    if empty:
        raise SystemExit(f'classes {empty} have no sample in the test dataset '
                         f'({getattr(dataset, "ann_file", "")})')
    picked = []
    for c in labels:
        idx = by_class[c]
        if len(idx) > max_per_class:
            idx = sorted(rng.choice(idx, max_per_class, replace=False).tolist())
        picked += idx
    return picked


@torch.no_grad()
def pooled_features(model, batch):
    """(B, C) features: backbone output averaged over T, V, then persons, then clips."""
    data = model.data_preprocessor(batch, False)
    inputs = data['inputs']
    bs, nc = inputs.shape[:2]
    feats, _ = model.extract_feat(inputs, stage='backbone')  # (B * nc, M, C, T, V)
    pooled = feats.mean(dim=(-1, -2)).mean(dim=1)
    return pooled.reshape(bs, nc, -1).mean(dim=1).float().cpu().numpy()


def extract(cfg, checkpoint, dataset, indices, batch_size, device):
    """Pooled features (n, C), labels (n,) and sample ids of ``dataset[indices]``."""
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    model.to(device).eval()
    feats, labels, ids = [], [], []
    for start in range(0, len(indices), batch_size):
        items = [dataset[i] for i in indices[start:start + batch_size]]
        feats.append(pooled_features(model, pseudo_collate(items)))
        for item in items:
            ds = item['data_samples']
            labels.append(int(ds.gt_label.reshape(-1)[0]))
            ids.append(str(ds.metainfo.get('frame_dir', '')))
    return np.concatenate(feats), np.asarray(labels), ids


def embed(features, perplexity, seed):
    from sklearn.manifold import TSNE  # imported here: only this tool needs scikit-learn
    n = len(features)
    if n < 3:
        raise SystemExit(f'{n} samples: t-SNE needs at least 3')
    # sklearn needs perplexity < n; a third of n keeps small plots meaningful
    perplexity = min(perplexity, max(1.0, (n - 1) / 3))
    # Barnes-Hut pays a per-iteration threading overhead that dominates for a few hundred
    # points; the exact gradient is cheaper there
    method = 'exact' if n <= 500 else 'barnes_hut'
    return TSNE(n_components=2, perplexity=perplexity, init='pca', random_state=seed,
                method=method).fit_transform(features)


def plot(embedding, labels, classes, names, title, path):
    fig, ax = plt.subplots(figsize=(6, 5.5))
    cmap = plt.get_cmap('tab10' if len(classes) <= 10 else 'tab20')
    for i, (c, name) in enumerate(zip(classes, names)):
        pts = embedding[labels == c]
        ax.scatter(pts[:, 0], pts[:, 1], s=10, color=cmap(i % cmap.N), label=f'{name} ({c})')
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(fontsize=8, markerscale=2)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=150)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    cfg = runner_setup.load_config(args.config, args.cfg_options)
    runner_setup.check_checkpoint(args.checkpoint)
    runner_setup.keep_sample_ids(cfg)  # so that the .npz names every point
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    classes, names = chosen_classes(args)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    indices = select_samples(dataset, classes, args.max_per_class, args.seed)
    features, labels, ids = extract(cfg, args.checkpoint, dataset, indices, args.batch_size,
                                    args.device)
    embedding = embed(features, args.perplexity, args.seed)
    title = f'{osp.basename(args.config)} - {osp.basename(args.checkpoint)}'
    plot(embedding, labels, classes, names, title, args.out)
    npz = osp.splitext(args.out)[0] + '.npz'
    with atomic_path(npz) as tmp:
        with open(tmp, 'wb') as f:
            np.savez(f, features=features, embedding=embedding, labels=labels,
                     ids=np.asarray(ids), classes=np.asarray(classes))
    print(f'{len(labels)} samples of classes {classes}: wrote {args.out} and {npz}')


if __name__ == '__main__':
    try:
        main()
    except (ValueError, FileNotFoundError) as e:  # bad input: the message names it
        raise SystemExit(f'error: {e}')
