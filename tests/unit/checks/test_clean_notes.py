"""Correct notes stay clean: wordings that read as an error to a careless reader, each beside the
error it must still catch."""

from __future__ import annotations

import pytest

from desktop.asr.transcript_file import parse_transcript_text
from desktop.checks.engine import Checker
from desktop.checks.model import ALLERGY_DRUG, DOSE, FREQUENCY, NEGATION, STOPPED_DRUG, CheckResult
from desktop.checks.report import plain_text
from desktop.core.types import NoteStatement, SoapNote


def _check(checker: Checker, transcript: str, **sections: list[str]) -> CheckResult:
    note = SoapNote(chief_complaint="Review")
    for name, texts in sections.items():
        setattr(note, name, [NoteStatement(t) for t in texts])
    return checker.check(parse_transcript_text(transcript), note)


def _kinds(result: CheckResult) -> set[str]:
    return {f.type for f in result.flags}


def _omitted(result: CheckResult) -> str:
    return " | ".join(f.message for f in result.omissions)


@pytest.mark.parametrize(
    ("transcript", "sections"),
    [
        # the findings of a safety net are its conditions
        (
            "D|Any breathlessness or leg swelling?\nP|No.\n"
            "D|If you get breathlessness or a painful swollen calf, go straight to A&E.\n",
            {
                "subjective": ["No breathlessness or leg swelling."],
                "patient_instructions": ["Breathlessness or painful swollen calf: go to A&E immediately."],
            },
        ),
        # a test named after a finding, negative on both sides
        (
            "D|Your sputum culture from last month came back negative.\n",
            {"objective": ["Sputum culture (last month): negative."]},
        ),
        # 冇咁攰 is "less tired", not "not tired"
        ("P|冇咁攰喇，行樓梯都冇以前咁喘。\n", {"subjective": ["疲倦及上樓梯氣促有改善。"]}),
    ],
)
def test_conditions_test_names_and_comparisons_are_no_findings(
    checker: Checker, transcript: str, sections: dict[str, list[str]]
) -> None:
    result = _check(checker, transcript, **sections)
    assert NEGATION not in _kinds(result), plain_text(result)


def test_a_finding_denied_and_written_as_present_is_still_red(checker: Checker) -> None:
    transcript = "D|Any breathlessness or leg swelling?\nP|No.\nD|If you get breathlessness, go to A&E.\n"
    result = _check(checker, transcript, subjective=["Breathlessness on exertion."])
    assert NEGATION in _kinds(result), plain_text(result)


def test_a_strength_said_in_words_is_no_tablet_count(checker: Checker) -> None:
    transcript = "P|I take the co-codamol thirty-five hundred, two at a time, most days.\n"
    result = _check(checker, transcript, subjective=["Co-codamol 30/500 two tablets most days."])
    assert DOSE not in _kinds(result), plain_text(result)
    result = _check(checker, transcript, subjective=["Co-codamol 30/500 four tablets most days."])
    assert DOSE in _kinds(result), plain_text(result)


def test_the_dose_changed_from_keeps_its_unit(checker: Checker) -> None:
    transcript = "D|Levothyroxine 由七十五加到一百 microgram，每朝一粒。\n"
    result = _check(
        checker,
        transcript,
        subjective=["Taking levothyroxine 75 mcg every morning."],
        plan=["Increase levothyroxine from 75 mcg to 100 mcg every morning."],
    )
    assert DOSE not in _kinds(result), plain_text(result)
    result = _check(
        checker, transcript, plan=["Increase levothyroxine from 75 mcg to 125 mcg every morning."]
    )
    assert DOSE in _kinds(result), plain_text(result)


def test_a_pressure_said_as_one_twenty_over_seventy_six(checker: Checker) -> None:
    transcript = "D|Pulse sixty-two, blood pressure one-twenty over seventy-six.\n"
    assert "BP" not in _omitted(_check(checker, transcript, objective=["HR 62, BP 120/76."]))
    assert "BP" in _omitted(_check(checker, transcript, objective=["HR 62."]))


