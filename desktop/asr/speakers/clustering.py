"""How many people spoke, and which utterances are whose: agglomerative clustering with a stopping rule.

Every utterance with enough speech is a point; the distance between two utterances is the
embedder's (cosine for a learned embedding, divergence of voice statistics for the built-in
one). Clusters are merged closest first, the distance between two clusters being the average of
the distances between their members weighted by how much speech each has (average linkage,
updated by the Lance-Williams rule), and merging stops when the closest two clusters are further
apart than the threshold: the number of voices is not given, it is where the merging stops.
The whole consultation is clustered again as it grows, so an early decision made on little
speech is revised as soon as more is heard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class Clusters:
    """``members[k]`` are the point indices of cluster ``k``; ``of[i]`` is the cluster of point ``i``."""

    members: list[list[int]]
    of: list[int]
    distance: np.ndarray  # (clusters, clusters) average-linkage distances at the end


def agglomerate(
    distances: np.ndarray,
    weights: Sequence[float],
    threshold: float,
    *,
    max_clusters: int | None = None,
    cannot_link: Sequence[tuple[int, int]] = (),
    short_s: float = 0.0,
) -> Clusters:
    """Weighted average-linkage clustering of a symmetric distance matrix, stopped at ``threshold``.

    ``weights`` are seconds of speech. Embeddings of short utterances scatter more, so two
    clusters are compared on their distance divided by ``1 + short_s / s``, ``s`` being the
    speech of the smaller one: they are merged closest (so scaled) first, while that is below
    ``threshold``.

    ``max_clusters`` keeps merging past the threshold until no more clusters remain; a pair in
    ``cannot_link`` is never put in one cluster (two different channels' speakers, say).
    """
    n = len(weights)
    if n == 0:
        return Clusters([], [], np.zeros((0, 0)))
    d = np.array(distances, dtype=np.float64, copy=True)
    np.fill_diagonal(d, np.inf)
    for i, j in cannot_link:
        d[i, j] = d[j, i] = np.inf
    w = np.asarray(weights, dtype=np.float64).copy()
    alive = np.ones(n, dtype=bool)
    members: list[list[int]] = [[i] for i in range(n)]
    while alive.sum() > 1:
        scale = 1.0 + short_s / np.maximum(np.minimum(w[:, None], w[None, :]), 1e-3)
        masked = np.where(alive[:, None] & alive[None, :], d / scale, np.inf)
        flat = int(np.argmin(masked))
        i, j = divmod(flat, n)
        best = masked[i, j]
        if not np.isfinite(best):
            break
        if best > threshold and (max_clusters is None or alive.sum() <= max_clusters):
            break
        # Lance-Williams update for weighted average linkage; "cannot link" stays infinite.
        merged = (w[i] * d[i] + w[j] * d[j]) / (w[i] + w[j])
        merged[~np.isfinite(d[i]) | ~np.isfinite(d[j])] = np.inf
        d[i, :] = merged
        d[:, i] = merged
        d[i, i] = np.inf
        w[i] += w[j]
        alive[j] = False
        members[i].extend(members[j])
        members[j] = []
    order = [k for k in range(n) if alive[k]]
    clusters = [sorted(members[k]) for k in order]
    of = [0] * n
    for index, group in enumerate(clusters):
        for point in group:
            of[point] = index
    final = d[np.ix_(order, order)]
    return Clusters(clusters, of, final)
