"""Layout consistency checks: the three silent cases of issue 20 each give a warning or error."""
import os.path as osp

import pytest
from mmengine.config import Config

from sfhead_mm.datasets.layout_checks import (check_layout_consistency, config_layout_issues,
                                              group_issues, unused_pipeline_issues)
from sfhead_mm.skeleton import get_layout
from sfhead_mm.skeleton.fit import layout_fit_warning, layout_scores, rank_layouts
from tests.conftest import REPO, require_data, run
from tests.skeleton.byod_data import BYOD_LAYOUT, CLASSES, write_byod

NWUCLA_CFG = osp.join(REPO, 'configs', 'ctrgcn', 'ctrgcn_nwucla_cpu.py')


@pytest.fixture(scope='module')
def byod(tmp_path_factory):
    return write_byod(str(tmp_path_factory.mktemp('byod') / 'byod.pkl'))


def _keypoints(path):
    from sfhead_mm.formats.annotation import read_annotation_file
    return [a['keypoint'] for a in read_annotation_file(path)['annotations']]


def _point_at(cfg, ann_file, num_classes):
    cfg.train_dataloader.dataset.dataset.ann_file = ann_file
    cfg.val_dataloader.dataset.ann_file = ann_file
    cfg.test_dataloader.dataset.ann_file = ann_file
    cfg.model.cls_head.num_classes = num_classes


def test_fit_tells_the_right_joint_order(byod):
    kps = _keypoints(byod)
    right, wrong = (layout_scores(kps[0], BYOD_LAYOUT), layout_scores(kps[0], 'nw-ucla'))
    assert right[0] < 0.45 < 0.8 < wrong[0] and right[1] < wrong[1]
    assert layout_fit_warning(kps, BYOD_LAYOUT) is None
    # Without the right layout registered, NW-UCLA's bones join arbitrary joints of this data.
    assert "does not look like layout 'nw-ucla'" in layout_fit_warning(
        kps, 'nw-ucla', candidates=['nw-ucla'])
    get_layout(BYOD_LAYOUT)  # registered (a config using the dict does this): named as better
    assert rank_layouts(kps, 'nw-ucla')[0].layout == BYOD_LAYOUT['name']
    assert f"fits layout {BYOD_LAYOUT['name']!r} better than the declared 'nw-ucla'" in \
        layout_fit_warning(kps, 'nw-ucla')


def test_real_recordings_fit_their_layouts(shared_data):
    import glob
    from sfhead_mm.apis import read_skeleton_file
    root = require_data(shared_data, 'ntu-rgbd-samples')
    kps = [read_skeleton_file(f)[0].keypoint for f in sorted(glob.glob(f'{root}/*.skeleton'))]
    assert rank_layouts(kps, 'nturgb+d')[0].layout == 'nturgb+d'
    assert layout_fit_warning(kps, 'nturgb+d') is None


def test_silent_case_a_nwucla_config_over_other_20_joint_data(byod):
    """An NW-UCLA config pointed at data with another 20-joint order: a warning (data) and an
    error (the NW-UCLA look-alike groups over a 3-class model)."""
    cfg = Config.fromfile(NWUCLA_CFG)
    _point_at(cfg, byod, len(CLASSES))
    issues = check_layout_consistency(cfg, read_samples=8)
    text = '\n'.join(issues)
    assert any(i.level == 'warning' and ("not look like layout 'nw-ucla'" in i or
                                         "better than the declared 'nw-ucla'" in i)
               for i in issues), text
    assert any(i.level == 'error' and 'nwucla_lookalike' in i and '10 classes' in i
               for i in issues), text
    # The same with the right class count but other class names declared: still an error.
    cfg.model.cls_head.num_classes = 10
    cfg.class_names = [f'msr action {i}' for i in range(10)]
    errors = [i for i in group_issues(cfg) if i.level == 'error']
    assert errors and 'names other classes than this dataset' in errors[0]


