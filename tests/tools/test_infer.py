"""tools/infer.py: the same predictions as tools/test.py, every input format, readable failures."""
import glob
import json
import os.path as osp
import pickle
import subprocess

import numpy as np
import pytest

from tests.apis.helpers import layout_model, small_synthetic, trained_sfhead
from tests.conftest import REPO, require_data, run

TOOLS = osp.join(REPO, 'tools')
MMPOSE = osp.join(REPO, 'tests', 'fixtures', 'mmpose')


def infer_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location('tool_infer', osp.join(TOOLS, 'infer.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _predictions(path):
    with open(path) as f:
        return json.load(f)['predictions']


@pytest.fixture(scope='module')
def ntu_model(tmp_path_factory):
    return trained_sfhead(tmp_path_factory, 'auxiliary')


def test_infer_equals_test_py(ntu_model, tmp_path, python, tmp_path_factory):
    config, ckpt = ntu_model
    ann = small_synthetic(tmp_path_factory)
    dump = tmp_path / 'test.pkl'
    run([python, osp.join(TOOLS, 'test.py'), config, ckpt, '--work-dir', str(tmp_path / 't'),
         '--dump', str(dump)])
    out = tmp_path / 'infer.json'
    rc = infer_tool().main([config, ckpt, ann, '--split', 'val', '--out-json', str(out),
                            '--quiet'])
    assert rc == 0
    with open(dump, 'rb') as f:
        tested = {r['frame_dir']: r for r in pickle.load(f)}
    inferred = {p['name']: p for p in _predictions(out)}
    assert len(tested) == 16 and set(inferred) == set(tested)
    for name, result in tested.items():
        scores = result['pred_score'].numpy()
        np.testing.assert_allclose(inferred[name]['scores'], scores, rtol=0, atol=1e-6)
        assert inferred[name]['pred_label'] == int(result['pred_label'])
        assert inferred[name]['label'] == int(result['gt_label'])


def test_real_files_of_every_format(ntu_model, tmp_path, tmp_path_factory, shared_data):
    ntu_dir = require_data(shared_data, 'ntu-rgbd-samples')
    config, ckpt = ntu_model
    inputs = sorted(glob.glob(osp.join(ntu_dir, '*.skeleton')))[:2] + [
        osp.join(ntu_dir, 'S001C001P001R001A012.skeleton.npy'),
        require_data(shared_data, 'other-samples', 'example_NTU-RGB-D_sketeton.npy')]
    out = tmp_path / 'ntu.json'
    tool = infer_tool()
    assert tool.main([config, ckpt, *inputs, '--label-map', 'synthetic', '--topk', '3',
                      '--out-json', str(out), '--quiet']) == 0
    preds = _predictions(out)
    assert [p['name'] for p in preds] == [
        osp.basename(inputs[0])[:-9], osp.basename(inputs[1])[:-9], 'S001C001P001R001A012',
        'example_NTU-RGB-D_sketeton']
    from sfhead_mm.datasets.synthetic import CLASSES
    for p in preds:
        assert len(p['topk']) == 3 and p['pred_name'] in CLASSES
        assert sum(p['scores']) == pytest.approx(1.0, abs=1e-4)
    assert preds[-1]['frames'] == 72  # the padded (3, 300, 25, 2) array, padding removed

    # NW-UCLA json with a 20-joint model; COCO-17 2D pickle and MMPose json with a 2D model.
    ucla_cfg, ucla_ckpt = layout_model(tmp_path_factory, 'nwucla')
    ucla = require_data(shared_data, 'nw-ucla', 'all_sqe', 'a01_s01_e00_v01.json')
    assert tool.main([ucla_cfg, ucla_ckpt, ucla, '--label-map', 'nwucla', '--out-json',
                      str(out), '--quiet']) == 0
    pred, = _predictions(out)
    assert pred['name'] == 'a01_s01_e00_v01' and pred['frames'] == 44 and len(pred['scores']) == 10
    coco_cfg, coco_ckpt = layout_model(tmp_path_factory, 'coco')
    ucf = require_data(shared_data, 'other-samples', 'example_UCF101_skeleton.pkl')
    assert tool.main([coco_cfg, coco_ckpt, ucf, osp.join(MMPOSE, 'instance_info_two_persons.json'),
                      osp.join(MMPOSE, 'frames_with_triples.json'), '--out-json', str(out),
                      '--quiet']) == 0
    preds = _predictions(out)
    assert [p['frames'] for p in preds] == [163, 5, 4]
    assert preds[0]['pred_name'] == f'class {preds[0]["pred_label"]}'  # no names known


def test_corrupt_input_gives_one_line_and_a_nonzero_exit(ntu_model, tmp_path, python,
                                                         shared_data):
    config, ckpt = ntu_model
    good = require_data(shared_data, 'ntu-rgbd-samples', 'S002C001P003R001A003.skeleton')
    with open(good) as f:
        lines = f.read().splitlines()
    bad = tmp_path / 'S001C001P001R001A001.skeleton'
    bad.write_text('\n'.join(lines[:100]) + '\n')
    proc = subprocess.run([python, osp.join(TOOLS, 'infer.py'), config, ckpt, str(bad), good,
                           '--out-json', str(tmp_path / 'p.json')],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith('error:')]
    assert len(errors) == 1 and errors[0].startswith(f'error: {bad}:')
    assert errors[0].split(':')[2].strip().isdigit()  # file:line: message
    assert 'Traceback' not in proc.stderr
    assert 'S002C001P003R001A003' in proc.stdout  # the good file is still predicted
    data = json.load(open(tmp_path / 'p.json'))
    assert len(data['predictions']) == 1 and data['errors'][0]['input'] == str(bad)


def test_unknown_checkpoint_or_wrong_layout_is_named(ntu_model, tmp_path, shared_data, capsys):
    config, ckpt = ntu_model
    tool = infer_tool()
    assert tool.main([config, str(tmp_path / 'missing.pth'), 'x.npy']) == 2
    assert 'missing.pth' in capsys.readouterr().err
    ucla = require_data(shared_data, 'nw-ucla', 'all_sqe', 'a01_s01_e00_v01.json')
    assert tool.main([config, ckpt, ucla]) == 1
    err = capsys.readouterr().err
    assert "20 joints per person, but the model's layout 'nturgb+d' has 25" in err


def test_bad_inputs_are_one_line_each_and_the_rest_is_predicted(ntu_model, tmp_path, python,
                                                                shared_data):
    """An empty .npy, a NaN array, a folder: one line each; good inputs predicted; json written."""
    config, ckpt = ntu_model
    good = require_data(shared_data, 'ntu-rgbd-samples', 'S002C001P003R001A003.skeleton')
    empty = tmp_path / 'empty.npy'
    empty.write_bytes(b'')
    nan = tmp_path / 'nan.npy'
    np.save(nan, np.full((1, 4, 25, 3), np.nan, dtype=np.float32))
    folder = tmp_path / 'clips'
    folder.mkdir()
    arr = np.random.default_rng(0).normal(size=(1, 30, 25, 3)).astype(np.float32)
    np.save(folder / 'b.npy', arr)
    np.save(folder / 'a.npy', arr)
    (folder / 'notes.txt').write_text('not an input')
    empty_folder = tmp_path / 'nothing'
    empty_folder.mkdir()
    out = tmp_path / 'p.json'
    proc = subprocess.run([python, osp.join(TOOLS, 'infer.py'), config, ckpt, str(empty), good,
                           str(nan), str(folder), str(empty_folder), '--out-json', str(out),
                           '--quiet'], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert 'Traceback' not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith('error:')]
    assert len(errors) == 3, proc.stderr
    assert errors[0] == f'error: {empty_folder}: is a directory with no .skeleton / ' \
                        f'.skeleton.npy / .npy / .pkl / .pickle / .json file in it'
    assert errors[1].startswith(f'error: {empty}: ') and 'empty' in errors[1]
    assert errors[2].startswith(f'error: {nan}: ') and 'NaN' in errors[2]
    assert '3 of 6 input(s) failed' in proc.stderr
    data = json.load(open(out))
    assert [p['name'] for p in data['predictions']] == ['S002C001P003R001A003', 'a', 'b']
    assert [e['input'] for e in data['errors']] == [str(empty_folder), str(empty), str(nan)]


def test_bad_checkpoints_give_one_line_and_exit_2(ntu_model, tmp_path, python):
    config, ckpt = ntu_model
    with open(ckpt, 'rb') as f:
        head = f.read(4000)
    truncated = tmp_path / 'truncated.pth'
    truncated.write_bytes(head)
    foreign = tmp_path / 'foreign.pth'
    foreign.write_text('{"weights": []}')
    for bad, words in ((truncated, 'checkpoint'), (foreign, 'not a checkpoint'),
                       (tmp_path, 'is a directory')):
        proc = subprocess.run([python, osp.join(TOOLS, 'infer.py'), config, str(bad), 'x.npy'],
                              cwd=REPO, capture_output=True, text=True)
        assert proc.returncode == 2, proc.stderr
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()
                 and 'Warning' not in ln and 'warnings.warn' not in ln]
        assert len(lines) == 1 and lines[0].startswith(f'error: {bad}'), proc.stderr
        assert words in lines[0] and 'Traceback' not in proc.stderr
