"""A hand-built evaluation with known answers, shared by the metric, dist and tool tests.

Six classes ``a``..``f``; groups ``ab`` = {a, b} and ``cde`` = {c, d, e}; ``d`` has no sample
(absent); ``f`` belongs to no group. Predictions per true class:

=====  ==================  ===========  =====================
class  predictions         accuracy     to another group member
=====  ==================  ===========  =====================
a (0)  a a a b             3/4          1/4 (b)
b (1)  b f                 1/2          0
c (2)  c c d e f           2/5          2/5 (d, e)
d (3)  -                   absent       absent
e (4)  e c                 1/2          1/2 (c)
f (5)  f a f               (no group)
=====  ==================  ===========  =====================
"""
import importlib.util
import os.path as osp
import pickle

import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

CLASS_NAMES = ['a', 'b', 'c', 'd', 'e', 'f']
GROUPS = {'ab': ['a', 'b'], 'cde': [2, 3, 4]}
PREDICTIONS = {0: [0, 0, 0, 1], 1: [1, 5], 2: [2, 2, 3, 4, 5], 4: [4, 2], 5: [5, 0, 5]}

#: Every scalar the metric must report (prefix ``ambiguous/``), computed by hand.
EXPECTED = {
    'top1': 7 / 13,  # correct a 3 + b 1 + c 2 + e 1 of the 13 group-class samples
    'group_mean': (0.625 + 0.45) / 2,
    'confusion': 4 / 13,  # a->b, c->d, c->e, e->c
    'ab/acc': (3 / 4 + 1 / 2) / 2,
    'ab/confusion': 1 / 6,
    'cde/acc': (2 / 5 + 1 / 2) / 2,  # d absent: left out, not counted as 0
    'cde/confusion': 3 / 7,
}
EXPECTED_PER_CLASS = {'ab/acc_a': 3 / 4, 'ab/acc_b': 1 / 2, 'cde/acc_c': 2 / 5,
                      'cde/acc_e': 1 / 2}


def labels_and_preds(predictions=None):
    labels, preds = [], []
    for label, ps in (predictions or PREDICTIONS).items():
        labels += [label] * len(ps)
        preds += ps
    return labels, preds


def make_samples(predictions=None, margin: float = 2.0):
    """Data samples as the model emits them: ``pred_score`` (6,) whose argmax is the prediction
    (distinct runner-up scores, so score fusion tests can reuse them), ``gt_label`` (1,) and a
    sample id ``frame_dir``. ``predictions`` defaults to :data:`PREDICTIONS`."""
    samples = []
    for i, (label, pred) in enumerate(zip(*labels_and_preds(predictions))):
        score = torch.linspace(-1, 0, 6)[torch.randperm(6, generator=torch.Generator()
                                                        .manual_seed(i))]
        score[pred] = margin
        samples.append(dict(pred_score=score, gt_label=torch.tensor([label]),
                            frame_dir=f'S{i:03d}'))
    return samples


def write_dump(path, samples):
    """Write samples as ``tools/test.py --dump`` does (a pickled list of dicts)."""
    with open(path, 'wb') as f:
        pickle.dump(list(samples), f)
    return str(path)


def write_group_files(folder):
    """The groups and class names above as the files the tools take: (groups.json, names.txt)."""
    import json
    groups, names = osp.join(folder, 'groups.json'), osp.join(folder, 'classes.txt')
    with open(groups, 'w') as f:
        json.dump({'name': 'toy', 'groups': GROUPS}, f)
    with open(names, 'w') as f:
        f.write('\n'.join(CLASS_NAMES) + '\n')
    return groups, names


def load_tool(name):
    """Import ``tools/analysis/<name>.py`` as a module (to call its ``main`` in-process)."""
    path = osp.join(REPO, 'tools', 'analysis', f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'analysis_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
