"""Every inference input format, on the real recorded files where they exist, fixtures otherwise."""
import glob
import json
import os.path as osp
import pickle

import numpy as np
import pytest

from sfhead_mm.apis import InputError, read_skeleton_file
from sfhead_mm.apis.readers import read_npy
from tests.conftest import REPO, require_data

MMPOSE = osp.join(REPO, 'tests', 'fixtures', 'mmpose')


def test_ntu_skeleton_files_read_as_the_converter_reads_them(shared_data):
    from data_prep.ntu import convert_ntu_file
    files = sorted(glob.glob(osp.join(require_data(shared_data, 'ntu-rgbd-samples'),
                                      '*.skeleton')))
    assert len(files) == 6
    for path in files:
        sample, = read_skeleton_file(path, num_joints=25)
        # The same array the training pickles get from `python -m data_prep.ntu`.
        expected = convert_ntu_file(path).samples[0]
        np.testing.assert_array_equal(sample.keypoint, expected['keypoint'])
        assert sample.name == expected['frame_dir'] and sample.label == expected['label']
        assert sample.keypoint.shape[0] in (1, 2) and sample.keypoint.shape[2:] == (25, 3)
    two, = read_skeleton_file(osp.join(osp.dirname(files[0]), 'S001C003P008R002A058.skeleton'))
    assert two.keypoint.shape[0] == 2  # handshaking: two actors


def test_ntu_txt2npy_dict(shared_data):
    path = require_data(shared_data, 'ntu-rgbd-samples', 'S001C001P001R001A012.skeleton.npy')
    sample, = read_skeleton_file(path)
    raw = np.load(path, allow_pickle=True).item()['skel_body0']
    assert sample.name == 'S001C001P001R001A012' and sample.label == 11
    np.testing.assert_allclose(sample.keypoint[0], raw[np.any(raw != 0, axis=(1, 2))],
                               rtol=1e-6)


def test_nwucla_json(shared_data):
    path = require_data(shared_data, 'nw-ucla', 'all_sqe', 'a01_s01_e00_v01.json')
    sample, = read_skeleton_file(path, num_joints=20)
    with open(path) as f:
        data = json.load(f)
    np.testing.assert_allclose(sample.keypoint[0], np.asarray(data['skeletons']), rtol=1e-6)
    assert sample.keypoint.shape == (1, 44, 20, 3) and sample.label == 0
    with pytest.raises(InputError, match="20 joints per person, but the model's layout "
                                         "'nturgb\\+d' has 25"):
        read_skeleton_file(path, num_joints=25, layout_name='nturgb+d')


def test_npy_ctvm_with_padding(shared_data):
    path = require_data(shared_data, 'other-samples', 'example_NTU-RGB-D_sketeton.npy')
    raw = np.load(path)  # (3, 300, 25, 2): 72 real frames, the second person absent
    for channels in (3, None):  # told by the model, or from the shape alone
        sample, = read_skeleton_file(path, channels=channels)
        assert sample.keypoint.shape == (1, 72, 25, 3)
        np.testing.assert_array_equal(sample.keypoint[0], raw[..., 0].transpose(1, 2, 0)[:72])
        assert any('padding' in n for n in sample.notes)
        assert any('all-zero person' in n for n in sample.notes)


def test_npy_orders_and_batches(tmp_path):
    kp = np.random.rand(2, 10, 17, 2).astype(np.float32) + 1
    np.save(tmp_path / 'mtvc.npy', kp)
    np.save(tmp_path / 'batch.npy', np.stack([kp.transpose(3, 1, 2, 0)] * 3))  # (N, C, T, V, M)
    np.save(tmp_path / 'tvc.npy', kp[0])
    sample, = read_npy(str(tmp_path / 'mtvc.npy'), 'MTVC')
    np.testing.assert_array_equal(sample.keypoint, kp)
    batch = read_npy(str(tmp_path / 'batch.npy'), 'CTVM')
    assert [s.name for s in batch] == ['batch_0', 'batch_1', 'batch_2']
    np.testing.assert_array_equal(batch[2].keypoint, kp)
    single, = read_npy(str(tmp_path / 'tvc.npy'))
    assert single.keypoint.shape == (1, 10, 17, 2)
    # (2, T, V, 2) cannot be told apart without help
    with pytest.raises(InputError, match='cannot tell'):
        read_npy(str(tmp_path / 'mtvc.npy'))


