"""NTU RGB+D raw files: parsing every real sample, the clean-up, the txt2npy alternative, the
colour-frame (2D) coordinates."""
import numpy as np
import pytest

from data_prep.ntu import convert_ntu_file
from sfhead_mm.formats.errors import FormatError
from sfhead_mm.formats.ntu_denoise import DenoiseConfig, denoise, denoise_colour
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


# Colour-frame coordinates (``colour=True``): colorX, colorY (fields 6, 7) and trackingState (12).

@pytest.mark.parametrize('name', NTU_SAMPLES)
def test_real_sample_colour_values(ntu_dir, name):
    path = require_data(ntu_dir, name + '.skeleton')
    raw = read_skeleton(path, colour=True)
    plain = read_skeleton(path)
    assert all(b.colour is None and b.state is None for b in plain.bodies)  # opt-in only
    frames = text_structure(path)
    by_id = {b.body_id: b for b in raw.bodies}
    for body, other in zip(raw.bodies, plain.bodies):
        assert np.array_equal(body.joints, other.joints)  # 3D unchanged by the option
        assert body.colour.dtype == np.float32 and body.colour.shape == body.joints.shape[:2] + (2,)
        assert body.state.dtype == np.uint8 and body.state.shape == body.joints.shape[:2]
        assert set(np.unique(body.state)) <= {0, 1, 2}
    for t in sorted({0, len(frames) // 3, len(frames) - 1}):
        for body_id, joints in frames[t]:
            body = by_id[body_id]
            k = int(np.flatnonzero(body.frames == t)[0])
            for j in (0, 7, 11, 24):
                line_no, text = joints[j]
                fields = text.split()
                want = np.array([float(fields[5]), float(fields[6])], dtype=np.float32)
                assert np.array_equal(body.colour[k, j], want), (name, line_no)
                assert body.state[k, j] == int(fields[11]), (name, line_no)
    # The exact line parser gives the same colour arrays as the fast path.
    with open(path, 'rb') as f:
        slow = parse_skeleton_lines(f.read(), path, colour=True)
    for a, b in zip(raw.bodies, slow.bodies):
        assert a.body_id == b.body_id and np.array_equal(a.frames, b.frames)
        assert np.array_equal(a.joints, b.joints)
        assert np.array_equal(a.colour, b.colour) and np.array_equal(a.state, b.state)


def test_txt2npy_colour(ntu_dir):
    path = require_data(ntu_dir, 'S001C001P001R001A012.skeleton.npy')
    data = np.load(path, allow_pickle=True).item()
    assert read_skeleton_npy(path).bodies[0].colour is None
    (body, ) = read_skeleton_npy(path, colour=True).bodies
    assert np.array_equal(body.colour, data['rgb_body0'][body.frames].astype(np.float32))
    assert body.state.shape == (102, 25) and np.all(body.state == 2)  # no state: tracked
    kp, score, _ = denoise_colour(read_skeleton_npy(path, colour=True))
    assert kp.shape == (1, 102, 25, 2) and np.all(score == 1)


def test_denoise_colour_same_actors_frames_and_scores(tmp_path):
    # Body 1 only in the middle, one empty frame; a few joints inferred / not tracked.
    frames = [[0]] * 3 + [[0, 1]] * 14 + [[]] + [[0]] * 2
    path = write_skeleton(tmp_path / 'S001C001P001R001A050.skeleton', frames)
    with open(path, newline='') as f:
        lines = f.read().split('\r\n')
    first_joint = 4  # line index of frame 1, body 0, joint 1
    for offset, state in ((0, '1'), (3, '0')):
        fields = lines[first_joint + offset].split()
        fields[11] = state
        lines[first_joint + offset] = ' '.join(fields)
    with open(path, 'w', newline='') as f:
        f.write('\r\n'.join(lines))
    raw = read_skeleton(path, colour=True)
    kp3, notes3 = denoise(raw)
    kp, score, notes = denoise_colour(raw)
    assert kp.shape == (2, 19, 25, 2) and kp.dtype == np.float32
    assert score.shape == (2, 19, 25) and score.dtype == np.float32
    assert kp.shape[:3] == kp3.shape[:3] and notes == notes3
    # The clean-up ranks body 1 (frames 4-17, slightly more motion) as actor 1; body 0 is actor 2.
    assert score[1, 0, 0] == 0.5 and score[1, 0, 3] == 0.0 and score[1, 0, 1] == 1.0
    assert np.array_equal(kp[1, 0, 0], np.array([1036.233, 519.1677], dtype=np.float32))
    # Actor 1 is absent in frames 0-2 and 17-18 (after the empty frame is dropped): score 0.
    assert np.all(score[0, :3] == 0) and np.all(score[0, 17:] == 0) and np.all(kp[0, :3] == 0)
    assert np.all(score[0, 3:17] == 1) and np.all(score[1, 1:] == 1)
    with pytest.raises(FormatError, match='colour=True'):
        denoise_colour(read_skeleton(path))


def test_txt2npy_colour_missing_or_bad(tmp_path):
    skel = np.ones((12, 25, 3), np.float32)
    path = tmp_path / 'S001C001P001R001A001.skeleton.npy'
    np.save(path, np.array(dict(skel_body0=skel, nbodys=[1] * 12), dtype=object))
    assert read_skeleton_npy(str(path)).bodies[0].colour is None  # 3D needs no rgb_body
    with pytest.raises(FormatError, match='no rgb_body0'):
        read_skeleton_npy(str(path), colour=True)
    np.save(path, np.array(dict(skel_body0=skel, rgb_body0=np.ones((12, 25, 3))),
                           dtype=object))
    with pytest.raises(FormatError, match=r'rgb_body0 has shape \(12, 25, 3\)'):
        read_skeleton_npy(str(path), colour=True)
