"""AmbiguousGroupMetric on hand-built predictions with known answers."""
import json
import logging
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.logging import MMLogger

from mmaction.registry import METRICS
from sfhead_mm.evaluation import AmbiguousGroupMetric
from tests.conftest import REPO
from tests.evaluation.ambiguous_cases import (CLASS_NAMES, EXPECTED, EXPECTED_PER_CLASS, GROUPS,
                                              labels_and_preds, make_samples)


def _evaluate(samples, batch=4, **kwargs):
    cfg = dict(type='AmbiguousGroupMetric', groups=GROUPS, class_names=CLASS_NAMES)
    cfg.update(kwargs)
    metric = METRICS.build(cfg)
    for i in range(0, len(samples), batch):
        metric.process(None, samples[i:i + batch])
    return metric, metric.evaluate(len(samples))


def _strip(metrics):
    return {k[len('ambiguous/'):]: v for k, v in metrics.items()}


def test_every_reported_number_matches_the_hand_computed_one():
    _, metrics = _evaluate(make_samples())
    got = _strip(metrics)
    assert set(got) == set(EXPECTED)  # nothing more: no scalar for the absent class
    for key, value in EXPECTED.items():
        assert got[key] == pytest.approx(value, abs=1e-12), key


def test_per_class_scalars_on_request():
    _, metrics = _evaluate(make_samples(), per_class_scalars=True)
    got = _strip(metrics)
    assert set(got) == set(EXPECTED) | set(EXPECTED_PER_CLASS)
    for key, value in EXPECTED_PER_CLASS.items():
        assert got[key] == pytest.approx(value), key


def test_sample_order_and_batching_do_not_matter():
    samples = make_samples()
    _, reference = _evaluate(samples)
    order = np.random.default_rng(3).permutation(len(samples))
    _, shuffled = _evaluate([samples[i] for i in order], batch=1)
    assert shuffled == pytest.approx(reference)


def test_absent_class_is_reported_as_absent_and_logged(caplog):
    metric, _ = _evaluate(make_samples())
    # the table says "absent" for d, never 0.00
    row = next(line for line in metric.last_table.splitlines() if line.startswith('  d (3)'))
    assert 'absent' in row and '0.00' not in row
    report = metric.last_report
    assert report['per_class']['accuracy'][3] is None
    assert report['per_class']['support'][3] == 0
    assert report['summary']['absent'] == [3]
    assert report['groups']['cde']['accuracy'] == [0.4, None, 0.5]
    # a warning (first time), naming the class
    logger = MMLogger.get_current_instance()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        metric2 = METRICS.build(dict(type='AmbiguousGroupMetric', groups=GROUPS,
                                     class_names=CLASS_NAMES))
        metric2.process(None, make_samples())
        metric2.evaluate(len(make_samples()))
    finally:
        logger.removeHandler(handler)
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert any("'d' (3)" in w and 'absent' in w for w in warnings)


def test_group_whose_members_are_all_absent_has_no_scalar():
    samples = [s for s in make_samples() if int(s['gt_label']) not in (0, 1)]
    _, metrics = _evaluate(samples)
    got = _strip(metrics)
    assert not any(k.startswith('ab/') for k in got)
    assert got['group_mean'] == pytest.approx(EXPECTED['cde/acc'])
    assert got['top1'] == pytest.approx(3 / 7)


def test_json_report_written_atomically_with_the_full_confusion_matrix(tmp_path):
    samples = make_samples()
    metric, metrics = _evaluate(samples, save_json=True, out_dir=str(tmp_path),
                                out_file='report_{stage}.json')
    files = os.listdir(tmp_path)
    assert len(files) == 1 and files[0].startswith('report_') and files[0].endswith('.json')
    with open(tmp_path / files[0]) as f:
        report = json.load(f)
    labels, preds = labels_and_preds()
    expected_cm = np.zeros((6, 6), int)
    for t, p in zip(labels, preds):
        expected_cm[t, p] += 1
    assert np.array_equal(report['confusion_matrix'], expected_cm)
    acc = report['per_class']['accuracy']
    assert acc[3] is None
    assert acc[:3] + acc[4:] == pytest.approx([0.75, 0.5, 0.4, 0.5, 2 / 3])
    assert report['class_names'] == CLASS_NAMES
    assert report['metrics'] == pytest.approx(_strip(metrics))


def test_json_goes_to_the_run_log_folder_by_default(tmp_path):
    log_file = tmp_path / 'run' / 'run.log'
    log_file.parent.mkdir()
    MMLogger.get_instance('ambiguous_json_test', log_file=str(log_file))
    try:
        _evaluate(make_samples(), save_json=True)
    finally:
        logger = MMLogger.get_instance('ambiguous_json_test')
        for h in list(logger.handlers):
            h.close()
            logger.removeHandler(h)
        MMLogger._instance_dict.pop('ambiguous_json_test', None)
    written = [f for f in os.listdir(log_file.parent) if f.endswith('.json')]
    assert written, os.listdir(log_file.parent)


