""".npy arrays: empty, truncated and non-numeric files are one-line errors naming the file."""
import numpy as np
import pytest

from sfhead_mm.formats.errors import FormatError
from sfhead_mm.formats.npy import ObjectArrayError, load_array, split_samples


def test_empty_and_truncated_files(tmp_path):
    empty = tmp_path / 'empty.npy'
    empty.write_bytes(b'')
    with pytest.raises(FormatError, match='empty or truncated') as info:
        load_array(str(empty))
    assert info.value.record.file == str(empty) and '\n' not in str(info.value)
    good = tmp_path / 'good.npy'
    np.save(good, np.ones((1, 10, 25, 3), np.float32))
    cut = tmp_path / 'cut.npy'
    cut.write_bytes(good.read_bytes()[:200])
    with pytest.raises(FormatError) as info:
        load_array(str(cut))
    assert str(info.value).startswith(f'{cut}: ') and '\n' not in str(info.value)
    text = tmp_path / 'text.npy'
    text.write_text('hello')
    with pytest.raises(FormatError, match='not a'):
        load_array(str(text))


def test_object_arrays_and_bad_values(tmp_path):
    obj = tmp_path / 'obj.npy'
    np.save(obj, np.array({'skel_body0': 1}, dtype=object), allow_pickle=True)
    with pytest.raises(ObjectArrayError):
        load_array(str(obj))
    with pytest.raises(FormatError, match='empty array'):
        split_samples('x.npy', np.zeros((0, 10, 25, 3), np.float32))
    big = np.ones((1, 5, 25, 3))
    big[0, 2, 3, 1] = 1e39
    with pytest.raises(FormatError, match=r'\[0\]\[2\]\[3\]\[1\] is 1e\+39, beyond float32'):
        split_samples('x.npy', big, 'MTVC')
