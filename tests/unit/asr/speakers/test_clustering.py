"""Agglomerative clustering with a stopping rule: the number of voices is where merging stops."""

from __future__ import annotations

import numpy as np

from desktop.asr.speakers.clustering import agglomerate


def _cosine_distances(points: np.ndarray) -> np.ndarray:
    unit = points / np.linalg.norm(points, axis=1, keepdims=True)
    return np.asarray(1.0 - unit @ unit.T)


def _two_voices(n: int = 10, seed: int = 0) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=16), rng.normal(size=16)
    truth = [i % 2 for i in range(n)]  # alternating, as a consultation
    points = np.stack([(a if t == 0 else b) + 0.25 * rng.normal(size=16) for t in truth])
    return points, truth


def test_two_alternating_voices_make_two_clusters() -> None:
    points, truth = _two_voices()
    result = agglomerate(_cosine_distances(points), [1.0] * len(truth), threshold=0.5)
    assert len(result.members) == 2
    assert all((result.of[i] == result.of[j]) == (truth[i] == truth[j]) for i in range(10) for j in range(10))


def test_one_voice_makes_one_cluster_and_nothing_makes_none() -> None:
    rng = np.random.default_rng(1)
    centre = rng.normal(size=16)
    points = np.stack([centre + 0.25 * rng.normal(size=16) for _ in range(8)])
    assert len(agglomerate(_cosine_distances(points), [1.0] * 8, threshold=0.5).members) == 1
    assert agglomerate(np.zeros((0, 0)), [], threshold=0.5).members == []


def test_max_clusters_and_cannot_link() -> None:
    points, _ = _two_voices(6)
    d = _cosine_distances(points)
    assert len(agglomerate(d, [1.0] * 6, threshold=0.0, max_clusters=2).members) == 2
    kept_apart = agglomerate(d, [1.0] * 6, threshold=10.0, cannot_link=[(0, 2)])
    assert kept_apart.of[0] != kept_apart.of[2]
