"""Layout registry, and layouts in MMAction2's Graph (as dicts) and bones (LayoutJointToBone)."""
import numpy as np
import pytest

from mmaction.datasets.transforms import JointToBone
from mmaction.models.utils import Graph
from sfhead_mm.datasets.transforms import LayoutJointToBone
from sfhead_mm.models.utils.graph import build_graph
from sfhead_mm.skeleton import (NTU_RGBD_25, NW_UCLA_20, get_layout, layout_from_dict,
                                list_layouts, register_layout)


def test_builtin_layouts_and_aliases():
    assert {'nturgb+d', 'nw-ucla', 'coco', 'openpose'} <= set(list_layouts())
    assert get_layout('ntu25') is NTU_RGBD_25
    assert get_layout('ucla').num_joints == 20


def test_ntu_layout_matches_mmaction_native_graph_and_bones():
    native = Graph('nturgb+d', 'spatial')
    ours = Graph(NTU_RGBD_25.graph_dict(), 'spatial')
    np.testing.assert_array_equal(native.A, ours.A)
    assert tuple(JointToBone(dataset='nturgb+d').pairs) == NTU_RGBD_25.bones


def test_nwucla_graph_and_bones_through_mmaction():
    g = Graph(NW_UCLA_20.graph_dict(), 'stgcn_spatial')  # MMAction2's Graph takes the dict
    assert g.A.shape[1:] == (20, 20)
    np.testing.assert_array_equal(build_graph(dict(layout='nw-ucla', mode='stgcn_spatial')).A,
                                  g.A)  # our backbones take the name
    bones = LayoutJointToBone(dataset='nw-ucla', target='b')
    kp = np.random.rand(1, 5, 20, 3).astype(np.float32)
    out = bones.transform(dict(keypoint=kp))['b']
    # hand (index 7) minus wrist (index 6); the root (shoulder centre, 2) is a zero bone
    np.testing.assert_allclose(out[..., 7, :], kp[..., 7, :] - kp[..., 6, :])
    np.testing.assert_allclose(out[..., 2, :], 0)
    assert dict(NW_UCLA_20.bones)[1] == 2  # spine -> shoulder centre


def test_flip_index_is_an_involution():
    for name in ('nturgb+d', 'nw-ucla', 'coco', 'openpose'):
        perm = np.array(get_layout(name).flip_index)
        assert sorted(perm) == list(range(len(perm)))
        np.testing.assert_array_equal(perm[perm], np.arange(len(perm)))


def test_bad_layouts_name_the_problem():
    with pytest.raises(ValueError, match='not connected'):
        layout_from_dict(dict(name='broken', joints=3, edges=[(1, 0)], center=0))
    with pytest.raises(ValueError, match='outside'):
        layout_from_dict(dict(name='broken', joints=2, edges=[(1, 5)], center=0))
    with pytest.raises(KeyError, match='unknown skeleton layout'):
        get_layout('no-such-layout')
    with pytest.raises(KeyError, match='no-such-layout'):
        build_graph(dict(layout='no-such-layout'))


def test_register_a_custom_layout_and_use_it_in_mmaction():
    upper = register_layout(dict(name='test-upper-body', joints=5,
                                 edges=[(1, 0), (2, 0), (3, 1), (4, 2)], center=0,
                                 left=[1, 3], right=[2, 4]))
    assert build_graph(dict(layout='test-upper-body', mode='spatial')).A.shape == (3, 5, 5)
    assert Graph(upper.graph_dict(), 'spatial').A.shape == (3, 5, 5)
    assert upper.bones == ((0, 0), (1, 0), (2, 0), (3, 1), (4, 2))
    with pytest.raises(KeyError, match='already registered'):
        register_layout(dict(name='test-upper-body', joints=2, edges=[(1, 0)], center=0))
