"""NTU RGB+D raw files: parsing every real sample, the clean-up, the txt2npy alternative."""
import numpy as np
import pytest

from data_prep.ntu import convert_ntu_file
from sfhead_mm.formats.ntu_denoise import DenoiseConfig, denoise
from sfhead_mm.formats.ntu import parse_skeleton_lines, read_skeleton, read_skeleton_npy
from sfhead_mm.skeleton import get_layout
from tests.conftest import require_data
from tests.data_prep.ntu_text import BODY_ID_BASE, expected_xyz, write_skeleton

NTU_SAMPLES = ('S001C001P001R001A001', 'S001C001P001R001A011', 'S001C003P008R002A058',
               'S002C001P003R001A003', 'S003C001P015R001A034', 'S004C002P003R001A017')


def text_structure(path):
    """Independent reading of a .skeleton file: per frame, per body, its 25 joint lines."""
    with open(path) as f:
        lines = f.read().splitlines()
    frames, i = [], 1
    for _ in range(int(lines[0])):
        n = int(lines[i])
        i += 1
        bodies = []
        for _ in range(n):
            body_id = lines[i].split()[0]
            joints = [(i + 2 + j, lines[i + 2 + j]) for j in range(int(lines[i + 1]))]
            bodies.append((body_id, joints))
            i += 2 + len(joints)
        frames.append(bodies)
    return frames


@pytest.fixture(scope='module')
def ntu_dir(shared_data):
    return require_data(shared_data, 'ntu-rgbd-samples')


@pytest.mark.parametrize('name', NTU_SAMPLES)
def test_real_sample_frames_bodies_and_values(ntu_dir, name):
    path = require_data(ntu_dir, name + '.skeleton')
    raw = read_skeleton(path)
    frames = text_structure(path)
    assert raw.num_frames == len(frames)
    assert raw.bodies_per_frame.tolist() == [len(b) for b in frames]
    ids = []
    for bodies in frames:
        ids += [b for b, _ in bodies if b not in ids]
    assert [b.body_id for b in raw.bodies] == ids  # ids kept as text, order of appearance
    by_id = {b.body_id: b for b in raw.bodies}
    # Spot checks: first / middle / last frame, first and last joint of each body present.
    for t in sorted({0, len(frames) // 2, len(frames) - 1}):
        for body_id, joints in frames[t]:
            body = by_id[body_id]
            k = int(np.flatnonzero(body.frames == t)[0])
            for j in (0, 12, 24):
                line_no, text = joints[j]
                want = np.array([float(v) for v in text.split()[:3]], dtype=np.float32)
                assert np.array_equal(body.joints[k, j], want), (name, line_no)
    # The exact line-by-line path gives the same arrays as the fast path.
    with open(path, 'rb') as f:
        slow = parse_skeleton_lines(f.read(), path)
    assert [b.body_id for b in slow.bodies] == ids
    for a, b in zip(raw.bodies, slow.bodies):
        assert np.array_equal(a.frames, b.frames) and np.array_equal(a.joints, b.joints)


def test_handshake_keeps_both_people(ntu_dir):
    path = require_data(ntu_dir, 'S001C003P008R002A058.skeleton')
    result = convert_ntu_file(path)
    (ann, ) = result.samples
    kp = ann['keypoint']
    assert ann['frame_dir'] == 'S001C003P008R002A058' and ann['label'] == 57
    assert kp.dtype == np.float32 and kp.shape == (2, 70, 25, 3)
    assert ann['total_frames'] == 70
    # Both actors present in every frame, and they are two different people (1 m apart).
    assert np.all(np.any(kp != 0, axis=(2, 3)))
    assert np.linalg.norm(kp[0, :, 1] - kp[1, :, 1], axis=-1).min() > 0.3


@pytest.mark.parametrize('name', [n for n in NTU_SAMPLES if not n.endswith('A058')])
def test_single_person_samples(ntu_dir, name):
    path = require_data(ntu_dir, name + '.skeleton')
    raw = read_skeleton(path)
    (ann, ) = convert_ntu_file(path).samples
    assert ann['keypoint'].shape == (1, raw.num_frames, get_layout('nturgb+d').num_joints, 3)
    assert ann['label'] == int(name[-3:]) - 1
    assert np.array_equal(ann['keypoint'][0], raw.bodies[0].joints)


def test_txt2npy_sample_is_read(ntu_dir):
    path = require_data(ntu_dir, 'S001C001P001R001A012.skeleton.npy')
    data = np.load(path, allow_pickle=True).item()
    raw = read_skeleton_npy(path)
    assert raw.num_frames == data['skel_body0'].shape[0] == 102
    (ann, ) = convert_ntu_file(path, fmt='npy').samples
    assert ann['frame_dir'] == 'S001C001P001R001A012' and ann['label'] == 11
    assert np.array_equal(ann['keypoint'][0], data['skel_body0'].astype(np.float32))


def test_generated_file_round_trip(tmp_path):
    # Body 0 throughout, body 1 in the middle, one empty frame: ids, frames, values kept.
    frames = [[0]] * 3 + [[0, 1]] * 14 + [[]] + [[0]] * 2
    path = write_skeleton(tmp_path / 'S001C001P001R001A050.skeleton', frames)
    raw = read_skeleton(path)
    want = expected_xyz(frames)
    assert raw.num_frames == 20 and raw.bodies_per_frame.tolist()[17] == 0
    assert [b.body_id for b in raw.bodies] == [str(BODY_ID_BASE), str(BODY_ID_BASE + 1)]
    assert raw.bodies[1].frames.tolist() == list(range(3, 17))
    for b, body in enumerate(raw.bodies):
        assert np.array_equal(body.joints, want[b])
    kp, notes = denoise(raw)
    assert kp.shape == (2, 19, 25, 3)  # the empty frame is dropped, both actors kept
    assert any('1 of 20 frames dropped' in n for n in notes)


def test_denoise_drops_short_and_flat_bodies(tmp_path):
    frames = [[0, 2] for _ in range(30)]
    frames[10] = [0, 1, 2]  # body 1: tracked for one frame only
    path = write_skeleton(tmp_path / 'S001C001P001R001A001.skeleton', frames)
    raw = read_skeleton(path)
    # Make body 2 flat (wider than tall) in every frame: the spread filter must drop it.
    flat = next(b for b in raw.bodies if b.body_id == str(BODY_ID_BASE + 2))
    flat.joints[..., 1] = flat.joints[..., 1] * 0.01
    flat.joints[..., 0] = flat.joints[..., 0] + np.linspace(-1, 1, 25)[None]
    kp, notes = denoise(raw)
    assert kp.shape[0] == 1
    assert any('tracked for 1 frames' in n for n in notes)
    assert any('wider than tall' in n for n in notes)
    kp_all, _ = denoise(raw, DenoiseConfig(enabled=False))
    assert kp_all.shape[0] == 2


def test_whitespace_variants_parse_the_same(tmp_path):
    frames = [[0]] * 5 + [[0, 1]] * 15
    normal = read_skeleton(write_skeleton(tmp_path / 'S001C001P001R001A001.skeleton', frames))
    text = (tmp_path / 'S001C001P001R001A001.skeleton').read_text()
    variant = tmp_path / 'S001C001P001R001A002.skeleton'
    variant.write_text(text.replace('\r\n', '\n').replace(' ', ' \t '))
    other = read_skeleton(str(variant))
    for a, b in zip(normal.bodies, other.bodies):
        assert a.body_id == b.body_id and np.array_equal(a.joints, b.joints)
