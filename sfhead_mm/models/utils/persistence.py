"""0-dimensional persistent homology of a Vietoris-Rips filtration, computed directly.

In a Vietoris-Rips (flag) filtration every point is born at 0 and an edge ``(i, j)`` enters at
``d(i, j)``. Sweeping the edges in that order with a union-find, an edge that joins two
components kills one of them (the elder rule; all are born at 0, so which one is immaterial):
that edge's length is a death time. The deaths are therefore the edge lengths of a minimum
spanning tree, ``n - 1`` finite pairs ``(0, death)``; the last component never dies.

This is all BlockGCN's topological embedding needs from ``torch-topological``
(``VietorisRipsComplex(dim=0)`` on top of ``giotto-ph``), without the dependency.

* :func:`persistence_pairs_0d` is the union-find sweep for one distance matrix (numpy); it also
  returns the killing edges.
* :func:`death_times_0d` is the batched tensor version the model runs: Prim's algorithm, ``n - 1``
  vectorised steps over the whole batch on the batch's device (no host round trip). Any minimum
  spanning tree has the same multiset of edge lengths, so it returns the same deaths as the sweep.

One difference from ``giotto-ph``/ripser: those drop pairs with zero persistence (coincident
points), so their diagrams can have fewer than ``n - 1`` pairs; here every pair is kept.
"""
from typing import Tuple

import numpy as np
import torch


def _check_square(shape, where: str) -> None:
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f'{where}: expected a square distance matrix (..., n, n), '
                         f'got shape {tuple(shape)}')


def persistence_pairs_0d(dist: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """0-dimensional persistence of the Vietoris-Rips filtration of one distance matrix.

    Args:
        dist (np.ndarray): (n, n) symmetric distances (only the upper triangle is read).

    Returns:
        tuple[np.ndarray, np.ndarray]: ``pairs`` (n - 1, 2) as ``(birth=0, death)`` in order of
        death, and ``edges`` (n - 1, 2), the joint pair whose edge caused each death.
    """
    dist = np.asarray(dist, dtype=np.float64)
    _check_square(dist.shape, 'persistence_pairs_0d')
    n = dist.shape[0]
    rows, cols = np.triu_indices(n, k=1)
    weights = dist[rows, cols]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps the trees shallow
            i = parent[i]
        return i

    deaths, edges = [], []
    for e in np.argsort(weights, kind='stable'):
        a, b = find(rows[e]), find(cols[e])
        if a == b:
            continue  # the edge closes a cycle: no component dies
        parent[max(a, b)] = min(a, b)
        deaths.append(weights[e])
        edges.append((rows[e], cols[e]))
        if len(deaths) == n - 1:
            break
    pairs = np.stack([np.zeros(len(deaths)), np.asarray(deaths, dtype=np.float64)], axis=1)
    return pairs.reshape(-1, 2), np.asarray(edges, dtype=np.int64).reshape(-1, 2)


@torch.no_grad()
def death_times_0d(dist: torch.Tensor) -> torch.Tensor:
    """Finite death times of 0-dimensional VR persistence, for a batch of distance matrices.

    Args:
        dist (torch.Tensor): (B, n, n) symmetric distances.

    Returns:
        torch.Tensor: (B, n - 1) deaths in ascending order (all births are 0). No gradient:
        the embedding reads the input skeleton, which has none to receive.
    """
    _check_square(dist.shape, 'death_times_0d')
    if dist.dim() != 3:
        raise ValueError(f'death_times_0d: expected (B, n, n), got {tuple(dist.shape)}')
    B, n, _ = dist.shape
    if n < 2:
        return dist.new_zeros(B, 0)
    batch = torch.arange(B, device=dist.device)
    in_tree = torch.zeros(B, n, dtype=torch.bool, device=dist.device)
    in_tree[:, 0] = True
    reach = dist[:, 0].clone()  # cheapest edge from the tree to every vertex
    inf = torch.finfo(dist.dtype).max
    deaths = []
    for _ in range(n - 1):
        step, vertex = reach.masked_fill(in_tree, inf).min(dim=1)
        deaths.append(step)
        in_tree[batch, vertex] = True
        reach = torch.minimum(reach, dist[batch, vertex])
    return torch.stack(deaths, dim=1).sort(dim=1)[0]