@pytest.mark.parametrize(
    ("transcript", "sections"),
    [
        # the dose after a bracket of ingredients is the product's
        (
            "D|For the malaria I'll give you Malarone, one tablet a day.\n",
            {"plan": ["Malarone (atovaquone/proguanil) 1 tab daily."]},
        ),
        # a plural name
        (
            "D|Today we give you the typhoid vaccine.\n",
            {"plan": ["Hepatitis A and typhoid vaccines given today."]},
        ),
        # "promptly" is urgent advice, in another language than the consultation's
        (
            "D|返嚟之後一年內如果發燒，即刻睇醫生。\n",
            {"patient_instructions": ["Any fever within a year of returning: see a doctor promptly."]},
        ),
        # a medicine named by what it treats is no diagnosis to carry
        ("O|佢食緊糖尿藥，二甲雙胍五百毫克。\n", {"subjective": ["二甲雙胍500毫克。"]}),
        # an ingredient of a product the note carries
        (
            "P|Co-codamol, two tablets three times a day.\nD|Keep going, and take senna since the codeine constipates.\n",
            {
                "subjective": ["Co-codamol 2 tabs TDS."],
                "plan": ["Continue co-codamol 2 tabs TDS.", "Senna at night."],
            },
        ),
        # a class to avoid, carried by the allergy to its member
        (
            "P|Amoxil 呀，以前食完塊面腫曬。\nD|咁就唔用 penicillin 類。\n",
            {"subjective": ["Allergy: Amoxil (amoxicillin) - facial swelling."]},
        ),
        # other names of the same diagnoses and tests
        (
            "P|之前傷風咗一個禮拜。\nD|呢個係 acute sinusitis. We'll recheck your liver bloods in four weeks.\n",
            {
                "subjective": ["Preceding cold for 1/52."],
                "assessment": ["Acute rhinosinusitis."],
                "plan": ["Repeat LFTs in 4 weeks."],
            },
        ),
    ],
)
def test_what_the_note_carries_in_other_words_is_no_omission(
    checker: Checker, transcript: str, sections: dict[str, list[str]]
) -> None:
    result = _check(checker, transcript, **sections)
    assert not result.omissions, plain_text(result)


def test_a_drug_named_only_as_senna_is_still_carried_or_missed(checker: Checker) -> None:
    transcript = "D|Take a laxative while you're on it, Senna, two tablets at night.\n"
    assert "Senna" in _omitted(_check(checker, transcript, plan=["Review in 1 week."]))


@pytest.mark.parametrize(
    ("transcript", "plan"),
    [
        # 不用再服 stops
        ("D|阿士匹靈你可以停埋，唔使再食。\n", ["阿士匹靈亦不用再服。"]),
        # "off doxycycline" is without it
        ("D|Doxycycline 我想停咗佢，唔好再食。\n", ["GI upset expected to settle off doxycycline."]),
        # a stopped brand's ingredient inside a new combination product
        (
            "D|唔使再搽 Differin，轉用 Epiduo gel，即係 adapalene 加 benzoyl peroxide。\n",
            ["Start Epiduo (adapalene/benzoyl peroxide) gel nocte."],
        ),
        # one dose of the day dropped is a change
        (
            "D|Metformin 減做每朝一粒五百毫克，夜晚嗰粒唔使食。\n",
            ["Metformin 減至500毫克，每早一次（停晚上一粒）。"],
        ),
    ],
)
def test_stops_and_changes_in_the_note_in_other_words(
    checker: Checker, transcript: str, plan: list[str]
) -> None:
    result = _check(checker, transcript, plan=plan)
    assert not result.contradictions, plain_text(result)


def test_an_allergen_inside_a_combination_product_is_still_red(checker: Checker) -> None:
    transcript = "P|I'm allergic to amoxicillin, I came out in hives.\n"
    result = _check(
        checker, transcript, plan=["Start Augmentin (amoxicillin/clavulanate) 625 mg three times a day."]
    )
    assert ALLERGY_DRUG in _kinds(result), plain_text(result)
    transcript = "D|Stop the Differin, it's too drying.\n"
    result = _check(checker, transcript, plan=["Continue Differin (adapalene) gel nightly."])
    assert STOPPED_DRUG in _kinds(result), plain_text(result)


