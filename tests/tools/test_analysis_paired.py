"""tools/analysis/paired_seeds.py: per-seed differences, discordant clips, exact McNemar."""
import json
import os

import pytest

from sfhead_mm.evaluation.result_files import load_results, save_scores
from tests.evaluation.ambiguous_cases import load_tool, make_samples, write_dump

paired = load_tool('paired_seeds')

BASE, OTHER = 'ctrgcn_x', 'ctrgcn_sfhead_x'


def _metrics(top1, group_mean, confusion):
    return {'acc/top1': top1, 'ambiguous/group_mean': group_mean,
            'ambiguous/confusion': confusion}


def _study(tmp_path):
    """Base on seeds 0, 1, 2 and 10; other on 0, 1 and 10; score files for seeds 0 and 10 only
    (the pickles of older studies, one score file)."""
    summary = {BASE: {'0': _metrics(0.50, 0.60, 0.20), '1': _metrics(0.70, 0.70, 0.10),
                      '2': _metrics(0.90, 0.90, 0.00), '10': _metrics(0.60, 0.50, 0.30)},
               OTHER: {'0': _metrics(0.55, 0.50, 0.25), '1': _metrics(0.70, 0.80, 0.10),
                       '10': _metrics(0.50, 0.50, 0.30)}}
    (tmp_path / 'summary.json').write_text(json.dumps(summary))
    # seed 0: class 0 (5 clips) wrong in base, right in other; class 1 right in both
    dumps = {(BASE, 0): {0: [1] * 5, 1: [1, 1]}, (OTHER, 0): {0: [0] * 5, 1: [1, 1]},
             # seed 10: base right on 7 of class 0; other on its other 3 and on all 7 of class 1
             (BASE, 10): {0: [0] * 7 + [1] * 3, 1: [0] * 7},
             (OTHER, 10): {0: [1] * 7 + [0] * 3, 1: [1] * 7}}
    for (name, seed), predictions in dumps.items():
        folder = tmp_path / name / f'seed{seed}'
        folder.mkdir(parents=True)
        pkl = write_dump(folder / 'predictions.pkl', make_samples(predictions))
        if (name, seed) == (OTHER, 10):  # a newer run: its score file instead of the pickle
            res = load_results(pkl)
            save_scores(str(folder / 'scores.json'), res.scores, res.labels, res.ids)
            os.remove(pkl)
    return tmp_path


def test_exact_mcnemar_matches_the_binomial_by_hand():
    assert paired.mcnemar_exact(0, 0) == 1.0
    assert paired.mcnemar_exact(0, 5) == pytest.approx(2 / 32)
    assert paired.mcnemar_exact(7, 3) == paired.mcnemar_exact(3, 7) == pytest.approx(
        2 * (1 + 10 + 45 + 120) / 1024)
    assert paired.mcnemar_exact(4, 4) == 1.0  # capped at 1


def test_pairs_by_seed_with_discordant_clips(tmp_path, capsys):
    root = _study(tmp_path)
    out, js = tmp_path / 'paired.md', tmp_path / 'paired.json'
    [result] = paired.main([str(root), '--pair', BASE, OTHER, '--out', str(out),
                            '--json', str(js)])
    rows = {r['seed']: r for r in result['rows']}
    assert list(rows) == [0, 1, 10]  # shared seeds only (not 2), in numeric order
    assert rows[0]['acc/top1'] == pytest.approx(5.0)
    assert rows[0]['ambiguous/group_mean'] == pytest.approx(-10.0)
    assert rows[0]['ambiguous/confusion'] == pytest.approx(5.0)
    assert (rows[0]['only_base'], rows[0]['only_other'], rows[0]['clips']) == (0, 5, 7)
    assert rows[0]['mcnemar_p'] == pytest.approx(2 / 32)
    assert 'clips' not in rows[1]  # no dumps for seed 1: the split is left out, not invented
    # seed 10: class 0 has 7 right only in base and 3 only in other; class 1 7 only in other
    assert (rows[10]['only_base'], rows[10]['only_other'], rows[10]['clips']) == (7, 10, 17)
    mean, sd = result['mean']['acc/top1']
    assert mean == pytest.approx((5 + 0 - 10) / 3)
    assert sd == pytest.approx(7.637626, abs=1e-5)  # sample std of (5, 0, -10)
    assert result['top1_record'] == dict(wins=1, ties=1, losses=1)
    text = out.read_text()
    assert '0 / 5 of 7' in text and 'n/a (no score file)' in text
    assert 'wins / ties / losses: 1 / 1 / 1' in text
    assert text.strip() in capsys.readouterr().out
    assert json.loads(js.read_text())[0]['rows'][0]['only_other'] == 5


