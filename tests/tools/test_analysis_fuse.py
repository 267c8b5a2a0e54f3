"""tools/analysis/fuse_scores.py: streams joined by sample id, CTR-GCN weights, group report."""
import json
import os.path as osp
import pickle
import re

import numpy as np
import pytest
import torch

from sfhead_mm.evaluation.result_files import load_results, save_scores
from sfhead_mm.evaluation.score_fusion import default_weights
from tests.conftest import REPO, run
from tests.evaluation.ambiguous_cases import (EXPECTED, load_tool, make_samples, write_dump,
                                              write_group_files)


def _stream(samples, seed, shuffle=True, scale=1.0):
    """Another stream of the same samples: its own scores, in another order."""
    gen = torch.Generator().manual_seed(seed)
    out = [dict(s, pred_score=scale * torch.randn(6, generator=gen)) for s in samples]
    if shuffle:
        out = [out[i] for i in torch.randperm(len(out), generator=gen).tolist()]
    return out


def _by_id(samples):
    return {s['frame_dir']: s['pred_score'].double().numpy() for s in samples}


def test_default_weights_are_ctrgcns():
    assert default_weights(['joint', 'bone', 'joint_motion', 'bone_motion']) == \
        [0.6, 0.6, 0.4, 0.4]
    assert default_weights(['joint', 'bone', 'joint_motion']) == [0.6, 0.6, 0.4]
    assert default_weights(['joint', 'bone']) == [1.0, 1.0]


def test_four_streams_in_different_orders_fuse_by_id(tmp_path, capsys):
    joint = make_samples()
    streams = [joint, _stream(joint, 1), _stream(joint, 2), _stream(joint, 3)]
    paths = [write_dump(tmp_path / f'{n}.pkl', s) for n, s in
             zip(('j', 'b', 'jm', 'bm'), streams)]
    bone = load_results(paths[1])  # one stream as a score file: the formats mix
    paths[1] = save_scores(str(tmp_path / 'b.json'), bone.scores, bone.labels, bone.ids)
    groups, names = write_group_files(tmp_path)
    out, report = tmp_path / 'fused.pkl', tmp_path / 'fused.json'
    args = ['--joint', paths[0], '--bone', paths[1], '--joint-motion', paths[2],
            '--bone-motion', paths[3], '--groups', groups, '--class-names', names]
    load_tool('fuse_scores').main(args + ['--out', str(out), '--report', str(report)])
    printed = capsys.readouterr().out
    with open(out, 'rb') as f:
        fused = pickle.load(f)
    # --out as a score file: the same fused scores, exactly
    load_tool('fuse_scores').main(args + ['--out', str(tmp_path / 'fused_scores.json')])
    as_json = load_results(str(tmp_path / 'fused_scores.json'))
    assert as_json.ids == [r['frame_dir'] for r in fused]
    assert np.array_equal(as_json.scores, np.stack([r['pred_score'].numpy() for r in fused]))
    with pytest.raises(SystemExit):
        load_tool('fuse_scores').main(args + ['--out', str(tmp_path / 'fused.txt')])
    maps = [_by_id(s) for s in streams]
    expected = {}
    for s in joint:
        sid = s['frame_dir']
        expected[sid] = sum(w * m[sid] for w, m in zip((0.6, 0.6, 0.4, 0.4), maps))
    assert [r['frame_dir'] for r in fused] == [s['frame_dir'] for s in joint]
    for r in fused:
        np.testing.assert_allclose(r['pred_score'].numpy(), expected[r['frame_dir']],
                                   rtol=1e-6)
    labels = np.array([int(s['gt_label']) for s in joint])
    top1 = np.mean([np.argmax(expected[s['frame_dir']]) == int(s['gt_label']) for s in joint])
    assert float(re.search(r'fused top-1\s+([\d.]+) %', printed).group(1)) == \
        pytest.approx(100 * top1, abs=0.006)
    rep = json.loads(report.read_text())
    assert rep['fusion']['weights'] == [0.6, 0.6, 0.4, 0.4]
    assert rep['fusion']['top1'] == pytest.approx(top1)
    assert np.trace(rep['confusion_matrix']) == round(top1 * len(labels))
    assert 'AmbiguousGroupMetric' in printed  # the group report of the fused scores


def test_fusion_rescues_predictions_only_when_joined_by_id(tmp_path, capsys):
    joint = make_samples()
    # a confident, always-right second stream, written in another order
    bone = [dict(s, pred_score=3.5 * torch.nn.functional.one_hot(s['gt_label'][0], 6).float())
            for s in reversed(joint)]
    j, b = write_dump(tmp_path / 'j.pkl', joint), write_dump(tmp_path / 'b.pkl', bone)
    groups, names = write_group_files(tmp_path)
    report = tmp_path / 'r.json'
    load_tool('fuse_scores').main(['--joint', j, '--bone', b, '--groups', groups,
                                   '--class-names', names, '--report', str(report)])
    rep = json.loads(report.read_text())
    assert rep['fusion']['top1'] == 1.0
    assert rep['metrics']['group_mean'] == 1.0 and rep['metrics']['confusion'] == 0.0
    # the joint stream alone is the hand-built case
    capsys.readouterr()
    load_tool('fuse_scores').main(['--joint', j, '--bone', j, '--groups', groups,
                                   '--class-names', names, '--report', str(report)])
    assert json.loads(report.read_text())['metrics']['top1'] == pytest.approx(EXPECTED['top1'])
    # joined by position, the reversed file would pair the wrong samples: refused
    with pytest.raises(SystemExit, match='not in the same order'):
        load_tool('fuse_scores').main(['--joint', j, '--bone', b, '--groups', groups,
                                       '--class-names', names, '--join-by-position'])


@pytest.mark.parametrize('edit, message', [
    (lambda s: s[:-1], r"missing \(e.g. \['S015'\]\)"),
    (lambda s: s + [s[0]], "lists sample 'S000' twice"),
    (lambda s: [dict(x, gt_label=torch.tensor([5])) if x['frame_dir'] == 'S002' else x
                for x in s], "sample 'S002' has label 5"),
    (lambda s: [{k: v for k, v in x.items() if k != 'frame_dir'} for x in s],
     'no sample ids.*--join-by-position'),
])
def test_mismatched_streams_are_refused_with_the_sample_named(tmp_path, edit, message):
    joint = make_samples()
    j = write_dump(tmp_path / 'j.pkl', joint)
    b = write_dump(tmp_path / 'b.pkl', edit(_stream(joint, 1, shuffle=False)))
    with pytest.raises(SystemExit, match=message):
        load_tool('fuse_scores').main(['--joint', j, '--bone', b, '--groups', 'synthetic'])


@pytest.mark.slow  # a fresh interpreter imports the whole stack (~10 s on 2 cores)
def test_command_line(python, tmp_path):
    joint = make_samples()
    j = write_dump(tmp_path / 'j.pkl', joint)
    b = write_dump(tmp_path / 'b.pkl', _stream(joint, 1))
    groups, names = write_group_files(tmp_path)
    proc = run([python, osp.join(REPO, 'tools', 'analysis', 'fuse_scores.py'), '--joint', j,
                '--bone', b, '--weights', '1', '0', '--groups', groups, '--class-names', names])
    # bone weighted 0: the fused scores are the joint stream's, 9 of 16 right
    assert re.search(r'fused top-1\s+56.25 %', proc.stdout), proc.stdout
    assert '16 samples joined by sample id' in proc.stdout