def test_a_plan_that_keeps_the_old_frequency_after_a_change_is_red(checker: Checker) -> None:
    transcript = "P|Metformin 朝晚各一粒，五百毫克。\nD|Metformin 減做每朝一粒五百毫克，夜晚嗰粒唔使食。\n"
    result = _check(
        checker,
        transcript,
        subjective=["Metformin 500 mg twice daily."],
        plan=["Metformin 500 mg twice daily (dose unchanged)."],
    )
    assert FREQUENCY in _kinds(result), plain_text(result)
    result = _check(
        checker,
        transcript,
        subjective=["Metformin 500 mg twice daily."],
        plan=["Reduce metformin from twice daily to 500 mg once every morning."],
    )
    assert FREQUENCY not in _kinds(result), plain_text(result)


@pytest.mark.parametrize(
    ("transcript", "sections"),
    [
        # a word for a kind of drug, written as the drug
        (
            "P|去水丸每朝一粒，四十毫克。\nD|去水丸加到每日兩次，每粒都係四十毫克。\n",
            {"plan": ["Increase furosemide to 40 mg BD."]},
        ),
        # how long, not how much
        ("P|我食緊 Yasmin 兩年。\nD|今日停 Yasmin。\n", {"plan": ["Stop Yasmin today."]}),
        # one tablet holding both
        ("D|另外每日食一粒鈣片加維他命D，夜晚食。\n", {"plan": ["開始鈣片加維他命D，每日一粒，晚上服。"]}),
        # a safety net written as "condition: what to do"
        (
            "D|If you notice any bleeding, come back to clinic. If you get calf pain, go to A&E.\n",
            {
                "patient_instructions": [
                    "Any bleeding: report it and return to clinic.",
                    "Calf pain: go to A&E.",
                ]
            },
        ),
    ],
)
def test_more_of_what_the_note_carries_in_other_words(
    checker: Checker, transcript: str, sections: dict[str, list[str]]
) -> None:
    result = _check(checker, transcript, **sections)
    assert not result.flags, plain_text(result)


@pytest.mark.parametrize(
    ("transcript", "sections", "kind"),
    [
        # a reaction told without the word "allergy"
        (
            "P|我唔敢食消炎藥，因為以前食布洛芬會氣喘。\n",
            {"plan": ["Ibuprofen 400 mg TDS with food."]},
            ALLERGY_DRUG,
        ),
        # 去水丸 stopped, furosemide continued
        ("D|個去水丸由今日起停咗佢，唔好再食。\n", {"plan": ["Continue furosemide 40 mg OM."]}, STOPPED_DRUG),
        # 安眠藥 stopped, continued in the note
        ("D|安眠藥由今晚開始唔好再食，停咗佢。\n", {"plan": ["安眠藥照常每晚服。"]}, STOPPED_DRUG),
        # a brand the drug dictionary lacks, on the clinic's list
        (
            "D|Otrivin 唔好再用啦，越噴越塞。\n",
            {"plan": ["Continue Otrivin nasal spray TDS PRN."]},
            STOPPED_DRUG,
        ),
        # weekly said as 一個禮拜食一粒
        ("D|我開福善美俾你，七十毫克，一個禮拜食一粒。\n", {"plan": ["福善美70毫克，每日一次。"]}, FREQUENCY),
        # how often, said in an answer that names no drug
        (
            "D|食咗鐵丸一個月，覺得點呀？\nP|好咗啲。\nD|你依家點樣食？\nP|你叫我每日食三次，每次一粒。\n",
            {"subjective": ["服鐵丸一粒，每日兩次。"]},
            FREQUENCY,
        ),
    ],
)
def test_decisions_and_reactions_in_other_words_are_red(
    checker: Checker, transcript: str, sections: dict[str, list[str]], kind: str
) -> None:
    result = _check(checker, transcript, **sections)
    assert kind in _kinds(result), plain_text(result)


