"""sfhead_mm.evaluation.study: the one owner of a seed study's summary (run_seeds, fuse_scores)."""
import json

import pytest

from sfhead_mm.evaluation.study import add_run, read_summary, summarise


def test_summary_is_mean_and_sample_std():
    table = summarise({'cfg': {'0': {'acc/top1': 0.5}, '1': {'acc/top1': 0.7}}})
    row = table.splitlines()[-1]
    assert row.startswith('| cfg | 2 | 60.00 ± 14.14 |')  # std of (50, 70) = 14.14
    run = {'acc/top1': 0.5, 'train_seconds': 600, 'train_cpu_seconds': 540, 'step_seconds': 0.5}
    assert summarise({'cfg': {'0': run}}).splitlines()[-1].endswith(
        '| 10.00 | 9.00 | 0.50 |')  # minutes of wall and of CPU time, seconds a step


def test_runs_are_added_to_both_files_keeping_the_others(tmp_path):
    assert read_summary(str(tmp_path)) == {}  # a study without runs yet
    add_run(str(tmp_path), 'a', 0, {'acc/top1': 0.5})
    add_run(str(tmp_path), 'b', 1, {'acc/top1': 0.7})
    summary = add_run(str(tmp_path), 'a', 0, {'acc/top1': 0.6})  # a run again: replaced
    assert summary == {'a': {'0': {'acc/top1': 0.6}}, 'b': {'1': {'acc/top1': 0.7}}}
    assert json.loads((tmp_path / 'summary.json').read_text()) == summary
    assert (tmp_path / 'summary.md').read_text().splitlines()[2:] == [
        '| a | 1 | 60.00 | n/a | n/a | n/a | n/a | n/a | n/a | n/a |',
        '| b | 1 | 70.00 | n/a | n/a | n/a | n/a | n/a | n/a | n/a |']


@pytest.mark.parametrize('text, why', [
    ('{"a": ', r'line 1: Expecting value'),
    ('[1, 2]', r'\{name: \{seed: metrics\}\}'),
    ('{"a": {"0": 0.5}}', r'\{name: \{seed: metrics\}\}')])
def test_a_file_that_is_not_a_summary_is_named(tmp_path, text, why):
    (tmp_path / 'summary.json').write_text(text)
    with pytest.raises(ValueError, match=r'summary\.json: not a study summary \(.*' + why):
        read_summary(str(tmp_path))