def test_difficulty_levels_from_a_reference_report(tmp_path):
    # reference per-class accuracy: a 0.6 (hard), b 0.7 (medium), c 0.9 (medium),
    # d absent (no level), e 0.95 (easy), f 0.5 (hard)
    ref_cm = np.zeros((6, 6), int)
    for c, (right, n) in {0: (6, 10), 1: (7, 10), 2: (9, 10), 4: (19, 20), 5: (1, 2)}.items():
        ref_cm[c, c] = right
        ref_cm[c, (c + 1) % 6] = n - right
    ref = tmp_path / 'ref.json'
    ref.write_text(json.dumps({'confusion_matrix': ref_cm.tolist()}))
    metric, metrics = _evaluate(make_samples(), difficulty_reference=str(ref))
    got = _strip(metrics)
    # this model: a 3/4, b 1/2, c 2/5, e 1/2, f 2/3
    assert got['difficulty/hard'] == pytest.approx((3 / 4 + 2 / 3) / 2)
    assert got['difficulty/medium'] == pytest.approx((1 / 2 + 2 / 5) / 2)
    assert got['difficulty/easy'] == pytest.approx(1 / 2)
    levels = metric.last_report['difficulty']['levels']
    assert levels['hard']['classes'] == [0, 5]
    assert levels['medium']['classes'] == [1, 2]
    assert levels['easy']['classes'] == [4]


def test_data_driven_groups_from_the_evaluated_results():
    metric, metrics = _evaluate(make_samples(), data_driven=dict(anchors=['c', 0], k=2))
    groups = metric.last_report['data_driven']['groups']
    # c's samples went to d, e, f once each: ties -> lower index first; a's went to b only
    assert [g['classes'] for g in groups] == [[2, 3, 4], [0, 1]]
    assert groups[0]['mean_acc'] == pytest.approx((0.4 + 0.5) / 2)  # d absent
    assert groups[1]['mean_acc'] == pytest.approx(0.625)
    assert _strip(metrics)['data_driven/group_mean'] == pytest.approx((0.45 + 0.625) / 2)


def test_data_driven_groups_all_anchors_from_a_reference(tmp_path):
    ref_cm = np.eye(6, dtype=int) * 5
    ref_cm[1, 4] = 3
    ref_cm[1, 2] = 1
    ref = tmp_path / 'ref.json'
    ref.write_text(json.dumps({'confusion_matrix': ref_cm.tolist()}))
    metric, _ = _evaluate(make_samples(), data_driven=dict(anchors='all', k=3,
                                                           reference=str(ref)))
    groups = {g['anchor']: g['classes'] for g in metric.last_report['data_driven']['groups']}
    assert groups[1] == [1, 4, 2]  # most confused first
    assert groups[0] == [0]  # never confused in the reference
    assert sorted(groups) == list(range(6))


def test_builds_from_the_synthetic_config_next_to_accmetric():
    cfg = Config.fromfile(os.path.join(REPO, 'configs', 'synthetic', 'stgcn_synthetic.py'))
    for key in ('val_evaluator', 'test_evaluator'):
        types = [m['type'] for m in cfg[key]]
        assert types[0] == 'AccMetric' and 'AmbiguousGroupMetric' in types, key
    evaluator = Evaluator(cfg.val_evaluator)
    samples = []
    for s in make_samples():  # the synthetic set has 8 classes
        samples.append(dict(pred_score=torch.cat([s['pred_score'], torch.full((2,), -5.)]),
                            gt_label=s['gt_label']))
    evaluator.process(samples)
    metrics = evaluator.evaluate(len(samples))
    assert list(metrics)[0].startswith('acc/')  # save_best='auto' still picks AccMetric
    assert metrics['ambiguous/raise_hand_to_head/acc'] == pytest.approx(EXPECTED['ab/acc'])
    assert metrics['ambiguous/hands_together/acc'] == pytest.approx(0.4)  # 3 absent
    assert metrics['ambiguous/sit_stand/acc'] == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert not any(k.startswith('ambiguous/two_person_contact/') for k in metrics)


def test_anchor_names_from_a_builtin_class_list():
    metric = METRICS.build(dict(type='AmbiguousGroupMetric', groups='nwucla_lookalike',
                                data_driven=dict(anchors=['sit down', 'throw'], k=2)))
    assert metric._anchor_labels() == [4, 8]
    with pytest.raises(ValueError, match="unknown class 'swim'"):
        METRICS.build(dict(type='AmbiguousGroupMetric', groups='nwucla_lookalike',
                           data_driven=dict(anchors=['swim'])))


def test_reported_groups_reads_the_group_names_back_from_its_scalars():
    """The tools (demo, paired_seeds, fuse_scores --study) read a run's groups from its metrics
    this one way: ``ambiguous/<group>/acc``, in their order, nothing else."""
    metrics = {'acc/top1': 0.9, 'ambiguous/top1': 0.8, 'ambiguous/confusion': 0.1,
               'ambiguous/sit_stand/acc': 0.7, 'ambiguous/sit_stand/confusion': 0.2,
               'ambiguous/sit_stand/acc_sit_down': 0.6, 'ambiguous/don_doff/acc': 0.9,
               'other/x/acc': 0.5}
    assert AmbiguousGroupMetric.reported_groups(metrics) == ['sit_stand', 'don_doff']