@pytest.mark.parametrize(
    ("transcript", "present"),
    [
        ("D|Any tummy pain or cramping?\nP|No, none at all.\n", "Intermittent lower abdominal cramping."),
        ("D|你平時有冇胃酸倒流，或者吞嘢困難？\nP|冇呀。\n", "有胃酸倒流，間中吞嚥困難。"),
        (
            "D|Any change in your hearing? Ringing in the ears?\nP|No, hearing's fine.\n",
            "Reduced hearing and tinnitus.",
        ),
        ("D|近排有冇眼黃、小便好深色或者肚脹？\nP|冇，全部都冇。\n", "Reports yellow eyes and dark urine."),
        ("D|Any problems with your eyesight, blurring?\nP|No, my eyes are fine.\n", "Blurred vision."),
        ("D|有冇試過鎖死，屈咗之後伸唔返直？\nP|冇，屈伸都得。\n", "Intermittent locking of the knee."),
    ],
)
def test_findings_denied_in_more_words(checker: Checker, transcript: str, present: str) -> None:
    result = _check(checker, transcript, subjective=[present])
    assert NEGATION in _kinds(result), plain_text(result)


def test_a_safety_net_to_eye_casualty_must_be_carried(checker: Checker) -> None:
    transcript = (
        "D|If you get a sudden painful red eye or loss of vision, go to eye casualty straight away.\n"
    )
    assert "safety-net" in _omitted(_check(checker, transcript, plan=["Review in 3 months."]))
    note = _check(
        checker,
        transcript,
        patient_instructions=["Painful red eye or loss of vision: eye casualty immediately."],
    )
    assert not note.omissions, plain_text(note)


# Correct reference notes of unpunctuated dictated visits (ACI-Bench train, development): the
# wordings that made the checks call a correct note wrong.
@pytest.mark.parametrize(
    ("transcript", "sections"),
    [
        # a negation ends where a new clause with its own subject begins
        (
            "D|and you live with your roommate no history of tobacco and you limit alcohol intake to less than five drinks per month\n",
            {"subjective": ["Denies tobacco use. Limits alcohol intake to less than 5 drinks per month."]},
        ),
        (
            "D|your neck exam no bruits your lung exam you have some crackles in both bases and some rales that i can hear "
            "and there are a little bit of intermittent wheezing as well\n",
            {"objective": ["Lungs: mild rales at the bases and slight intermittent wheezing."]},
        ),
        # a post negation reaches back a few words, not over the whole exam
        (
            "D|you do have some crackles at the bases and some wheezing no calf tenderness negative homans sign\n",
            {"objective": ["Crackles at the bases and some wheezing."]},
        ),
        # "no, just …" answers the question; the rest is said
        (
            "D|any fever?\nP|no just really just kind of a headache\n",
            {"subjective": ["Reports headache. No fever."]},
        ),
        # "avoid salty foods" is no avoid of the drug before it
        (
            "D|i want you to continue on your bumex two milligrams once daily continue to watch your diet and avoid salty foods\n",
            {"plan": ["Continue Bumex 2 mg once daily."]},
        ),
        # the allergies a drug treats
        (
            "D|it looks like you might be having a little bit of allergies maybe we can try some singulair\n",
            {"plan": ["Start Singulair."]},
        ),
        # one in the morning and one in the evening is twice a day
        (
            "D|and the ferrous sulfate?\nP|yeah i take one in the morning and one in the evening\n",
            {"subjective": ["Ferrous sulfate twice per day."]},
        ),
        # thousands written with a comma, a number said twice
        (
            "D|i would like to increase your metformin to 1,000 milligrams twice daily and start naprosyn five hundred "
            "five hundred milligrams twice a day\n",
            {"plan": ["Increase metformin to 1000 mg twice daily.", "Naprosyn 500 mg twice a day."]},
        ),
        # a denial listed in the note: every item of the list is denied
        (
            "D|have you had a fever or chills?\nP|no\n",
            {
                "subjective": [
                    "He denies weight gain, swelling in the lower extremities, fevers, chills, and nausea."
                ]
            },
        ),
    ],
)
def test_correct_notes_of_dictated_visits_are_not_red(
    checker: Checker, transcript: str, sections: dict[str, list[str]]
) -> None:
    result = _check(checker, transcript, **sections)
    assert not result.contradictions, plain_text(result)


