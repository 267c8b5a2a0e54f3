"""HD-GCN's hierarchy builder against the authors' level tables, and the graph it builds."""
import numpy as np
import pytest

from sfhead_mm.models.utils.hd_graph import (HierarchicalGraph, hierarchical_adjacency,
                                             hierarchy_levels)
from sfhead_mm.skeleton import get_layout

# The authors' tables, 1-based, as written in Jho-Yonsei/HD-GCN graph/tools.py::get_groups
# (NTU) and in the compiled graph/__pycache__/tools.cpython-36.pyc of the same repository
# (NW-UCLA; its source is not published). Keyed by the authors' 1-based CoM number.
AUTHORS_NTU = {
    1: [[1], [2, 13, 17], [14, 18, 21], [3, 5, 9, 15, 19], [4, 6, 10, 16, 20], [7, 11],
        [8, 12, 22, 23, 24, 25]],
    2: [[2], [1, 21], [13, 17, 3, 5, 9], [14, 18, 4, 6, 10], [15, 19, 7, 11], [16, 20, 8, 12],
        [22, 23, 24, 25]],
    21: [[21], [2, 3, 5, 9], [4, 6, 10, 1], [7, 11, 13, 17], [8, 12, 14, 18],
         [22, 23, 24, 25, 15, 19], [16, 20]],
}
AUTHORS_UCLA = {
    1: [[1], [2, 13, 17], [3, 14, 18], [4, 5, 9, 15, 19], [6, 10, 16, 20], [7, 11], [8, 12]],
    2: [[2], [1, 3], [4, 5, 9, 13, 17], [6, 10, 14, 18], [7, 11, 15, 19], [8, 12, 16, 20]],
    3: [[3], [2, 4, 5, 9], [1, 6, 10], [7, 11, 13, 17], [8, 12, 14, 18], [15, 19], [16, 20]],
}


def as_sets(levels):
    return [sorted(level) for level in levels]


def zero_based(table):
    return [sorted(j - 1 for j in level) for level in table]


@pytest.mark.parametrize('layout,table', [('nturgb+d', AUTHORS_NTU), ('nw-ucla', AUTHORS_UCLA)])
def test_levels_equal_authors_tables(layout, table):
    for com, levels in table.items():
        assert as_sets(hierarchy_levels(layout, com - 1)) == zero_based(levels), \
            f'{layout} CoM {com}'


def test_com_by_name_and_default():
    ntu = get_layout('nturgb+d')
    assert hierarchy_levels('nturgb+d', 'spine_shoulder') == hierarchy_levels('nturgb+d', 20)
    # The layout's centre is the default: NTU's spine_shoulder = the authors' CoM 21.
    assert hierarchy_levels('nturgb+d') == hierarchy_levels('nturgb+d', ntu.joints.index(
        'spine_shoulder'))
    assert hierarchy_levels('nw-ucla', 'spine') == zero_based(AUTHORS_UCLA[2])


def test_max_levels_merges_the_deepest_levels():
    # CoM 1 of NTU has 8 breadth-first levels; the authors fold the hand tips into the 7th.
    full = hierarchy_levels('nturgb+d', 'spine_base', max_levels=None)
    assert len(full) == 8
    capped = hierarchy_levels('nturgb+d', 'spine_base', max_levels=7)
    assert capped[:6] == full[:6] and sorted(capped[6]) == sorted(full[6] + full[7])
    assert len(hierarchy_levels('nturgb+d', 'spine_base', max_levels=3)) == 3


@pytest.mark.parametrize('layout,com', [('nturgb+d', 20), ('nturgb+d', 0), ('nw-ucla', 1),
                                        ('coco', 0)])
def test_adjacency_connects_adjacent_levels_only(layout, com):
    graph = HierarchicalGraph(layout, com)
    V = graph.num_joints
    levels = graph.levels
    assert sorted(j for level in levels for j in level) == list(range(V))
    A = graph.A
    assert A.shape == (len(levels) - 1, 3, V, V) and A.dtype == np.float32
    for i, (upper, lower) in enumerate(zip(levels[:-1], levels[1:])):
        both = upper + lower
        identity, forward, reverse = A[i]
        assert np.array_equal(identity, np.diag(np.isin(np.arange(V), both).astype(np.float32)))
        # forward: every joint of level i sends to every joint of level i+1, averaged over
        # the receivers of each sender (columns are senders).
        expected_fwd = np.zeros((V, V), np.float32)
        expected_fwd[np.ix_(lower, upper)] = 1. / len(lower)
        np.testing.assert_allclose(forward, expected_fwd, rtol=1e-6)
        expected_rev = np.zeros((V, V), np.float32)
        expected_rev[np.ix_(upper, lower)] = 1. / len(upper)
        np.testing.assert_allclose(reverse, expected_rev, rtol=1e-6)
    # The layers the aggregation pools are the joints of two consecutive levels.
    assert graph.layers == [a + b for a, b in zip(levels[:-1], levels[1:])]


def test_custom_layout_dict():
    chain = dict(name='chain5', joints=5, edges=[(1, 0), (2, 1), (3, 2), (4, 2)], center=0)
    graph = HierarchicalGraph(chain, com=2)
    assert graph.levels == [[2], [1, 3, 4], [0]]
    assert hierarchical_adjacency(graph.levels, 5).shape == (2, 3, 5, 5)


def test_bad_choices_are_named():
    with pytest.raises(KeyError, match="no joint named 'spine_shoulder'"):
        HierarchicalGraph('nw-ucla', com='spine_shoulder')
    with pytest.raises(ValueError, match='outside 0..19'):
        HierarchicalGraph('nw-ucla', com=21)
    with pytest.raises(ValueError, match='mode'):
        HierarchicalGraph('nturgb+d', mode='uniform')
    with pytest.raises(ValueError, match='max_levels'):
        HierarchicalGraph('nturgb+d', max_levels=1)
