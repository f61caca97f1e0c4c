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
    start: Sequence[Sequence[int]] | None = None,
) -> Clusters:
    """Weighted average-linkage clustering of a symmetric distance matrix, stopped at ``threshold``.

    ``weights`` are seconds of speech. Embeddings of short utterances scatter more, so two
    clusters are compared on their distance divided by ``1 + short_s / s``, ``s`` being the
    speech of the smaller one: they are merged closest (so scaled) first, while that is below
    ``threshold``.

    ``start`` groups points that are already known to belong together (the clusters of the last
    call, in a long consultation); merging then continues from those groups, which costs far less
    than starting from single points.

    ``max_clusters`` keeps merging past the threshold until no more clusters remain; a pair in
    ``cannot_link`` is never put in one cluster (two different channels' speakers, say).
    """
    if start is not None:
        return _from_groups(distances, weights, threshold, start, max_clusters, short_s)
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
    # Distances as compared (scaled for short clusters); a dead cluster's row and column are infinite.
    scaled = d / (1.0 + short_s / np.maximum(np.minimum(w[:, None], w[None, :]), 1e-3))
    while alive.sum() > 1:
        flat = int(np.argmin(scaled))
        i, j = divmod(flat, n)
        best = scaled[i, j]
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
        row = merged / (1.0 + short_s / np.maximum(np.minimum(w[i], w), 1e-3))
        row[~alive] = np.inf
        row[i] = np.inf
        scaled[i, :] = row
        scaled[:, i] = row
        scaled[j, :] = np.inf
        scaled[:, j] = np.inf
    order = [k for k in range(n) if alive[k]]
    clusters = [sorted(members[k]) for k in order]
    of = [0] * n
    for index, group in enumerate(clusters):
        for point in group:
            of[point] = index
    final = d[np.ix_(order, order)]
    return Clusters(clusters, of, final)


def _from_groups(
    distances: np.ndarray,
    weights: Sequence[float],
    threshold: float,
    groups: Sequence[Sequence[int]],
    max_clusters: int | None,
    short_s: float,
) -> Clusters:
    """Average linkage continued from ``groups``: their weighted average distances, then merging."""
    w = np.asarray(weights, dtype=np.float64)
    n = len(w)
    member = np.zeros((len(groups), n))
    for g, points in enumerate(groups):
        member[g, list(points)] = w[list(points)]
    totals = member.sum(axis=1)
    between = (member @ np.asarray(distances, dtype=np.float64) @ member.T) / np.outer(totals, totals)
    merged = agglomerate(between, totals.tolist(), threshold, max_clusters=max_clusters, short_s=short_s)
    members = [sorted(p for g in cluster for p in groups[g]) for cluster in merged.members]
    of = [0] * n
    for index, points in enumerate(members):
        for point in points:
            of[point] = index
    return Clusters(members, of, merged.distance)