def test_a_stop_near_its_drug_and_an_allergy_to_it_still_count(checker: Checker) -> None:
    transcript = "D|please stop your birth control pills for now\n"
    assert not _check(checker, transcript, plan=["Review in 2 weeks."]).contradictions
    result = _check(
        checker, "D|Stop OTC hydrocortisone, it's too weak.\n", plan=["Hydrocortisone 1% cream twice daily."]
    )
    assert STOPPED_DRUG in _kinds(result), plain_text(result)
    result = _check(
        checker, "P|I have an allergy to penicillin, I get hives.\n", plan=["Amoxicillin 500 mg TDS."]
    )
    assert ALLERGY_DRUG in _kinds(result), plain_text(result)


# dev6 (written blind as test6): correct notes in further wordings, and the errors beside them.
@pytest.mark.parametrize(
    ("transcript", "sections"),
    [
        ("D|Still smoking?\nP|No, quit four years ago.\n", {"subjective": ["Ex-smoker, quit 4 years ago."]}),
        (
            "D|Omeprazole 20 mg twice a day for 14 days.\n"
            "D|We'll repeat the breath test, and you need to be off the omeprazole for two weeks before that test.\n",
            {
                "plan": [
                    "Omeprazole 20 mg BD x 14 days.",
                    "Off omeprazole for 2 weeks before the repeat breath test.",
                ]
            },
        ),
        (
            "P|I had amoxicillin once and my throat swelled up.\nD|Then we won't use amoxicillin.\n",
            {"plan": ["Amoxicillin not used (penicillin allergy)."]},
        ),
        (
            "D|Clarithromycin interacts with it. Hold the simvastatin for the two weeks and restart it when you finish "
            "the antibiotics.\n",
            {"plan": ["Hold simvastatin during the course; restart afterwards."]},
        ),
        (
            "D|我開少少 zopiclone 畀你，每次瞓前食半粒，真係瞓唔著先食，一個禮拜最多三晚。\n",
            {"plan": ["Zopiclone 睡前半粒，需要時服，每星期最多三晚。"]},
        ),
        (
            "P|我可唔可以食 melatonin？\nD|Melatonin 幫助唔大，我唔建議。\n",
            {"plan": ["不建議使用 melatonin。"]},
        ),
        (
            "P|上個月我自己停咗佢個 Flixotide。\nD|我哋先好好噴返 Flixotide，每次兩下，早晚各一次。\n",
            {"plan": ["重新使用 Flixotide 每次兩噴，每日早晚各一次。"]},
        ),
        (
            "D|佢有冇對咩藥敏感？\nO|有，佢上年食完 Nurofen 喘得好犀利。\nD|我聽過佢個胸，血氧 98%。唔好食 Nurofen。\n",
            {"subjective": ["藥物過敏：Nurofen（服後嚴重氣喘）。"], "plan": ["避免 Nurofen。"]},
        ),
        (
            "O|Lactulose 15 ml 一日兩次。\nD|Lactulose 加到 20... 唔係，加到 30 ml 一日兩次。\n",
            {"plan": ["Increase lactulose to 30 ml BD."]},
        ),
        (
            "O|She is allergic to amoxicillin. We have some Augmentin at home, can she take that?\n"
            "D|No, Augmentin has amoxicillin inside, she must not take it.\n",
            {"subjective": ["Allergy: amoxicillin (rash).", "Son's leftover Augmentin at home."]},
        ),
        (
            "D|I'd like to push the methotrexate up to twenty milligrams. So eight tablets, still once a week.\n",
            {"plan": ["Increase methotrexate to 20 mg (8 tablets) once weekly."]},
        ),
        (
            "D|Any chest pain?\nP|No chest pain.\n",
            {"plan": ["GTN spray under the tongue as needed for chest pain."]},
        ),
        (
            "D|你食開咩藥？有冇藥物敏感？\nP|前列腺嗰隻，tamsulosin，每晚一粒。敏感就……食 Voltaren 會腫嘴唇。\n",
            {
                "subjective": ["Tamsulosin nocte.", "Allergy: Voltaren (lip swelling)."],
                "plan": ["繼續 tamsulosin 每晚一粒。"],
            },
        ),
        (
            "D|For the knees use paracetamol, two 500 mg tablets up to four times a day.\n",
            {"plan": ["Paracetamol 1 g (2 x 500 mg) up to QID PRN."]},
        ),
    ],
)
def test_correct_notes_in_further_wordings_are_not_red(
    checker: Checker, transcript: str, sections: dict[str, list[str]]
) -> None:
    result = _check(checker, transcript, **sections)
    assert not result.contradictions, plain_text(result)
    assert not [f for f in result.omissions if f.type == "allergy"], plain_text(result)


