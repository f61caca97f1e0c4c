"""Threads for the model: half the logical cores beside speech recognition, the idle physical
cores for a draft that has the machine to itself."""

from __future__ import annotations

import sys
import types

import pytest

from desktop.llm import threads


def _machine(monkeypatch: pytest.MonkeyPatch, logical: int, physical: int, busy: list[float]) -> None:
    fake = types.SimpleNamespace(
        cpu_count=lambda logical_=True, **kw: logical if kw.get("logical", logical_) else physical,
        cpu_percent=lambda interval=0.0, percpu=False: busy,
    )
    monkeypatch.setitem(sys.modules, "psutil", fake)
    monkeypatch.setattr(threads.os, "cpu_count", lambda: logical)


@pytest.mark.parametrize(
    ("logical", "physical", "busy", "expected"),
    [
        (2, 2, [0.0, 0.0], 2),  # two idle cores without hyper-threading: both
        (2, 2, [95.0, 3.0], 1),  # another program keeps one busy: half, as while recording
        (8, 4, [2.0] * 8, 4),  # hyper-threaded, idle: the physical cores
        (8, 4, [90.0, 90.0, 90.0, 90.0, 1.0, 1.0, 1.0, 1.0], 4),  # never below half the logical cores
        (16, 16, [0.0] * 12 + [99.0] * 4, 12),  # the idle ones only
    ],
)
def test_idle_threads(
    monkeypatch: pytest.MonkeyPatch, logical: int, physical: int, busy: list[float], expected: int
) -> None:
    _machine(monkeypatch, logical, physical, busy)
    assert threads.shared_threads() == max(1, logical // 2)
    assert threads.idle_threads(sample_s=0.0) == expected


def test_without_psutil_the_shared_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psutil", None)  # import fails
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 8)
    assert threads.idle_threads() == 4


def test_the_real_machine_gives_a_usable_count() -> None:
    import os

    n = threads.idle_threads(sample_s=0.05)
    assert threads.shared_threads() <= n <= (os.cpu_count() or 1)
