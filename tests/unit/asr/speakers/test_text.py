"""What the words say about who is speaking, in English and Cantonese."""

from __future__ import annotations

from desktop.asr.speakers.text import text_evidence


def test_text_cues() -> None:
    assert text_evidence("Do you have any fever?").strongest()[0] == "doctor"
    assert text_evidence("BP 165 over 95, pulse 80").strongest()[0] == "doctor"
    assert text_evidence("I have had chest pain since yesterday").strongest()[0] == "patient"
    assert text_evidence("你有冇發燒呀？").strongest()[0] == "doctor"
    assert text_evidence("血壓一百六十五上九十五").strongest()[0] == "doctor"
    assert text_evidence("我有頭痛，成日咳").strongest()[0] == "patient"
    assert text_evidence("I am his daughter, my father fell").strongest()[0] == "other"
    assert text_evidence("").strongest()[1] == 0.0


def test_taking_someone_home_is_a_companion_and_taking_a_medicine_the_patient() -> None:
    assert text_evidence("Surely I take him out, doctor.").strongest()[0] == "other"
    assert text_evidence("We will bring her back tomorrow.").strongest()[0] == "other"
    assert text_evidence("I take metformin every morning.").strongest()[0] == "patient"
    assert text_evidence("I take it with food.").strongest()[0] == "patient"