@pytest.mark.parametrize(
    ("transcript", "plan"),
    [
        (
            "D|I'd stop the ginkgo. With clopidogrel it increases the risk of bleeding.\n",
            "Continue ginkgo 1 tab daily.",
        ),
        (
            "D|I'd stop the 丹參. Together with aspirin it can make you bleed.\n",
            "Continue danshen 2 pills daily.",
        ),
        (
            "D|紅麴同我開嘅藥一齊食會多咗副作用，所以紅麴就唔好再食啦。\n",
            "Continue red yeast rice capsules 2/day.",
        ),
        (
            "D|嗰啲傷風藥會令小便更難出，唔好再食。\nP|我食緊傷風丸，入面有偽麻黃鹼。\n",
            "Continue pseudoephedrine cold tablets.",
        ),
    ],
)
def test_herbs_and_remedies_stopped_are_red(checker: Checker, transcript: str, plan: str) -> None:
    result = _check(checker, transcript, plan=[plan])
    assert STOPPED_DRUG in _kinds(result), plain_text(result)


@pytest.mark.parametrize(
    ("transcript", "sections"),
    [
        # the patient's denial and the doctor's finding on examination
        (
            "D|Any swelling in your legs?\nP|No, not that I've noticed.\nD|You do have a little pitting oedema at both ankles.\n",
            {"subjective": ["Denies leg swelling."], "objective": ["1+ pitting oedema of both ankles."]},
        ),
        # the family's history is not the patient's
        (
            "D|Anybody in the family with kidney failure or dialysis?\nP|No.\n",
            {"subjective": ["Referred for renal screening; known kidney problems on ultrasound."]},
        ),
        # "no, it did get bad for a while" says it was there
        (
            "D|How is your heartburn doing, any problems with that?\nP|No, it did get bad for a while so I tried some Prilosec.\n",
            {"subjective": ["Heartburn was severe at one point, settled on Prilosec."]},
        ),
        # a label, then the finding's absence
        ("D|Do you smoke?\nP|Nope, never have.\n", {"subjective": ["Tobacco use: non-smoker."]}),
        # 四日冇大便 is constipation; 氣喘 is breathlessness, not a wheeze
        ("O|四日冇大便喇。\n", {"subjective": ["Constipated - no BO for 4 days."]}),
        (
            "O|跑步都會喘。\nD|聽肺部清，冇喘鳴聲。\n",
            {"subjective": ["跑步時氣喘。"], "objective": ["無喘鳴音。"]},
        ),
    ],
)
def test_who_said_it_and_when_it_was_so(
    checker: Checker, transcript: str, sections: dict[str, list[str]]
) -> None:
    result = _check(checker, transcript, **sections)
    assert NEGATION not in _kinds(result), plain_text(result)


@pytest.mark.parametrize(
    ("transcript", "present"),
    [
        ("D|有冇諗過唔想生存，或者想傷害自己？\nP|冇……冇諗過咁嘅嘢。\n", "承認有輕生念頭。"),
        ("D|Any black stools?\nP|No.\n", "Reports black, tarry stools."),
        ("D|Any shortness of breath?\nP|No.\n", "Can't catch my breath on the stairs."),
    ],
)
def test_denials_in_other_words_still_red(checker: Checker, transcript: str, present: str) -> None:
    result = _check(checker, transcript, subjective=[present])
    assert NEGATION in _kinds(result), plain_text(result)