def test_silent_case_b_pipelines_not_reaching_a_dataloader(tmp_path):
    """The docs/layouts.md mistake: new pipelines defined, the base's still in the loaders."""
    path = tmp_path / 'cfg.py'
    path.write_text(
        "_base_ = 'mmaction::skeleton/stgcn/"
        "stgcn_8xb16-joint-u100-80e_ntu120-xsub-keypoint-3d.py'\n"
        "train_pipeline = [dict(type='PreNormalize3D'), dict(type='GenSkeFeat', "
        "dataset='nturgb+d', feats=['b']), dict(type='UniformSampleFrames', clip_len=50), "
        "dict(type='PoseDecode'), dict(type='FormatGCNInput', num_person=2), "
        "dict(type='PackActionInputs')]\n")
    issues = unused_pipeline_issues(Config.fromfile(str(path)))
    assert len(issues) == 1 and issues[0].startswith('warning: train_pipeline is defined')
    assert 'train_dataloader' in issues[0]
    # Assigned: nothing to report (the stock config's own pipelines all reach a loader).
    cfg = Config.fromfile(str(path))
    cfg.train_dataloader.dataset.dataset.pipeline = cfg.train_pipeline
    assert unused_pipeline_issues(cfg) == []


def test_pipeline_and_graph_layouts_disagree():
    cfg = Config.fromfile(NWUCLA_CFG)
    cfg.model.backbone.graph_cfg.layout = 'nturgb+d'
    issues = config_layout_issues(cfg)
    assert issues and issues[0].level == 'error' and "'nw-ucla'" in issues[0]
    assert "'nturgb+d'" in issues[0]


def test_checkpoint_trained_with_another_layout_or_classes():
    cfg = Config.fromfile(NWUCLA_CFG)
    meta = dict(cfg=Config.fromfile(NWUCLA_CFG).pretty_text,
                dataset_meta=dict(classes=[f'c{i}' for i in range(10)]))
    assert check_layout_consistency(cfg, checkpoint=dict(meta=meta)) == []
    cfg.model.backbone.graph_cfg.layout = BYOD_LAYOUT
    for step in cfg.test_dataloader.dataset.pipeline:
        for key in ('layout', 'dataset'):
            if key in step:
                step[key] = BYOD_LAYOUT
    cfg.class_names = [f'd{i}' for i in range(10)]
    issues = check_layout_consistency(cfg, checkpoint=meta)
    assert any(i.level == 'error' and "trained with layout 'nw-ucla'" in i for i in issues)
    assert any(i.level == 'warning' and 'trained on classes' in i for i in issues)


def test_silent_case_c_visualize_without_config_says_which_layout(byod, tmp_path, python):
    """A fresh process knows only the built-in 20-joint layout (NW-UCLA): it says it assumed it,
    how to choose another, and that the file does not fit it."""
    out = tmp_path / 'x.png'
    proc = run([python, osp.join(REPO, 'tools', 'visualize_skeleton.py'), byod, '--out',
                str(out), '--num-frames', '2'], env={'OMP_NUM_THREADS': '1'})
    assert "assumed layout 'nw-ucla', the only registered layout with 20 joints" in proc.stderr
    assert '--layout NAME or --config CONFIG' in proc.stderr
    assert "warning: " in proc.stderr and "does not look like layout 'nw-ucla'" in proc.stderr
    assert out.exists()


def test_check_data_reports_the_layout_and_the_groups(byod, capsys):
    """tools/check_data.py on the NW-UCLA config over other 20-joint data: no longer 'OK'."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('check_data_byod',
                                                  osp.join(REPO, 'tools', 'check_data.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    code = tool.main([NWUCLA_CFG, '--no-pipeline', '--cfg-options',
                      f'train_dataloader.dataset.dataset.ann_file={byod}',
                      f'val_dataloader.dataset.ann_file={byod}',
                      f'test_dataloader.dataset.ann_file={byod}',
                      'model.cls_head.num_classes=3'])
    out = capsys.readouterr().out
    assert code == 1
    assert "warning: the data" in out and "'nw-ucla'" in out
    assert 'error: val_evaluator AmbiguousGroupMetric' in out
