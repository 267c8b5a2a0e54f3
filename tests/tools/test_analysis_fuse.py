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


ARCHIVE = osp.join(REPO, 'docs', 'benchmarks', 'nwucla_cpu2h')
BASE, SFHEAD = 'ctrgcn_nwucla_cpu2h', 'ctrgcn_sfhead_nwucla_cpu2h'


def _study(tmp_path, runs, metrics_only=()):
    """A study folder of archived real NW-UCLA runs: {name: {seed: (archived name, seed)}};
    the (name, seed) runs in ``metrics_only`` get no score file, as runs archived before score
    files existed."""
    from sfhead_mm.evaluation.study import add_run, read_summary
    archived = read_summary(ARCHIVE)
    root = tmp_path / 'study'
    for name, seeds in runs.items():
        for seed, (source, src_seed) in seeds.items():
            src = osp.join(ARCHIVE, source, f'seed{src_seed}')
            dst = root / name / f'seed{seed}'
            dst.mkdir(parents=True)
            metrics = archived[source][str(src_seed)]
            if (name, seed) not in metrics_only and osp.exists(osp.join(src, 'scores.json')):
                with open(osp.join(src, 'scores.json')) as f:
                    (dst / 'scores.json').write_text(f.read())
            add_run(str(root), name, seed, metrics)
    return root


def test_study_fusion_gives_the_configs_metrics_and_pairs_like_a_trained_run(tmp_path, capsys):
    """--study on real NW-UCLA runs (the archive of docs/results.md): a run fused with itself
    has the metrics its test computed, key for key; a real fusion is argmax(j + b) and a run
    of the study for paired_seeds."""
    root = _study(tmp_path, {'j': {1: (SFHEAD, 1), 2: (SFHEAD, 2)},
                             'b': {1: (SFHEAD, 1), 2: (SFHEAD, 2)},
                             'base': {1: (BASE, 1), 2: (BASE, 2)}})
    fuse = load_tool('fuse_scores').main
    assert fuse(['--study', str(root), '--name', 'self', '--joint', 'j', '--bone', 'b',
                 '--groups', 'nwucla_lookalike']) == 0
    summary = json.loads((root / 'summary.json').read_text())
    for seed in ('1', '2'):
        tested = {k: v for k, v in summary['j'][seed].items()
                  if k.startswith(('acc/', 'ambiguous/'))}
        fused = summary['self'][seed]
        assert fused['fusion'] == dict(streams=dict(joint='j', bone='b'), weights=[1.0, 1.0],
                                       softmax=False)
        assert {k: fused[k] for k in tested} == pytest.approx(tested, abs=1e-12)
        assert json.loads((root / 'self' / f'seed{seed}' / 'metrics.json').read_text()) == fused
    # baseline + SF-Head, weights 1 and 2: the argmax of the weighted sum, clip by clip
    capsys.readouterr()
    fuse(['--study', str(root), '--name', 'mix', '--joint', 'base', '--bone', 'j',
          '--weights', '1', '2', '--groups', 'nwucla_lookalike', '--seeds', '2'])
    printed = capsys.readouterr().out
    a, b = (load_results(str(root / n / 'seed2' / 'scores.json')) for n in ('base', 'j'))
    assert a.ids == b.ids
    expected = float(np.mean(np.argmax(a.scores + 2 * b.scores, 1) == a.labels))
    mix = json.loads((root / 'mix' / 'seed2' / 'metrics.json').read_text())
    assert mix['acc/top1'] == pytest.approx(expected, abs=1e-12)
    assert f'-> fused top-1 {100 * expected:.2f} %' in printed
    assert load_results(str(root / 'mix' / 'seed2' / 'scores.json')).ids == a.ids
    assert '| mix | 1 |' in (root / 'summary.md').read_text()
    pairs = load_tool('paired_seeds').main([str(root), '--pair', 'self', 'mix'])
    assert [r['seed'] for r in pairs[0]['rows']] == [2] and 'mcnemar_p' in pairs[0]['rows'][0]


def test_study_fusion_skips_a_seed_without_scores_and_names_every_mistake(tmp_path, capsys):
    """A seed archived without a score file (as baseline seed 0's first run was): skipped (an
    error with --seeds); wrong groups, a taken name and an unknown run are one-line errors."""
    root = _study(tmp_path, {'j': {0: (BASE, 0), 1: (BASE, 1)},
                             'b': {0: (SFHEAD, 0), 1: (SFHEAD, 1)}}, metrics_only={('j', 0)})
    assert not (root / 'j' / 'seed0' / 'scores.json').exists()
    fuse = load_tool('fuse_scores').main
    base = ['--study', str(root), '--joint', 'j', '--bone', 'b', '--groups', 'nwucla_lookalike']
    assert fuse(base + ['--name', 'f']) == 0
    err = capsys.readouterr().err
    assert re.search(r'^skipped seed 0: no finished run with a score file of j \(.*j/seed0\)$',
                     err, re.M), err
    assert sorted(json.loads((root / 'summary.json').read_text())['f']) == ['1']
    with pytest.raises(SystemExit, match=r"^error: 1 seed\(s\) not fused: 0$"):
        fuse(base + ['--name', 'f', '--seeds', '0', '1'])
    assert re.search(r'^error: seed 0: no finished run', capsys.readouterr().err, re.M)
    with pytest.raises(SystemExit, match=r"--groups ntu120_sfhead9: group 'writing_typing.*"
                       r"only 10 classes; the streams' runs were evaluated with "
                       r"\['donning_doffing', .*: give their group set$"):
        fuse(base[:-1] + ['ntu120_sfhead9', '--name', 'g'])
    groups = tmp_path / 'other.json'  # a group set that fits 10 classes, but not theirs
    groups.write_text(json.dumps({'name': 'other', 'groups': {'first_two': [0, 1]}}))
    with pytest.raises(SystemExit, match=r"groups \['first_two'\], but the streams' runs"):
        fuse(base[:-1] + [str(groups), '--name', 'g'])
    with pytest.raises(SystemExit, match=r"--name 'j' is a trained run of .*: choose another"):
        fuse(base + ['--name', 'j'])
    # one name, one fusion: other weights under the same name are refused, nothing written
    before = (root / 'summary.json').read_text()
    with pytest.raises(SystemExit, match=r"--name 'f' holds another fusion in .* \(seed 1: "
                       r"streams \{'joint': 'j', 'bone': 'b'\}, weights \[1.0, 1.0\], softmax "
                       r"False\): choose another name, or fuse with those$"):
        fuse(base + ['--name', 'f', '--weights', '1', '2'])
    assert (root / 'summary.json').read_text() == before
    with pytest.raises(SystemExit, match=r"^error: --weights: 3 weights for 2 streams "
                       r"\(joint, bone\)$"):
        fuse(base + ['--name', 'h', '--weights', '1', '1', '1'])
    with pytest.raises(SystemExit, match=r"summary.json has no runs of 'x' \(--bone; it has: "
                       r"b, f, j\)"):
        fuse(['--study', str(root), '--joint', 'j', '--bone', 'x', '--name', 'h'])
    with pytest.raises(SystemExit):
        fuse(base + ['--name', 'f', '--out', str(tmp_path / 'x.json')])  # not with --study