def test_a_frequency_with_spaces_around_the_digit() -> None:
    from desktop.checks.amounts import frequency_in

    assert frequency_in("每日 2 次")[0] == {2.0}
    assert frequency_in("每日早晚各一次")[0] == {2.0}


# -- wordings met on the seventh development set ------------------------------------------------
def _red(result: CheckResult) -> set[str]:
    return {f.type for f in result.contradictions}


def test_a_hold_before_a_procedure_is_not_continued_through_it(checker: Checker) -> None:
    said = (
        "P|I take one baby aspirin a day, my family doctor started it years ago.\n"
        "D|Now, the aspirin: stop it seven days before the operation, so your last tablet is on the 6th.\n"
    )
    held = _check(checker, said, plan=["Stop aspirin 7 days pre-op (last dose on the 6th)."])
    assert not held.contradictions, plain_text(held)
    through = _check(
        checker, said, plan=["Continue low-dose aspirin daily up to and including the day of surgery."]
    )
    assert STOPPED_DRUG in _red(through), plain_text(through)


@pytest.mark.parametrize(
    ("transcript", "plan"),
    [
        # a patient asking for a drug decides nothing; 唔使住 is "not for now"
        (
            "P|可唔可以開啲強啲嘅藥，好似 tramadol 嗰啲？\nD|Tramadol 暫時唔使住，會頭暈、便秘。\n",
            "Tramadol considered, not given (dizziness, constipation).",
        ),
        # what the doctor would usually give, then does not
        (
            "D|平時我會開 Augmentin，不過你對盤尼西林敏感，所以唔用得。我開 doxycycline。\n",
            "因盤尼西林過敏，不用 Augmentin。",
        ),
        # what the drug does, not a stop
        (
            "D|Take them two hours apart, the Gaviscon stops the iron being absorbed.\n",
            "Gaviscon 10-20 ml after meals; take 2 hours apart from iron.",
        ),
        # allergic rhinitis is no allergy to the drug that treats it
        (
            "O|佢平時有 allergic rhinitis，每晚食緊 Singulair 5 mg。\nD|Singulair 照食。\n",
            "Continue Singulair 5 mg nocte.",
        ),
    ],
)
def test_requests_habits_and_effects_are_no_decisions(checker: Checker, transcript: str, plan: str) -> None:
    result = _check(checker, transcript, plan=[plan])
    assert not result.contradictions, plain_text(result)


def test_the_usual_drug_set_aside_for_an_allergy_is_still_red_when_given(checker: Checker) -> None:
    said = "D|平時我會開 Augmentin，不過你對盤尼西林敏感，所以唔用得。\n"
    result = _check(checker, said, plan=["開始 Augmentin 一日兩次。"])
    assert ALLERGY_DRUG in _red(result), plain_text(result)


def test_when_a_drug_is_safe_is_no_finding(checker: Checker) -> None:
    said = "D|Please stop the Alka-Seltzer. Aspirin isn't safe this late in pregnancy.\n"
    result = _check(checker, said, subjective=["30 weeks pregnant."], plan=["Stop Alka-Seltzer."])
    assert NEGATION not in _red(result), plain_text(result)


def test_an_answer_in_the_asked_findings_own_word(checker: Checker) -> None:
    said = "P|隻腳有啲痺。\nD|屁股周圍、下面嗰度有冇麻痺？\nP|正常，嗰度都冇痺。\n"
    assert NEGATION not in _red(_check(checker, said, subjective=["Leg numbness; no saddle numbness."]))
    flipped = _check(checker, said, subjective=["Leg numbness; saddle numbness present."])
    assert NEGATION in _red(flipped), plain_text(flipped)


