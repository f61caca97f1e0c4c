"""The development set of the speaker benchmark: the voices and wording the labeller is tuned on.

espeak-ng voices only (variants m3, f3, m7 in English and Cantonese), and sox pitch, tempo and
formant variants of them; the scripts below. The frozen test set (:mod:`desktop.eval.speaker_test_set`)
shares none of these voices, adds an engine these never use (Piper), and has its own wording.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from desktop.asr.speakers import features as sf
from desktop.asr.speakers.profile import enrolment_prompt
from desktop.eval.speaker_samples import Microphones, Scenario, Turn, Voice, read_wav

# Voices used by the benchmark: clearly different (male/female, pitch, variant) and a similar pair.
DOCTOR_EN = Voice("en+m3", pitch=40, speed=165)
PATIENT_EN = Voice("en+f3", pitch=70, speed=150)
OTHER_EN = Voice("en+m7", pitch=60, speed=140)
DOCTOR_YUE = Voice("yue+m3", pitch=40, speed=165)
PATIENT_YUE = Voice("yue+f3", pitch=70, speed=150)
OTHER_YUE = Voice("yue+m7", pitch=60, speed=140)
SIMILAR_PATIENT_EN = Voice("en+m3", pitch=48, speed=150)


# sox variants of the development voices (pitch in cents, tempo, formant stretch)
DOCTOR_EN_SHIFTED = Voice("en+m3", pitch=40, speed=165, shift_cents=-150, formant=0.94)
PATIENT_EN_SHIFTED = Voice("en+f3", pitch=70, speed=150, tempo=1.1, formant=1.06)
PATIENT_YUE_AS_DOCTOR = Voice("yue+f3", pitch=60, speed=160, formant=1.04)  # a woman doctor
DOCTOR_YUE_AS_PATIENT = Voice("yue+m3", pitch=35, speed=140, shift_cents=-100)  # a man as patient

ENROLMENT_EN = enrolment_prompt("en")
ENROLMENT_YUE = enrolment_prompt("zh")

SCRIPT_EN_2: list[tuple[str, str]] = [
    ("doctor", "Good morning. What brings you in today?"),
    ("patient", "I have had a cough and a sore throat for about five days."),
    ("doctor", "Do you have any fever or shortness of breath?"),
    ("patient", "I had a fever of thirty eight point five two nights ago, but no shortness of breath."),
    ("doctor", "Are you coughing up any phlegm?"),
    ("patient", "Yes, it is yellow, mostly in the mornings."),
    ("doctor", "Any chest pain when you breathe in?"),
    ("patient", "No, my chest feels fine, just tired."),
    ("doctor", "Do you have any allergies to medicines?"),
    ("patient", "I am allergic to penicillin, I get a rash."),
    ("doctor", "Let me listen to your chest. Take a deep breath in and out."),
    ("doctor", "Temperature thirty seven point eight. Chest has a few crackles at the right base."),
    ("doctor", "Blood pressure one hundred and twenty eight over eighty two, pulse ninety two."),
    ("patient", "Is it something serious, doctor?"),
    ("doctor", "It looks like a chest infection. I will give you doxycycline for seven days."),
    ("patient", "Okay, thank you. Can I still go to work?"),
    ("doctor", "Rest for two days and come back if the fever lasts more than three days."),
    ("patient", "Thank you very much, doctor."),
]

SCRIPT_YUE_2: list[tuple[str, str]] = [
    ("doctor", "早晨，今日有咩唔舒服呀？"),
    ("patient", "我頭先開始咳咗五日，喉嚨好痛。"),
    ("doctor", "你有冇發燒或者氣促呀？"),
    ("patient", "前晚發燒三十八度半，冇氣促。"),
    ("doctor", "咳嗰陣有冇痰呀？咩顏色？"),
    ("patient", "有，黃色嘅痰，朝早多啲。"),
    ("doctor", "你對任何藥物敏感嗎？"),
    ("patient", "我對盤尼西林敏感，會出紅疹。"),
    ("doctor", "我幫你聽下個肺，深呼吸，吸氣，呼氣。"),
    ("doctor", "體溫三十七點八度，右下肺有少少囉音。"),
    ("doctor", "血壓一百二十八上八十二，脈搏九十二。"),
    ("patient", "醫生，係咪好嚴重呀？"),
    ("doctor", "應該係肺炎，我開七日抗生素俾你。"),
    ("patient", "好，唔該晒醫生，我仲可唔可以返工？"),
    ("doctor", "休息兩日，如果發燒超過三日就要返嚟覆診。"),
    ("patient", "多謝醫生。"),
]

SCRIPT_EN_3: list[tuple[str, str]] = [
    ("doctor", "Good afternoon. What seems to be the problem?"),
    ("other", "I am his daughter. My father has been very confused since yesterday."),
    ("doctor", "Mister Chan, how are you feeling today?"),
    ("patient", "I feel dizzy and I have a headache."),
    ("doctor", "When did the headache start?"),
    ("patient", "It started two days ago, at the back of my head."),
    ("other", "He also fell in the bathroom this morning."),
    ("doctor", "Did he hit his head when he fell?"),
    ("other", "I think so, he has a bruise on his forehead."),
    ("doctor", "Are you taking any blood thinners, like warfarin?"),
    ("patient", "Yes, I take warfarin every evening."),
    ("doctor", "Blood pressure one hundred and sixty five over ninety five. Pupils equal and reactive."),
    ("doctor", "He needs a scan of his head today at the hospital."),
    ("other", "Should I take him now, doctor?"),
    ("doctor", "Yes, I will write a referral letter for the emergency department."),
    ("patient", "Thank you, doctor."),
]

SCRIPT_YUE_3: list[tuple[str, str]] = [
    ("doctor", "午安，今日有咩幫到你？"),
    ("other", "我係佢個女，我爸爸由尋日開始好混亂。"),
    ("doctor", "陳生，你今日覺得點呀？"),
    ("patient", "我好暈，頭好痛。"),
    ("doctor", "頭痛幾時開始㗎？"),
    ("patient", "兩日前開始，後腦好痛。"),
    ("other", "佢今朝仲喺廁所跌親。"),
    ("doctor", "佢跌親嗰陣有冇撞到個頭？"),
    ("other", "應該有，額頭有塊瘀青。"),
    ("doctor", "你有冇食薄血藥，例如華法林？"),
    ("patient", "有，我每晚都食華法林。"),
    ("doctor", "血壓一百六十五上九十五，瞳孔對光有反應。"),
    ("doctor", "佢今日要去醫院照腦掃描。"),
    ("other", "醫生，我而家帶佢去得唔得？"),
    ("doctor", "得，我寫封轉介信俾急症室。"),
    ("patient", "唔該醫生。"),
]

SCRIPT_DICTATION: list[tuple[str, str]] = [
    ("doctor", "Clinic note for Mister Lee, sixty two years old, follow up of hypertension."),
    ("doctor", "He reports good adherence to amlodipine five milligrams daily."),
    ("doctor", "I have reviewed his home readings, mostly around one hundred and forty over ninety."),
    (
        "doctor",
        "On examination blood pressure one hundred and sixty five over ninety five, pulse seventy eight.",
    ),
    ("doctor", "Do we need to increase the dose? Yes, increase amlodipine to ten milligrams."),
    ("doctor", "I have a plan to recheck renal function and review in four weeks."),
]


def _mixed_script() -> list[tuple[str, str]]:
    """Doctor in English, patient answering in Cantonese, as is common in Hong Kong clinics."""
    patient_lines = [text for role, text in SCRIPT_YUE_2 if role == "patient"]
    out: list[tuple[str, str]] = []
    k = 0
    for role, text in SCRIPT_EN_2:
        if role == "patient":
            out.append((role, patient_lines[k % len(patient_lines)]))
            k += 1
        else:
            out.append((role, text))
    return out


SCRIPT_MIXED_2 = _mixed_script()


def dev_scenarios() -> list[Scenario]:
    """The development consultations (tuned on)."""
    en2 = (("doctor", DOCTOR_EN), ("patient", PATIENT_EN))
    yue2 = (("doctor", DOCTOR_YUE), ("patient", PATIENT_YUE))
    en3 = (("doctor", DOCTOR_EN), ("patient", PATIENT_EN), ("other", OTHER_EN))
    yue3 = (("doctor", DOCTOR_YUE), ("patient", PATIENT_YUE), ("other", OTHER_YUE))
    mixed = (("doctor", DOCTOR_EN), ("patient", PATIENT_YUE))
    similar = (("doctor", DOCTOR_EN), ("patient", SIMILAR_PATIENT_EN))
    shifted = (("doctor", DOCTOR_EN_SHIFTED), ("patient", PATIENT_EN_SHIFTED))
    shifted_yue = (("doctor", PATIENT_YUE_AS_DOCTOR), ("patient", DOCTOR_YUE_AS_PATIENT))
    hall = (("doctor", Voice("en+m7", pitch=45, speed=140)), ("patient", Voice("en+f3", pitch=60, speed=145)))
    return [
        Scenario("en-2voice", tuple(SCRIPT_EN_2), en2, ENROLMENT_EN, seed=1),
        Scenario("yue-2voice", tuple(SCRIPT_YUE_2), yue2, ENROLMENT_YUE, seed=2, language="yue"),
        Scenario("en-doctor-yue-patient", tuple(SCRIPT_MIXED_2), mixed, ENROLMENT_EN, seed=3, language="auto"),
        Scenario("en-2voice-patient-first", tuple(SCRIPT_EN_2[1:]), en2, ENROLMENT_EN, seed=12),
        Scenario("en-2voice-noisy", tuple(SCRIPT_EN_2), en2, ENROLMENT_EN, snr_db=10.0, seed=4),
        Scenario("en-3voice", tuple(SCRIPT_EN_3), en3, ENROLMENT_EN, seed=5),
        Scenario("yue-3voice", tuple(SCRIPT_YUE_3), yue3, ENROLMENT_YUE, seed=6, language="yue"),
        Scenario("en-similar-voices", tuple(SCRIPT_EN_2), similar, ENROLMENT_EN, seed=7),
        Scenario("en-single-voice", tuple(SCRIPT_DICTATION), (("doctor", DOCTOR_EN),), ENROLMENT_EN, seed=8),
        Scenario("en-2voice-2channel", tuple(SCRIPT_EN_2), en2, ENROLMENT_EN, two_channel=True, seed=9),
        Scenario(
            "en-similar-voices-2channel", tuple(SCRIPT_EN_2), similar, ENROLMENT_EN, two_channel=True, seed=11
        ),
        Scenario(
            "yue-3voice-2channel", tuple(SCRIPT_YUE_3), yue3, ENROLMENT_YUE, two_channel=True, seed=10,
            language="yue",
        ),
        # sox variants of the development voices, other rooms and noise
        Scenario(
            "en-2voice-shifted", tuple(SCRIPT_EN_2), shifted, ENROLMENT_EN, seed=13, room="office", noise="fan",
            snr_db=15.0,
        ),
        Scenario(
            "yue-2voice-female-doctor", tuple(SCRIPT_YUE_2), shifted_yue, ENROLMENT_YUE, seed=14, language="yue"
        ),
        # a large echoing room with noise near the level of speech, two other variants of the voices
        Scenario(
            "en-2voice-hall-noisy", tuple(SCRIPT_EN_2), hall, ENROLMENT_EN, seed=16, room="hall", noise="fan",
            snr_db=8.0,
        ),
        Scenario(
            "en-2voice-shifted-2channel", tuple(SCRIPT_EN_2), shifted, ENROLMENT_EN, two_channel=True, seed=15,
            room="office", microphones=Microphones(doctor_on_room=6.0, others_on_lapel=12.0, lapel_dry=True),
        ),
    ]  # fmt: skip


def real_recordings(shared: Path) -> list[tuple[str, np.ndarray, list[Turn]]]:
    """Real recordings of one person each (JFK clip; two AISHELL-1 utterances of one speaker), and the
    two people taking turns (different recordings too, so the channel differs as well as the voice)."""
    clips = shared / "asr-smoke-clips"
    out: list[tuple[str, np.ndarray, list[Turn]]] = []
    jfk = clips / "whisper_jfk_en.wav"
    if jfk.exists():
        x, _ = read_wav(jfk)
        speech = sf.frame_features(x).speech
        turns, start, silent = [], None, 0
        for i, s in enumerate(np.append(speech, [False] * 30)):
            if s:
                start = i if start is None else start
                silent = 0
            elif start is not None:
                silent += 1
                if silent == 25:
                    turns.append(Turn("doctor", start / 100.0, (i - 24) / 100.0, ""))
                    start = None
        out.append(("real-jfk-one-voice", x, turns))
    a, b = clips / "BAC009S0764W0121.wav", clips / "BAC009S0764W0122.wav"
    if a.exists() and b.exists():
        xa, _ = read_wav(a)
        xb, _ = read_wav(b)
        gap = np.zeros(8000, dtype=np.float32)
        x = np.concatenate([xa, gap, xb]).astype(np.float32)
        t1 = len(xa) / 16000.0
        turns = [Turn("doctor", 0.0, t1, ""), Turn("doctor", t1 + 0.5, t1 + 0.5 + len(xb) / 16000.0, "")]
        out.append(("real-aishell-one-voice", x, turns))
    if len(out) == 2:
        # Two real people taking turns: JFK's phrases (English) and the AISHELL-1 speaker (Mandarin).
        (_, jx, jturns), (_, ax, aturns) = out
        pieces: list[tuple[str, np.ndarray]] = []
        for k, t in enumerate(jturns):
            pieces.append(("doctor", jx[int(t.start * 16000) : int(t.end * 16000)]))
            if k < len(aturns):
                at = aturns[k]
                pieces.append(("patient", ax[int(at.start * 16000) : int(at.end * 16000)]))
        gap = np.zeros(8000, dtype=np.float32)
        audio: list[np.ndarray] = []
        mixed_turns = []
        pos = 0
        for role, clip in pieces:
            audio += [clip, gap]
            mixed_turns.append(Turn(role, pos / 16000.0, (pos + len(clip)) / 16000.0, ""))
            pos += len(clip) + len(gap)
        out.append(("real-two-voices", np.concatenate(audio).astype(np.float32), mixed_turns))
    return out
