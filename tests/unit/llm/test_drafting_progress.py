"""Drafting progress says how long is left, once there is a step to time."""

from __future__ import annotations

from desktop.llm.drafting import time_left


def test_time_left_appears_after_the_first_step() -> None:
    assert time_left(0.0, 0, 210) == ""
    assert time_left(10.0, 1, 210) == ", about 35 min left"
    assert time_left(2.0, 1, 10) == ", about 20 s left"
    assert time_left(100.0, 210, 210) == ""