@pytest.mark.parametrize(
    ("transcript", "right", "wrong", "kind"),
    [
        # insulin units as Cantonese says them; two insulins are two drugs
        (
            "O|Lantus 瞓覺前打18度，NovoRapid 三餐飯前各打6度。\n",
            "Lantus 18 units nocte; NovoRapid 6 units before each meal.",
            "Lantus 12 units nocte; NovoRapid 6 units before each meal.",
            DOSE,
        ),
        # a bare strength after 維持
        ("D|Keppra 維持 750 一日兩次，唔使加。\n", "Keppra 750 mg BD.", "Keppra 500 mg BD.", DOSE),
        # a number taken back
        (
            "D|Lactulose 加到 20... 唔係，加到 30 ml 一日兩次。\n",
            "Increase lactulose to 30 ml BD.",
            "Increase lactulose to 20 ml BD.",
            DOSE,
        ),
        # how often, with words around the verb
        (
            "D|我開 Elomet，一日搽一次，夜晚瞓覺前搽薄薄一層。\n",
            "Elomet（mometasone）每晚睡前薄塗患處一次。",
            "Elomet（mometasone）每日薄塗患處三次。",
            FREQUENCY,
        ),
        # a product's dose after the brackets that name what it holds
        (
            "D|Femoston 1/10, one tablet a day, every day, no break.\n",
            "Start Femoston 1/10 (estradiol 1 mg / dydrogesterone 10 mg) 1 tab daily, continuous.",
            "Start Femoston 1/10 (estradiol 1 mg / dydrogesterone 10 mg) 1 tab twice daily, continuous.",
            FREQUENCY,
        ),
    ],
)
def test_amounts_in_further_wordings(
    checker: Checker, transcript: str, right: str, wrong: str, kind: str
) -> None:
    clean = _check(checker, transcript, plan=[right])
    assert not clean.contradictions, plain_text(clean)
    assert kind in _red(_check(checker, transcript, plan=[wrong]))


def test_half_a_tablet_of_the_sleeping_pill(checker: Checker) -> None:
    said = (
        "O|And the sleeping pill, zopiclone 7.5 at night.\n"
        "D|I'd like to stop the zopiclone.\n"
        "O|Stop the sleeping pill completely? Maybe half a tablet first?\n"
        "D|Fair enough. Half a tablet, so 3.75, at night for one week, then stop. Keep the amlodipine.\n"
    )
    result = _check(checker, said, plan=["Zopiclone: reduce to 3.75 mg at night for 1 week, then stop."])
    assert DOSE not in _red(result), plain_text(result)


def test_a_safety_net_with_an_arrow_and_one_beside_a_follow_up(checker: Checker) -> None:
    said = "D|If you get a painful swollen calf, chest pain or breathlessness, go to A&E.\n"
    arrow = _check(checker, said, patient_instructions=["Painful swollen calf, chest pain or SOB -> A&E."])
    assert "safety" not in _omitted(arrow), plain_text(arrow)
    follow_up = _check(checker, said, plan=["三個月後覆診；如準備懷孕請提早通知。"])
    assert "safety-net" in _omitted(follow_up), plain_text(follow_up)


@pytest.mark.parametrize(
    ("transcript", "plan", "omitted"),
    [
        # 瞓唔着 is "cannot sleep", no negation of the drug after it
        ("D|夜晚痕到瞓唔着就食一粒 cetirizine，十毫克。\n", "保濕膏每日至少十次。", "cetirizine"),
        # a remedy by the name the shop sells it under
        ("P|我每朝食兩粒苦瓜丸。\nD|苦瓜丸唔好再食喇。\n", "Review in 2 weeks.", "苦瓜丸"),
    ],
)
def test_drugs_said_in_further_wordings_are_missed_when_left_out(
    checker: Checker, transcript: str, plan: str, omitted: str
) -> None:
    assert omitted in _omitted(_check(checker, transcript, plan=[plan]))


def test_a_denial_written_after_its_findings(checker: Checker) -> None:
    # a drafting model wrote the patient's "No chest pain" this way in the README's sample note
    said = (
        "D|Any chest pain or shortness of breath?\nP|No chest pain, but my ankle is swollen in the evening.\n"
    )
    written = _check(checker, said, subjective=["Chest pain or shortness of breath are not reported."])
    assert NEGATION not in _red(written), plain_text(written)
    flipped = _check(checker, said, subjective=["Chest pain reported on exertion."])
    assert NEGATION in _red(flipped), plain_text(flipped)
