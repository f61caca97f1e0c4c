"""Speaker benchmark metrics."""

from __future__ import annotations

import pytest

from desktop.eval.speaker_metrics import diarisation_error_rate
from desktop.eval.speaker_samples import Turn


def test_der_uses_best_mapping() -> None:
    turns = [Turn("doctor", 0, 2, ""), Turn("patient", 2, 3, ""), Turn("doctor", 3, 4, "")]
    assert diarisation_error_rate(turns, ["patient", "doctor", "patient"]) == 0.0
    assert diarisation_error_rate(turns, ["doctor", "doctor", "doctor"]) == pytest.approx(0.25)