def test_bad_names_and_missing_seeds_say_what_exists(tmp_path):
    root = _study(tmp_path)
    with pytest.raises(SystemExit, match=r"summary.json: .*no runs of 'nope' \(it has: "
                                         r'ctrgcn_sfhead_x, ctrgcn_x\)'):
        paired.main([str(root), '--pair', BASE, 'nope'])
    summary = json.loads((root / 'summary.json').read_text())
    summary[OTHER] = {'5': summary[OTHER]['0']}
    (root / 'summary.json').write_text(json.dumps(summary))
    with pytest.raises(SystemExit, match='share no finished seed'):
        paired.main([str(root), '--pair', BASE, OTHER])
    # one pair that cannot be compared does not hide the others: they are printed and written
    summary[BASE + '_copy'] = summary[BASE]
    (root / 'summary.json').write_text(json.dumps(summary))
    out = tmp_path / 'paired.md'
    with pytest.raises(SystemExit, match=r"^error: 1 of 2 pair\(s\) not compared: .*summary\.json"
                       r": .*share no finished seed$"):
        paired.main([str(root), '--pair', BASE, OTHER, '--pair', BASE, BASE + '_copy',
                     '--out', str(out)])
    assert out.read_text().startswith(f'{BASE}_copy vs {BASE} (percentage points')
    with pytest.raises(SystemExit, match='no such file'):
        paired.main([str(tmp_path / 'absent'), '--pair', BASE, OTHER])


def test_per_group_differences_over_the_paired_seeds(tmp_path):
    """Per look-alike group: both models' means over the seeds that report the group in both
    runs, and the mean ± sd of the per-seed differences; a seed without a group's values is left
    out of that group only."""
    root = _study(tmp_path)
    summary = json.loads((root / 'summary.json').read_text())
    values = {(BASE, '0'): (0.80, 0.10, 0.90, 0.05), (OTHER, '0'): (0.90, 0.05, 0.90, 0.00),
              (BASE, '1'): (0.60, 0.30, 0.70, 0.20), (OTHER, '1'): (0.80, 0.10, 0.60, 0.30),
              (BASE, '10'): (0.50, 0.40, None, None), (OTHER, '10'): (0.50, 0.30, None, None)}
    for (name, seed), (a_acc, a_conf, b_acc, b_conf) in values.items():
        summary[name][seed].update({'ambiguous/a_vs_b/acc': a_acc,
                                    'ambiguous/a_vs_b/confusion': a_conf})
        if b_acc is not None:
            summary[name][seed].update({'ambiguous/c_vs_d/acc': b_acc,
                                        'ambiguous/c_vs_d/confusion': b_conf})
    for name in (BASE, OTHER):  # a group the first seed does not report still has its row
        summary[name]['1'].update({'ambiguous/e_vs_f/acc': 0.5, 'ambiguous/e_vs_f/confusion': 0.1})
    (root / 'summary.json').write_text(json.dumps(summary))
    out = tmp_path / 'paired.md'
    [result] = paired.main([str(root), '--pair', BASE, OTHER, '--out', str(out)])
    groups = {g['group']: g for g in result['groups']}
    assert list(groups) == ['a_vs_b', 'c_vs_d', 'e_vs_f']
    assert groups['e_vs_f']['seeds'] == 1 and groups['e_vs_f']['delta_acc'][0] == 0
    a, c = groups['a_vs_b'], groups['c_vs_d']
    assert a['seeds'] == 3 and c['seeds'] == 2
    assert a['base_acc'] == pytest.approx(100 * (0.8 + 0.6 + 0.5) / 3)
    assert a['other_acc'] == pytest.approx(100 * (0.9 + 0.8 + 0.5) / 3)
    mean, sd = a['delta_acc']
    assert mean == pytest.approx(10.0) and sd == pytest.approx(10.0)  # (10, 20, 0)
    assert c['delta_confusion'][0] == pytest.approx((-5 + 10) / 2)
    assert '| a_vs_b | 3 | 63.33 | 73.33 | +10.00 ± 10.00 |' in out.read_text()
