"""Written Chinese for the note, the note's language, and the medications read from the lines."""

from __future__ import annotations

import pytest

from desktop.asr.transcript_file import parse_transcript_text
from desktop.core.types import NoteStatement, Transcript, TranscriptSegment
from desktop.llm.medications import line_status, medications_by_rule, merge_medications, stopped_drugs
from desktop.llm.written import note_language, to_note_text, written_chinese


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("唔該醫生", "謝謝醫生"),
        ("我成日頭痛", "我經常頭痛"),
        ("冇發燒", "沒有發燒"),
        ("佢琴晚咳咗好耐", "他昨晚咳了很久"),
        ("唔好食煎炸嘢", "不要食煎炸東西"),
        ("關係唔大", "關係不大"),  # 關係 is written Chinese already: its 係 stays
    ],
)
def test_colloquial_cantonese_becomes_written_chinese(spoken: str, written: str) -> None:
    assert written_chinese(spoken) == written


def test_model_text_goes_to_the_clinics_script_and_english_is_untouched() -> None:
    assert to_note_text("暂停 metformin 500 mg", "hk", "zh") == "暫停 metformin 500 mg"
    assert to_note_text("暫停", "cn", "zh") == "暂停"
    assert to_note_text("Stop the amlodipine.", "hk", "en") == "Stop the amlodipine."


def _t(text: str) -> Transcript:
    return Transcript("auto", [TranscriptSegment("s1", 0, 1, text, speaker="patient")])


def test_same_as_consultation_follows_what_most_was_said_in() -> None:
    assert note_language("same-as-consultation", _t("我食緊 metformin 五百毫克，一日兩次")) == "zh"
    assert note_language("same-as-consultation", _t("I take metformin 500 mg twice a day")) == "en"
    assert note_language("en", _t("我咳咗三日")) == "en"
    assert note_language("zh", _t("cough")) == "zh"


def test_each_drug_once_with_what_the_last_line_says_about_it() -> None:
    transcript = parse_transcript_text(
        "P|I take metformin 500 mg twice a day and amlodipine.\n"
        "D|Any allergies?\n"
        "P|I'm allergic to penicillin, it gives me a rash.\n"
        "D|The swelling is from the amlodipine, so stop the amlodipine.\n"
        "D|I'll start losartan 50 mg once a day.\n"
        "D|我開撲熱息痛俾你。\n"
    )
    meds = {st.text: (st.status, st.evidence) for st in medications_by_rule(transcript)}
    assert meds == {
        "Metformin 500 mg": ("taking", ["s1"]),
        "Amlodipine": ("stopped", ["s1", "s4"]),
        "Penicillin": ("allergy", ["s3"]),
        "Losartan 50 mg": ("started", ["s5"]),
        "撲熱息痛": ("started", ["s6"]),
    }
    stopped = stopped_drugs(transcript)
    assert stopped["amlodipine"] == ("stopped", "s4")
    assert stopped["penicillin"] == ("allergy", "s3")
    assert stopped["amoxicillin"] == ("allergy", "s3")  # a penicillin: the allergy covers it
    assert "metformin" not in stopped and "losartan" not in stopped


def test_a_line_that_stops_one_drug_and_starts_another_says_so_for_each() -> None:
    transcript = parse_transcript_text(
        "D|Come off the naproxen and take omeprazole 20 mg instead.\n"
        "P|I'm allergic to codeine and tramadol.\n"
    )
    meds = {st.text.split()[0]: st.status for st in medications_by_rule(transcript)}
    assert meds == {
        "Naproxen": "stopped",
        "Omeprazole": "started",
        "Codeine": "allergy",
        "Tramadol": "allergy",
    }
    assert {k for k, (why, _) in stopped_drugs(transcript).items() if why == "stopped"} == {"naproxen"}
    assert {"codeine", "tramadol"} <= set(stopped_drugs(transcript))