def test_pose_pickles_in_every_layout(shared_data, tmp_path):
    ucf = require_data(shared_data, 'other-samples', 'example_UCF101_skeleton.pkl')
    sample, = read_skeleton_file(ucf, num_joints=17)  # one sample dict, COCO-17 2D
    assert sample.name == 'v_ApplyEyeMakeup_g01_c01' and sample.keypoint.shape == (2, 163, 17, 2)
    assert sample.keypoint_score.shape == (2, 163, 17) and sample.img_shape == (256, 340)
    assert sample.keypoint.dtype == np.float16  # passed on as stored, as PoseDataset does
    with open(ucf, 'rb') as f:
        ann = pickle.load(f)
    anns = [dict(ann, frame_dir=f'clip{i}', label=i) for i in range(3)]
    new = tmp_path / 'new.pkl'
    with open(new, 'wb') as f:
        pickle.dump(dict(split=dict(a=['clip0', 'clip2'], b=['clip1']), annotations=anns), f)
    old = tmp_path / 'old.pkl'
    with open(old, 'wb') as f:
        pickle.dump(anns, f)
    assert [s.name for s in read_skeleton_file(str(new))] == ['clip0', 'clip1', 'clip2']
    assert [s.name for s in read_skeleton_file(str(new), split='a')] == ['clip0', 'clip2']
    assert [s.label for s in read_skeleton_file(str(old), names=['clip2', 'clip0'])] == [2, 0]
    with pytest.raises(InputError, match="no split named 'c'; splits in the file: \\['a', 'b'\\]"):
        read_skeleton_file(str(new), split='c')
    with pytest.raises(InputError, match="no sample named \\['clip9'\\]"):
        read_skeleton_file(str(new), names=['clip9'])


def test_mmpose_instance_info_ranks_people_by_score():
    path = osp.join(MMPOSE, 'instance_info_two_persons.json')
    sample, = read_skeleton_file(path, num_joints=17)
    assert sample.keypoint.shape == (2, 5, 17, 2) and sample.keypoint_score.shape == (2, 5, 17)
    # Person 0 is the confident one in every frame, even where MMPose listed it second.
    np.testing.assert_allclose(sample.keypoint_score[0, [0, 1, 2, 4]], 0.9, rtol=1e-6)
    np.testing.assert_allclose(sample.keypoint_score[1, [0, 1, 2, 4]], 0.4, rtol=1e-6)
    np.testing.assert_allclose(sample.keypoint[0, 2, 0], [166.0, 40 + 2 * np.sin(2)], atol=0.01)
    assert not sample.keypoint[:, 3].any()  # nobody detected in frame 3
    one, = read_skeleton_file(path, max_persons=1)
    assert one.keypoint.shape == (1, 5, 17, 2)


def test_mmpose_frames_with_score_triples():
    sample, = read_skeleton_file(osp.join(MMPOSE, 'frames_with_triples.json'))
    assert sample.keypoint.shape == (1, 4, 17, 2)
    np.testing.assert_allclose(sample.keypoint_score, 0.8, rtol=1e-6)
    np.testing.assert_allclose(sample.keypoint[0, 0, 0], [140.0, 40.0])


def test_corrupt_inputs_name_the_file_and_the_place(shared_data, tmp_path):
    src = require_data(shared_data, 'ntu-rgbd-samples', 'S001C001P001R001A001.skeleton')
    with open(src) as f:
        lines = f.read().splitlines()
    cut = tmp_path / 'S001C001P001R001A001.skeleton'
    cut.write_text('\n'.join(lines[:40]) + '\n')  # truncated in the first frame's joints
    with pytest.raises(InputError) as err:
        read_skeleton_file(str(cut))
    assert str(err.value).startswith(f'{cut}:{err.value.record.line}: ')
    assert err.value.record.file == str(cut) and err.value.record.line > 1
    assert '\n' not in str(err.value)
    garbled = tmp_path / 'g.skeleton'
    fields = lines[5].split()
    fields[1] = 'abc'  # y of the second joint of the first frame
    garbled.write_text('\n'.join(lines[:5] + [' '.join(fields)] + lines[6:]) + '\n')
    with pytest.raises(InputError, match=':6: non-numeric'):
        read_skeleton_file(str(garbled))
    bad_json = tmp_path / 'bad.json'
    bad_json.write_text('{"skeletons": [[[1, 2, 3]], [[1, 2]]]')
    with pytest.raises(InputError, match='invalid json'):
        read_skeleton_file(str(bad_json))
    bad_json.write_text('{"skeletons": [[[1, 2, 3]], [[1, 2]]]}')
    with pytest.raises(InputError, match='skeletons\\[1\\]'):
        read_skeleton_file(str(bad_json))
    nan = tmp_path / 'nan.npy'
    np.save(nan, np.full((1, 4, 25, 3), np.nan, dtype=np.float32))
    with pytest.raises(InputError, match='NaN'):
        read_skeleton_file(str(nan))
    with pytest.raises(InputError, match='unknown input format'):
        read_skeleton_file(osp.join(REPO, 'README.md'))


def test_directory_empty_npy_and_label_true_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match='is a directory') as err:
        read_skeleton_file(str(tmp_path))
    assert err.value.record.file == str(tmp_path)
    empty = tmp_path / 'empty.npy'
    empty.write_bytes(b'')
    with pytest.raises(InputError, match='empty or truncated .npy') as err:
        read_skeleton_file(str(empty))
    assert str(err.value).startswith(f'{empty}: ') and '\n' not in str(err.value)
    clip = tmp_path / 'a01_s01_e00_v01.json'
    clip.write_text(json.dumps(dict(file_name='a01_s01_e00_v01', label=True,
                                    skeletons=np.ones((3, 20, 3)).tolist())))
    with pytest.raises(InputError, match='"label" is true'):
        read_skeleton_file(str(clip))
