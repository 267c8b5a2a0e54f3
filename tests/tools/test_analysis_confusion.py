"""tools/analysis/confusion_matrix.py: the counts of a group's heatmap, and the PNG."""
import matplotlib.image as mpimg
import pytest

from tests.evaluation.ambiguous_cases import (load_tool, make_samples, write_dump,
                                              write_group_files)


def _matrix(text):
    """Rows of counts (without the sample total) from the tool's text output."""
    rows = {}
    for line in text.splitlines()[2:]:
        parts = line.split()
        rows[parts[0]] = [int(v) for v in parts[2:-1]]
        assert sum(rows[parts[0]]) == int(parts[-1])
    return rows


def test_group_heatmap_counts_and_png(tmp_path, capsys):
    result = write_dump(tmp_path / 'r.pkl', make_samples())
    groups, names = write_group_files(tmp_path)
    load_tool('confusion_matrix').main([result, '--groups', groups, '--class-names', names,
                                        '--group', 'cde', '--out-dir', str(tmp_path)])
    text = (tmp_path / 'confusion_cde.txt').read_text()
    assert text in capsys.readouterr().out
    # columns: c, d, e, other (predicted outside the group)
    assert _matrix(text) == {'c': [2, 1, 1, 1], 'd': [0, 0, 0, 0], 'e': [1, 0, 1, 0]}
    assert not (tmp_path / 'confusion_ab.png').exists()  # only the chosen group
    png = mpimg.imread(tmp_path / 'confusion_cde.png')
    assert png.ndim == 3 and png[..., :3].std() > 0.05


def test_every_group_by_default_and_ad_hoc_classes(tmp_path):
    result = write_dump(tmp_path / 'r.pkl', make_samples())
    groups, names = write_group_files(tmp_path)
    tool = load_tool('confusion_matrix')
    tool.main([result, '--groups', groups, '--class-names', names, '--out-dir',
               str(tmp_path / 'all')])
    assert sorted(p.name for p in (tmp_path / 'all').iterdir()) == [
        'confusion_ab.png', 'confusion_ab.txt', 'confusion_cde.png', 'confusion_cde.txt']
    ab = _matrix((tmp_path / 'all' / 'confusion_ab.txt').read_text())
    assert list(ab.values()) == [[3, 1, 0], [0, 1, 1]]
    tool.main([result, '--classes', 'f', '0', '--class-names', names, '--out-dir',
               str(tmp_path / 'adhoc')])
    fa = _matrix((tmp_path / 'adhoc' / 'confusion_classes_5_0.txt').read_text())
    assert fa == {'f': [2, 1, 0], 'a': [0, 3, 1]}


def test_unknown_group_is_named(tmp_path):
    result = write_dump(tmp_path / 'r.pkl', make_samples())
    groups, names = write_group_files(tmp_path)
    with pytest.raises(SystemExit, match="--group nope: not in 'toy'"):
        load_tool('confusion_matrix').main([result, '--groups', groups, '--class-names', names,
                                            '--group', 'nope'])
