"""The one NW-UCLA json parser and its one label rule."""
import json

import numpy as np
import pytest

from sfhead_mm.formats.errors import FormatError
from sfhead_mm.formats.nwucla import parse_nwucla, read_nwucla

FRAMES = np.arange(4 * 20 * 3, dtype=np.float64).reshape(4, 20, 3).tolist()


def clip(tmp_path, name='a05_s01_e00_v01', text=None, **fields):
    data = dict(file_name=name, skeletons=FRAMES, label=5)
    data.update(fields)
    path = tmp_path / f'{name}.json'
    path.write_text(text if text is not None else json.dumps(data, indent=1))
    return str(path)


def test_clip_is_parsed_with_its_0_based_label(tmp_path):
    c = read_nwucla(clip(tmp_path), num_joints=20)
    assert c.name == 'a05_s01_e00_v01' and c.label == 4
    assert c.keypoint.dtype == np.float32 and c.keypoint.shape == (1, 4, 20, 3)
    np.testing.assert_array_equal(c.keypoint[0], np.asarray(FRAMES, dtype=np.float32))
    # no label: fine for inference (the converter requires one)
    data = dict(file_name='x', skeletons=FRAMES)
    assert parse_nwucla('x.json', data).label is None


@pytest.mark.parametrize('label,words', [
    (True, '"label" is true'),
    (False, '"label" is false'),
    (5.0, '"label" is 5.0'),
    ('5', "\"label\" is '5'"),
    (0, 'outside 1..10'),
    (11, 'outside 1..10'),
    (4, 'disagrees with action a05 (expected 5'),
])
def test_label_rule(tmp_path, label, words):
    with pytest.raises(FormatError, match=words.replace('(', r'\(').replace('.', r'\.')):
        read_nwucla(clip(tmp_path, label=label))


def test_label_of_a_name_that_is_not_a_release_name(tmp_path):
    assert read_nwucla(clip(tmp_path, name='my_clip', label=3)).label == 2


def test_value_beyond_float32_names_index_and_line(tmp_path):
    frames = [f[:] for f in FRAMES]
    frames[2] = [j[:] for j in frames[2]]
    frames[2][11] = [0.5, -3e38, -1e39]
    text = json.dumps(dict(file_name='a05_s01_e00_v01', skeletons=frames, label=5), indent=1)
    with pytest.raises(FormatError) as info:
        read_nwucla(clip(tmp_path, text=text))
    record = info.value.record
    assert 'skeletons[2][11][2]' in record.message and 'float32' in record.message
    assert record.line == text.split('-1e+39')[0].count('\n') + 1


def test_invalid_json_and_shapes(tmp_path):
    with pytest.raises(FormatError) as info:
        read_nwucla(clip(tmp_path, text='{"skeletons": [[[1, 2, 3]]],\n "label": }'))
    assert info.value.record.line == 2 and 'invalid json' in info.value.record.message
    frames = [f[:] for f in FRAMES]
    frames[1] = frames[1][:19]
    with pytest.raises(FormatError, match=r'skeletons\[1\]: 19 joints, expected 20'):
        read_nwucla(clip(tmp_path, skeletons=frames), num_joints=20)
    with pytest.raises(FormatError, match='zero frames'):
        read_nwucla(clip(tmp_path, skeletons=[]))
