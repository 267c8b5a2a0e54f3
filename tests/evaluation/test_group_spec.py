"""Group definitions: the built-in sets (checked against their sources) and user-defined ones."""
import glob
import json
import os.path as osp

import pytest
import torch
from mmengine.evaluator import Evaluator

from mmaction.registry import METRICS
from sfhead_mm.datasets import synthetic
from sfhead_mm.evaluation.group_spec import (builtin_files, load_class_names, resolve_groups)
from tests.conftest import require_data

# The paper's Fig. 3 groups as NTU action ids (sf-head-spec.md), in the paper's order.
PAPER_GROUPS = [(12, 30, 29, 11), (27, 26), (10, 34, 5), (15, 14), (36, 35), (9, 8),
                (38, 32, 4, 23), (17, 16), (18, 19)]


def _raw(name):
    with open(builtin_files()[name]) as f:
        return json.load(f)


def test_builtin_names_and_aliases():
    names = builtin_files()
    for name in ('ntu120_sfhead9', 'ntu60_sfhead9', 'nwucla_lookalike', 'synthetic'):
        assert name in names
    assert names['ntu60_sfhead9'] == names['ntu120_sfhead9']


def test_ntu_groups_are_the_papers_nine_with_label_id_minus_one():
    gs = resolve_groups('ntu120_sfhead9')
    assert [g.classes for g in gs.groups] == [tuple(a - 1 for a in ids) for ids in PAPER_GROUPS]
    assert len(gs.classes) == 23 and max(gs.classes) < 60  # NTU-60 classes too
    for members in _raw('ntu120_sfhead9')['groups'].values():
        for m in members:
            assert m['label'] == int(m['action'][1:]) - 1, m
    assert gs.display_name(11) == 'writing'


def test_nwucla_groups_match_the_dataset_files(shared_data):
    root = require_data(shared_data, 'nw-ucla', 'all_sqe')
    raw = _raw('nwucla_lookalike')
    action_to_label = {m['action']: m['label'] for ms in raw['groups'].values() for m in ms}
    seen = set()
    for path in glob.glob(osp.join(root, '*.json')):
        action = osp.basename(path)[:3]
        if action in action_to_label and action not in seen:
            with open(path) as f:
                label = json.load(f)['label'] - 1  # json labels are 1..10
            assert label == action_to_label[action], path
            seen.add(action)
    assert seen == set(action_to_label)
    names = raw['class_names']
    for ms in raw['groups'].values():
        for m in ms:
            assert names[m['label']] == m['name']
    gs = resolve_groups('nwucla_lookalike')
    pairs = {tuple(names[c] for c in g.classes) for g in gs.groups}
    assert ('pick up with one hand', 'pick up with two hands') in pairs
    assert ('sit down', 'stand up') in pairs and ('donning', 'doffing') in pairs
    assert ('drop trash', 'throw', 'carry') in pairs


def test_synthetic_groups_file_matches_the_generator():
    gs = resolve_groups('synthetic')
    assert [g.classes for g in gs.groups] == [tuple(v) for v in synthetic.GROUPS.values()]
    assert [gs.display_name(i) for i in range(8)] == list(synthetic.CLASSES)


def test_user_groups_by_name_and_index_from_a_class_file(tmp_path):
    names = tmp_path / 'classes.txt'
    names.write_text('walk\nrun\njog\nsit\n')
    gs = resolve_groups({'Walk / Run': ['walk', 'Run '], 'x': [2, 'sit']}, str(names))
    assert [(g.name, g.classes) for g in gs.groups] == [('walk_run', (0, 1)), ('x', (2, 3))]
    gs = resolve_groups([[0, 1], [2, 3]])
    assert [g.name for g in gs.groups] == ['group1', 'group2']


@pytest.mark.parametrize('groups, names, message', [
    ({'g': ['walk', 'swim']}, ['walk', 'run'], "unknown class 'swim'"),
    ({'g': ['walk', 'runn']}, ['walk', 'run'], "did you mean 'run'"),
    ({'g': [0, 5]}, ['walk', 'run'], 'class index 5 is out of range'),
    ({'g': [0, 0]}, None, 'lists class 0 twice'),
    ({'g': [0]}, None, 'at least two'),
    ({'g': ['walk', 'run']}, None, 'no class names are known'),
    ({'a b': [0, 1], 'a_b': [1, 2]}, None, "both become the key 'a_b'"),
    ('no_such_groups', None, 'neither a built-in group set'),
])
def test_bad_groups_are_named(groups, names, message):
    with pytest.raises(ValueError, match=message):
        resolve_groups(groups, names)


def test_class_file_with_a_hole_is_refused(tmp_path):
    path = tmp_path / 'classes.txt'
    path.write_text('walk\n\nrun\n')
    with pytest.raises(ValueError, match='line 2 is empty'):
        load_class_names(str(path))


def test_group_file_path(tmp_path):
    path = tmp_path / 'mine.json'
    path.write_text(json.dumps({'name': 'mine', 'class_names': ['p', 'q', 'r'],
                                'groups': {'pq': ['p', 'q']}}))
    gs = resolve_groups(str(path))
    assert gs.name == 'mine' and gs.groups[0].classes == (0, 1)


def test_group_beyond_the_predicted_classes_is_named():
    metric = METRICS.build(dict(type='AmbiguousGroupMetric', groups='ntu120_sfhead9'))
    metric.process(None, [dict(pred_score=torch.zeros(30), gt_label=torch.tensor([0]))])
    with pytest.raises(ValueError, match=r"jacket_off_on.*class index \d+.*30 classes|"
                                         r"class index \d+ .*only 30 classes"):
        metric.evaluate(1)


def test_names_can_come_from_the_dataset_metainfo():
    evaluator = Evaluator([dict(type='AmbiguousGroupMetric', groups={'wr': ['walk', 'run']})])
    evaluator.dataset_meta = dict(classes=['walk', 'run', 'sit'])
    evaluator.process([dict(pred_score=torch.tensor([0., 1., 0.]), gt_label=torch.tensor([1])),
                       dict(pred_score=torch.tensor([0., 1., 0.]), gt_label=torch.tensor([0]))])
    metrics = evaluator.evaluate(2)
    assert metrics['ambiguous/wr/acc'] == pytest.approx(0.5)
    assert metrics['ambiguous/wr/confusion'] == pytest.approx(0.5)
