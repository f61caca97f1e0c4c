from __future__ import annotations

import pytest

from desktop.eval.streaming_metrics import (
    align,
    edit_distance,
    error_rate,
    percentile,
    script_conformity,
    tokens,
)


def test_english_tokens_are_normalised() -> None:
    assert tokens("And so, my fellow Americans!") == ["and", "so", "my", "fellow", "americans"]
    assert tokens("one, two, three") == tokens("1, 2, 3") == ["1", "2", "3"]
    assert tokens("Don't") == ["don't"]


def test_chinese_tokens_are_characters_in_one_script() -> None:
    assert tokens("甚至出現，交易！") == tokens("甚至出现交易") == ["甚", "至", "出", "现", "交", "易"]


def test_error_rates() -> None:
    assert edit_distance(list("abc"), list("abd")) == 1
    assert error_rate("ask not what your country can do", "ask what your country can do") == (1, 7)
    assert error_rate("甚至出现交易几乎停滞的情况", "甚至出現交易幾乎停止的情況") == (1, 13)


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 95) == pytest.approx(9.5)


def test_alignment_pairs_matching_tokens() -> None:
    assert align(["a", "b", "c", "d"], ["a", "c", "d"]) == [(0, 0), (2, 1), (3, 2)]


def test_script_conformity() -> None:
    assert script_conformity("出現交易", "hk") == (4, 4)
    assert script_conformity("出现交易", "hk") == (3, 4)  # 现 is Simplified
    assert script_conformity("出现交易", "cn") == (4, 4)
    assert script_conformity("paracetamol 500 mg", "hk") == (0, 0)
