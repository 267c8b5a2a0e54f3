"""tools/analysis/compare_results.py: the table's numbers are the metric's; the chart exists."""
import re

import matplotlib.image as mpimg
import pytest

from mmaction.registry import METRICS
from tests.evaluation.ambiguous_cases import (CLASS_NAMES, GROUPS, load_tool, make_samples,
                                              write_dump, write_group_files)

# The "other" model: a 4/4, b 2/2, c 1/5, e 2/2 (d still absent).
OTHER = {0: [0, 0, 0, 0], 1: [1, 1], 2: [2, 3, 3, 3, 5], 4: [4, 4], 5: [5, 5, 5]}


def _metric(samples):
    metric = METRICS.build(dict(type='AmbiguousGroupMetric', groups=GROUPS,
                                class_names=CLASS_NAMES, per_class_scalars=True))
    metric.process(None, samples)
    return metric.evaluate(len(samples))


def _rows(table):
    """{class name: (baseline %, other %, diff)} in table order, and the absent classes."""
    rows, absent = {}, []
    for line in table.splitlines():
        m = re.match(r'^(\d+)\s+(\w) \((\d)\)\s+\S+\s+([\d.]+)\s+([\d.]+)\s+([+-][\d.]+)$', line)
        if m:
            rows[m.group(2)] = tuple(float(m.group(i)) for i in (4, 5, 6))
        elif re.match(r'^-\s+(\w) \(\d\).*absent', line):
            absent.append(line.split()[1])
    return rows, absent


@pytest.mark.parametrize('baseline_as_json', [False, True])
def test_table_matches_the_metric_and_chart_is_written(tmp_path, baseline_as_json, capsys):
    base_samples, other_samples = make_samples(), make_samples(OTHER)
    base = write_dump(tmp_path / 'base.pkl', base_samples)
    if baseline_as_json:  # the metric's own JSON report is a valid input too
        metric = METRICS.build(dict(type='AmbiguousGroupMetric', groups=GROUPS,
                                    class_names=CLASS_NAMES, save_json=True,
                                    out_dir=str(tmp_path), out_file='base.json'))
        metric.process(None, base_samples)
        metric.evaluate(len(base_samples))
        base = str(tmp_path / 'base.json')
    other = write_dump(tmp_path / 'other.pkl', other_samples)
    groups, names = write_group_files(tmp_path)
    out = tmp_path / 'out'
    load_tool('compare_results').main([base, other, '--groups', groups, '--class-names', names,
                                       '--labels', 'ST-GCN', 'SF-Head', '--out-dir', str(out)])
    table = (out / 'compare.txt').read_text()
    assert table in capsys.readouterr().out
    rows, absent = _rows(table)
    assert list(rows) == ['b', 'e', 'a', 'c']  # largest gain first, ties by class index
    assert absent == ['d']
    m_base, m_other = _metric(base_samples), _metric(other_samples)
    for name, (acc_b, acc_o, diff) in rows.items():
        group = 'ab' if name in 'ab' else 'cde'
        key = f'ambiguous/{group}/acc_{name}'
        assert acc_b == pytest.approx(100 * m_base[key], abs=0.006)
        assert acc_o == pytest.approx(100 * m_other[key], abs=0.006)
        assert diff == pytest.approx(acc_o - acc_b, abs=0.011)
    group_means = {ln.split()[0]: ln.split()[1:] for ln in table.splitlines()
                   if ln.startswith(('ab ', 'cde '))}
    assert float(group_means['ab'][0]) == pytest.approx(100 * m_base['ambiguous/ab/acc'])
    assert float(group_means['cde'][1]) == pytest.approx(100 * m_other['ambiguous/cde/acc'])
    png = mpimg.imread(out / 'compare.png')
    assert png.ndim == 3 and png.shape[0] > 200 and png.shape[1] > 300
    assert png[..., :3].std() > 0.05  # not a blank canvas


def test_different_class_counts_are_refused(tmp_path):
    a = write_dump(tmp_path / 'a.pkl', make_samples())
    short = [dict(s, pred_score=s['pred_score'][:5]) for s in make_samples()
             if int(s['gt_label']) < 5 and int(s['pred_score'][:5].argmax()) < 5]
    b = write_dump(tmp_path / 'b.pkl', short)
    groups, names = write_group_files(tmp_path)
    with pytest.raises(SystemExit, match='6 classes'):
        load_tool('compare_results').main([a, b, '--groups', groups, '--out-dir',
                                           str(tmp_path)])