def test_a_drug_continued_after_another_is_stopped_is_not_stopped() -> None:
    # ACI-Bench D2N104: the draft listed methotrexate as stopped
    transcript = parse_transcript_text(
        "D|We'll stop your prednisone and continue with the methotrexate.\n"
        "D|停咗 amlodipine，繼續食 metformin。\n"
    )
    meds = {st.text.split()[0]: st.status for st in medications_by_rule(transcript)}
    assert meds == {
        "Prednisone": "stopped",
        "Methotrexate": "taking",
        "Amlodipine": "stopped",
        "Metformin": "taking",
    }
    assert set(stopped_drugs(transcript)) == {"prednisone", "amlodipine"}


def test_thanks_said_in_full_become_written_chinese_in_the_hong_kong_script() -> None:
    assert to_note_text("好，唔該晒。", "hk", "zh") == "好，謝謝。"


def test_line_status_words() -> None:
    assert line_status("Please stop the ibuprofen") == "stopped"
    assert line_status("你要停咗個ibuprofen") == "stopped"
    assert line_status("I'll increase the metformin to 1 g") == "changed"
    assert line_status("我對aspirin敏感") == "allergy"
    assert line_status("I take aspirin every morning") == "taking"


def test_the_drafts_statuses_are_the_consultations_decisions_read_as_the_checks_read_them() -> None:
    transcript = parse_transcript_text(
        "P|I've tried ibuprofen, it helps a little.\n"
        "D|You're on lisinopril 20 mg, and my GP started me on metformin last year, you said.\n"
        "D|I'm going to prescribe ibuprofen 800 mg three times a day with food.\n"
        "D|Keep the lisinopril as it is, and start amlodipine 5 mg once a day.\n"
    )
    statuses = {st.text.split()[0]: st.status for st in medications_by_rule(transcript)}
    assert statuses == {
        "Ibuprofen": "changed",  # taken already, now at a prescribed dose
        "Lisinopril": "taking",
        "Metformin": "taking",  # started before this visit
        "Amlodipine": "started",
    }


def test_the_models_medications_are_checked_against_the_transcript() -> None:
    transcript = parse_transcript_text(
        "D|You take farxiga and amlodipine. Stop the amlodipine.\n"
        "D|And the cisplestan 40 mg daily carries on.\n"
        "D|Your a1c was six point seven.\n"
    )
    rule = medications_by_rule(transcript)
    model = [
        NoteStatement(text="farxiga and amlodipine", evidence=["s1"], status="taking"),
        NoteStatement(text="a1c of six point seven", evidence=["s3"], status="taking"),
        NoteStatement(text="no medications mentioned", status="taking"),
        NoteStatement(text="cisplestan 40 mg daily", evidence=["s2"], status="taking"),
    ]
    merged = {st.text: st.status for st in merge_medications(model, rule, True, transcript.text())}
    assert merged == {
        "amlodipine": "stopped",  # split from the model's one line, status from the transcript
        "dapagliflozin": "taking",
        "cisplestan 40 mg daily": "taking",  # a name no dictionary knows, said in the transcript: kept
    }
    assert [st.source for st in merge_medications([], rule, False, transcript.text())] == ["quote"] * len(
        rule
    )


def test_drugs_named_in_questions_and_allergens_are_listed_with_the_reading() -> None:
    transcript = parse_transcript_text(
        "D|Are you still taking the lisinopril 20 mg? And the metformin 1,000 mg?\n"
        "P|Yes, both, every day.\n"
        "D|Any allergies? Penicillin?\n"
        "P|Yes, penicillin gives me hives.\n"
        "D|Let's continue you on the allopurinol 100 mg once a day.\n"
        "D|Order allopurinol 100 mg once daily.\n"
        "P|And my aspirin 1,000 mg, I take that too.\n"
    )
    meds = {st.text: st.status for st in medications_by_rule(transcript)}
    assert meds["Aspirin 1,000 mg"] == "taking"
    assert any(t.startswith("Metformin") and s == "taking" for t, s in meds.items())
    assert meds["Allopurinol 100 mg"] == "taking"  # the order after "continue" is the refill
    assert any(t.startswith("Lisinopril") and s == "taking" for t, s in meds.items())
    assert any(t.lower().startswith("penicillin") and s == "allergy" for t, s in meds.items())
    assert not any(t.lower().startswith("amoxicillin") for t in meds)  # a drug of the class is not listed
