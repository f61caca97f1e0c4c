"""Roles named from the dialogue: who asks and examines, who answers, who speaks about the patient."""

from __future__ import annotations

from desktop.asr.speakers.roles import Voice, name_roles
from desktop.asr.speakers.text import text_evidence


def _voice(key: int, first: float, seconds: float, *lines: str, enrolled: bool = False) -> Voice:
    return Voice(key, seconds, first, [text_evidence(t) for t in lines], doctor_by_voice=enrolled)


def test_the_doctor_is_who_asks_and_examines_even_when_the_patient_speaks_first() -> None:
    patient = _voice(1, 0.0, 20.0, "Doctor, I keep waking up with a headache.", "It started a month ago.")
    doctor = _voice(
        2, 4.0, 18.0, "How long has this been going on?", "Any blurred vision?", "Look straight ahead."
    )
    roles = name_roles([patient, doctor])
    assert roles[2][0] == "doctor" and roles[1][0] == "patient"
    assert roles[2][1] > 0.6


def test_cantonese_dialogue_names_the_roles() -> None:
    doctor = _voice(1, 0.0, 10.0, "你有冇發燒呀？", "我幫你檢查下個肚。")
    patient = _voice(2, 3.0, 12.0, "我個肚好痛。", "醫生，係咪好嚴重呀？")
    roles = name_roles([patient, doctor])
    assert roles[1][0] == "doctor" and roles[2][0] == "patient"


def test_two_voices_are_never_one_label() -> None:
    for count in (2, 3):
        silent = [_voice(k, float(k), 5.0) for k in range(count)]
        roles = name_roles(silent)
        names = [role for role, _ in roles.values()]
        assert names.count("doctor") == 1 and names.count("patient") >= 1
        assert roles[0][0] == "doctor"  # with no words at all, the opener
    # a third voice is a companion only when its words say so
    third = _voice(2, 9.0, 5.0, "My mother has been coughing all week.")
    assert name_roles([*silent[:2], third])[2][0] == "other"


def test_enrolled_voice_and_companion() -> None:
    doctor = _voice(1, 5.0, 10.0, "I'm his son, he fell last night.", enrolled=True)
    son = _voice(2, 0.0, 10.0, "I'm his son. My father fell.", "He has been drinking very little.")
    father = _voice(3, 8.0, 4.0, "My hip hurts.")
    roles = name_roles([doctor, son, father])
    assert roles[1][0] == "doctor" and roles[2][0] == "other" and roles[3][0] == "patient"


def test_a_single_voice_speaking_as_the_patient_is_the_patient() -> None:
    roles = name_roles([_voice(1, 0.0, 6.0, "Doctor, I have had a cough since yesterday.")])
    assert roles[1][0] == "patient"
    assert name_roles([_voice(1, 0.0, 6.0, "Good morning, what brings you in?")])[1][0] == "doctor"
