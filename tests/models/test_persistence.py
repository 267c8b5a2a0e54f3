"""0-dimensional persistence (union-find sweep, batched Prim) against a brute-force definition."""
import itertools

import numpy as np
import pytest
import torch

from sfhead_mm.models.utils.persistence import death_times_0d, persistence_pairs_0d


def components(adj: np.ndarray) -> int:
    """Connected components of a boolean adjacency matrix, by depth-first search."""
    n, seen, count = len(adj), set(), 0
    for s in range(n):
        if s in seen:
            continue
        count += 1
        stack = [s]
        seen.add(s)
        while stack:
            i = stack.pop()
            for j in np.flatnonzero(adj[i]):
                if j not in seen:
                    seen.add(j)
                    stack.append(j)
    return count


def brute_force_deaths(dist: np.ndarray) -> np.ndarray:
    """Deaths from the definition: at scale r the VR complex has ``components(r)`` classes, so
    ``n - components(r)`` classes have died by r. Read the deaths off every distinct scale."""
    n = len(dist)
    deaths, alive = [], n
    for r in np.unique(dist[np.triu_indices(n, 1)]):
        now = components(dist <= r)
        deaths += [r] * (alive - now)
        alive = now
    assert alive == 1
    return np.asarray(deaths)


def random_distances(rng, n, kind):
    if kind == 'euclidean':
        pts = rng.normal(size=(n, 3))
        return np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    # Small integers: many ties, where a wrong tie-break would show.
    d = rng.integers(1, 4, size=(n, n)).astype(float)
    d = np.triu(d, 1)
    return d + d.T


@pytest.mark.parametrize('kind', ['euclidean', 'ties'])
@pytest.mark.parametrize('n', [2, 5, 12, 25])
def test_union_find_equals_brute_force(kind, n):
    rng = np.random.default_rng(n)
    for _ in range(3):
        dist = random_distances(rng, n, kind)
        pairs, edges = persistence_pairs_0d(dist)
        assert pairs.shape == (n - 1, 2) and np.all(pairs[:, 0] == 0)
        np.testing.assert_allclose(pairs[:, 1], brute_force_deaths(dist))
        # Each death is the length of the edge that caused it, and those edges span all points.
        np.testing.assert_allclose(dist[edges[:, 0], edges[:, 1]], pairs[:, 1])
        tree = np.zeros((n, n), bool)
        tree[edges[:, 0], edges[:, 1]] = tree[edges[:, 1], edges[:, 0]] = True
        assert components(tree) == 1


@pytest.mark.parametrize('kind', ['euclidean', 'ties'])
def test_batched_equals_union_find(kind):
    rng = np.random.default_rng(1)
    dists = np.stack([random_distances(rng, 25, kind) for _ in range(6)])
    deaths = death_times_0d(torch.from_numpy(dists))
    assert deaths.shape == (6, 24)
    for d, got in zip(dists, deaths):
        np.testing.assert_allclose(got.numpy(), persistence_pairs_0d(d)[0][:, 1])


def test_known_diagram_and_invariances():
    # Points on a line at 0, 1, 3, 7: components merge at gaps 1, 2, 4.
    x = torch.tensor([0., 1., 3., 7.])
    dist = (x[:, None] - x[None]).abs()
    assert death_times_0d(dist[None]).tolist() == [[1., 2., 4.]]
    perm = torch.tensor([2, 0, 3, 1])
    assert death_times_0d(dist[perm][:, perm][None]).tolist() == [[1., 2., 4.]]
    assert death_times_0d((3 * dist)[None]).tolist() == [[3., 6., 12.]]
    # Coincident points die at 0 (ripser drops such pairs; here they are kept).
    assert death_times_0d(torch.zeros(1, 3, 3)).tolist() == [[0., 0.]]
    assert death_times_0d(torch.zeros(2, 1, 1)).shape == (2, 0)


def test_no_gradient_and_clear_errors():
    dist = torch.cdist(torch.randn(2, 6, 3, requires_grad=True), torch.randn(2, 6, 3))
    assert not death_times_0d(dist).requires_grad
    with pytest.raises(ValueError, match='square'):
        death_times_0d(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match='square'):
        persistence_pairs_0d(np.zeros((3, 4)))


def test_brute_force_helper_on_all_small_graphs():
    # Guard the reference itself: on 4 points with distinct weights its deaths are the
    # weights of the minimum spanning tree found by enumerating all spanning trees.
    rng = np.random.default_rng(0)
    dist = random_distances(rng, 4, 'euclidean')
    edges = list(itertools.combinations(range(4), 2))
    best = None
    for tree in itertools.combinations(edges, 3):
        adj = np.zeros((4, 4), bool)
        for i, j in tree:
            adj[i, j] = adj[j, i] = True
        if components(adj) == 1:
            w = sorted(dist[i, j] for i, j in tree)
            best = w if best is None or sum(w) < sum(best) else best
    np.testing.assert_allclose(brute_force_deaths(dist), best)
