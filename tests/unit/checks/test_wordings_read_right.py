"""Wordings a careful note carries that once read as errors, each beside the error it must still catch."""

from __future__ import annotations

import pytest

from desktop.checks.amounts import doses_in, frequency_in
from desktop.checks.engine import Checker
from desktop.checks.model import (
    DOSE,
    DRUG_STOPPED_IN_NOTE,
    FREQUENCY,
    NEGATION,
    STOPPED_DRUG,
    CheckResult,
)
from desktop.checks.negation import negated_ranges
from desktop.checks.report import plain_text
from desktop.checks.text import numbers
from desktop.documents.factguard import chinese_numeral_value
from tests.unit.checks.test_clean_notes import _check


def _messages(result: CheckResult) -> str:
    return " | ".join(f.message for f in result.flags)


# ------------------------------------------------------------------ numbers and amounts
@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("八百五", 850),
        ("八百零五", 805),
        ("一千二", 1200),
        ("兩萬五", 25000),
        ("萬二", 12000),
        ("三十五", 35),
    ],
)
def test_a_chinese_numeral_with_its_last_digit_shortened(numeral: str, value: int) -> None:
    assert chinese_numeral_value(numeral) == value


def test_nought_point_four_and_at_once_are_read_as_said() -> None:
    assert [n.value for n in numbers("nought point four milligrams")] == [0.4]
    assert numbers("唔可以一下子停") == []  # 一下子 "at once", not one puff


@pytest.mark.parametrize(
    ("window", "doses"),
    [
        (" 200/6 to 2 puffs BD", [(2.0, "puff")]),  # an inhaler's strength, then the dose
        (" 49/51 mg BD", [(51.0, "mg")]),  # a strength pair with its unit stays
        (" 40 mg (8 × 5 mg) once daily", [(40.0, "mg"), (8.0, "tab")]),
        (" to a hundred milligrams, two of the fifty tablets", [(100.0, "mg"), (2.0, "tab"), (50.0, "mg")]),
    ],
)
def test_strengths_beside_doses(window: str, doses: list[tuple[float, str]]) -> None:
    assert doses_in(window, right_after_name=True) == doses


def test_a_dose_for_the_morning_and_one_for_the_night_is_twice_a_day() -> None:
    assert frequency_in("，八十毫，朝早一粒，夜晚一粒。")[0] == {2}
    assert frequency_in(": one tablet a day with food")[0] == {1}


# ------------------------------------------------------------------ negation
@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("Weight's the same, isn't it, Rosa?", False),  # a tag question denies nothing
        ("嘔吐物非綠色。", True),  # 非 negates in written Chinese
        ("非常痛", False),
        ("尿蛋白陰性。", True),  # 陰性 after the finding
    ],
)
def test_chinese_and_english_negation_words(text: str, negated: bool) -> None:
    assert bool(negated_ranges(text)) == negated


def test_a_bracketed_measurement_ends_a_negation_but_a_bracketed_list_does_not(checker: Checker) -> None:
    transcript = (
        "D|Any tremor?\nP|No.\nD|Losing weight without trying?\nP|No. Weight's the same, isn't it, Rosa?\n"
    )
    clean = _check(checker, transcript, subjective=["No tremor, no weight loss (weight stable at 58 kg)."])
    assert NEGATION not in {f.type for f in clean.flags}, plain_text(clean)
    flipped = _check(checker, transcript, subjective=["Tremor (both hands); no weight loss."])
    assert NEGATION in {f.type for f in flipped.flags}
    listed = "No previous hypoglycaemic symptoms (tremor, sweating)."
    at = listed.index("tremor")
    assert any(a <= at < b for a, b in negated_ranges(listed))  # "tremor" in the brackets is denied


@pytest.mark.parametrize(
    ("transcript", "clean", "wrong"),
    [
        # 發熱 beside 紅腫 is the leg's warmth, not a fever
        (
            "D|有冇發燒？\nP|冇喎，三十六點八。\nD|左小腿紅腫、發熱。\n",
            "左小腿紅腫、發熱及痛3天。",
            "發燒3天。",
        ),
        # 壓痛 at one place, 冇壓痛 at another
        (
            "D|外踝前面壓落去最痛；舟狀骨冇壓痛。\n",
            "前距腓韌帶位置壓痛最明顯。",
            None,
        ),
        # palpitations asked as "fluttering of the heart"
        (
            "D|Any racing or fluttering of the heart?\nP|No, my heart's fine, no fluttering.\n",
            "No palpitations.",
            "Palpitations on exertion.",
        ),
    ],
)
def test_findings_in_further_wordings(
    checker: Checker, transcript: str, clean: str, wrong: str | None
) -> None:
    result = _check(checker, transcript, subjective=[clean])
    assert NEGATION not in {f.type for f in result.flags}, plain_text(result)
    if wrong is not None:
        assert NEGATION in {f.type for f in _check(checker, transcript, subjective=[wrong]).flags}


def test_minimal_alcohol_after_i_dont_really_drink(checker: Checker) -> None:
    transcript = "D|Alcohol?\nP|I don't really drink.\n"
    assert not _check(checker, transcript, subjective=["Minimal alcohol."]).contradictions
    assert _check(checker, transcript, subjective=["Drinks alcohol daily."]).contradictions


# ------------------------------------------------------------------ drugs
def test_what_a_drug_does_is_no_stop(checker: Checker) -> None:
    transcript = (
        "D|I'll bring it down from a hundred to seventy-five micrograms of thyroxine once a day.\n"
        "D|Give the Caltrate at lunch, because calcium stops the thyroxine being absorbed.\n"
    )
    clean = _check(checker, transcript, plan=["Reduce levothyroxine to 75 mcg once daily."])
    assert not clean.contradictions, plain_text(clean)
    wrong = _check(checker, transcript, plan=["Levothyroxine 50 mcg once daily."])
    assert DOSE in {f.type for f in wrong.flags}


def test_a_dose_given_to_it_in_a_later_sentence(checker: Checker) -> None:
    transcript = (
        "D|At your age, too much thyroxine strains the heart. "
        "I'll bring it down from a hundred to seventy-five micrograms once a day.\n"
    )
    result = _check(checker, transcript, plan=["Reduce levothyroxine from 100 mcg to 75 mcg once daily."])
    assert not result.flags, plain_text(result)  # "strains" is a verb, no diagnosis
    assert DOSE in {f.type for f in _check(checker, transcript, plan=["Levothyroxine 50 mcg daily."]).flags}


def test_drugs_not_prescribed_and_a_continuous_pill(checker: Checker) -> None:
    transcript = (
        "D|因為你對盤尼西林敏感，Augmentin、amoxicillin 呢類都唔開。我開 nitrofurantoin，一百毫，一日兩次。\n"
        "D|我建議 Cerazette，desogestrel 75 microgram，每日一粒，食完一排即刻接住食下一排，中間唔停。\n"
    )
    clean = _check(
        checker,
        transcript,
        plan=[
            "因盤尼西林過敏，避免 Augmentin / amoxicillin。",
            "Nitrofurantoin 100 mg 每日兩次。",
            "開始 Cerazette (desogestrel) 75 mcg 每日一粒，每排服完即接續下一排，中間不停藥。",
        ],
    )
    assert DRUG_STOPPED_IN_NOTE not in {f.type for f in clean.flags}, plain_text(clean)
    wrong = _check(checker, transcript, plan=["Start Augmentin 625 mg TDS."])
    assert wrong.contradictions


def test_stop_it_and_come_back_at_once_is_advice_for_later(checker: Checker) -> None:
    transcript = "D|我開 Fosamax 俾你，七十毫，一個禮拜食一粒。如果心口痛，就停咗個藥即刻返嚟。\n"
    clean = _check(
        checker,
        transcript,
        plan=["開始 alendronate (Fosamax) 70 mg 每星期一次。"],
        patient_instructions=["服 Fosamax 後如胸口痛，須停藥並立即回診。"],
    )
    assert DRUG_STOPPED_IN_NOTE not in {f.type for f in clean.flags}, plain_text(clean)
    wrong = _check(checker, transcript, plan=["停用 Fosamax。"])
    assert DRUG_STOPPED_IN_NOTE in {f.type for f in wrong.flags}


def test_herbs_stopped_after_a_drug_kept(checker: Checker) -> None:
    transcript = "D|Metformin 照食。中藥就要停咗佢，尤其是何首烏，會傷肝。\n"
    clean = _check(checker, transcript, plan=["繼續 metformin。", "停服中藥（尤其何首烏）。"])
    assert STOPPED_DRUG not in {f.type for f in clean.flags}, plain_text(clean)
    wrong = _check(checker, transcript, plan=["繼續 metformin。", "可繼續服中藥（含何首烏）。"])
    assert STOPPED_DRUG in {f.type for f in wrong.flags}


def test_a_patients_question_about_a_drug_lists_no_allergy(checker: Checker) -> None:
    transcript = (
        "P|我對 Septrin 敏感㗎，呢隻藥得唔得㗎？\n"
        "D|Isoniazid 同 Septrin 唔係同一類，冇問題，我會寫低你對 Septrin 敏感。\n"
        "D|I'll make sure that's clearly on your allergy list.\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=["藥物過敏：Septrin（全身紅疹）。"],
        plan=["開始 isoniazid 300 mg 每日一次。"],
    )
    assert not clean.flags, plain_text(clean)
    assert "Septrin" in _messages(_check(checker, transcript, plan=["開始 isoniazid 300 mg 每日一次。"]))


def test_examples_asked_about_are_not_taken_when_the_answer_names_another(checker: Checker) -> None:
    transcript = "D|仲有冇食其他嘢？維他命、中藥嗰啲？\nP|有……我朋友介紹咗啲苦瓜丸，每朝食兩粒。\n"
    result = _check(checker, transcript, subjective=["自行服用苦瓜丸每朝兩粒。"])
    assert "中藥" not in _messages(result), plain_text(result)
    assert "苦瓜" in _messages(_check(checker, transcript, subjective=["無其他藥物。"]))


def test_a_tablet_strength_and_a_prn_drugs_usual_frequency(checker: Checker) -> None:
    transcript = (
        "P|And the propranolol, the ten milligram ones, I take one when I feel an attack building. Maybe twice a week.\n"
        "D|So I'd like to go up on the sertraline to a hundred milligrams, two of the fifty tablets each morning.\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=["Medications: sertraline 50 mg every morning; propranolol 10 mg PRN (~twice a week)."],
        plan=["Increase sertraline to 100 mg (2 × 50 mg) every morning."],
    )
    assert not ({DOSE, FREQUENCY} & {f.type for f in clean.flags}), plain_text(clean)
    wrong = _check(checker, transcript, plan=["Increase sertraline to 150 mg every morning."])
    assert DOSE in {f.type for f in wrong.flags}


# ------------------------------------------------------------------ diagnoses, tests, safety nets
def test_past_indications_side_effects_and_test_names_are_no_diagnoses(checker: Checker) -> None:
    transcript = (
        "D|Any allergies?\nP|Ciprofloxacin. My face swelled up when I took it for a bladder infection.\n"
        "D|Mefloquine can trigger depression and anxiety. Your viral load is undetectable.\n"
        "D|血壓藥同膽固醇藥照食。\n"
    )
    result = _check(checker, transcript, subjective=["Allergy: ciprofloxacin (facial swelling)."])
    assert "diagnosis" not in _messages(result) and "test ordered" not in _messages(result), plain_text(
        result
    )


def test_results_and_tests_not_needed_are_no_orders(checker: Checker) -> None:
    transcript = (
        "D|今日驗小便 pregnancy test 係陰性。驗尿冇蛋白。你個肺片完全正常。應該係韌帶拉傷，唔使照X光。\n"
        "D|一個月後覆診，到時再抽血同驗孕。\n"
    )
    result = _check(checker, transcript, plan=["一個月後覆診，覆查血液及驗孕。"])
    assert "test ordered" not in _messages(result), plain_text(result)
    assert "test ordered" in _messages(_check(checker, transcript, plan=["一個月後覆診。"]))


def test_call_999_for_a_list_of_signs_is_a_safety_net(checker: Checker) -> None:
    transcript = (
        "D|If you see black stools, go to A&E straight away. "
        "And if your face droops, an arm or leg goes weak, or you can't get your words out, call 999.\n"
    )
    clean = _check(
        checker,
        transcript,
        patient_instructions=[
            "Go to A&E immediately for black stools.",
            "Call 999 for facial droop, arm or leg weakness, or difficulty speaking.",
        ],
    )
    assert not clean.omissions, plain_text(clean)
    dropped = _check(checker, transcript, patient_instructions=["Go to A&E immediately for black stools."])
    assert "safety-net" in _messages(dropped)
    # an A&E visit in the history is no advice
    history = _check(checker, transcript, subjective=["Follow-up after A&E attendance for renal colic."])
    assert "safety-net" in _messages(history)


# ------------------------------------------------------------------ errors these wordings hid
def test_a_weekly_drug_taken_on_sunday_morning_written_as_daily(checker: Checker) -> None:
    transcript = "D|我開 Fosamax 俾你，七十毫，一個禮拜食一粒。\nP|一個禮拜一粒，星期日朝早。明白。\n"
    assert frequency_in("一個禮拜一粒，星期日朝早。")[0] == {round(1 / 7, 3)}
    clean = _check(
        checker, transcript, plan=["開始 alendronate (Fosamax) 70 mg 每星期一次（逢星期日早上）。"]
    )
    assert not clean.contradictions, plain_text(clean)
    wrong = _check(checker, transcript, plan=["開始 alendronate (Fosamax) 70 mg 每日一次（早上）。"])
    assert FREQUENCY in {f.type for f in wrong.flags}


def test_a_dose_said_as_mou_for_a_drug_taken_if_needed(checker: Checker) -> None:
    transcript = "D|如果作嘔，可以食 Stemetil，五毫，一日最多三次。\n"
    assert doses_in("，五毫，一日最多三次", right_after_name=True) == [(5.0, "mg")]
    assert not _check(checker, transcript, plan=["Prochlorperazine (Stemetil) 5 mg PRN for nausea."]).flags
    wrong = _check(checker, transcript, plan=["Prochlorperazine (Stemetil) 25 mg PRN for nausea."])
    assert DOSE in {f.type for f in wrong.flags}


def test_a_childhood_reaction_told_by_a_parent_is_an_allergy(checker: Checker) -> None:
    transcript = "D|有冇藥物敏感？\nO|其他藥就冇。佢細個食 Keflex 出過成身風癩。\n"
    assert not _check(checker, transcript, subjective=["藥物過敏：cefalexin (Keflex) — 全身風疹。"]).omissions
    assert "allergy" in _messages(_check(checker, transcript, subjective=["無其他藥物。"]))


def test_what_a_medicine_is_expected_to_do_is_no_finding(checker: Checker) -> None:
    transcript = (
        "D|大便有冇黑色，或者有血？\nP|冇呀，大便正常顏色，冇見過血。\n"
        "D|補鐵我開 ferrous fumarate 俾你，每日一粒。食咗之後大便會變黑色，係正常嘅。\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=["無黑色大便，大便無血。"],
        plan=["Ferrous fumarate 每日一粒。"],
        patient_instructions=["服鐵丸後大便變黑屬正常。"],
    )
    assert NEGATION not in {f.type for f in clean.flags}, plain_text(clean)
    wrong = _check(
        checker, transcript, subjective=["有黑色大便及便血。"], plan=["Ferrous fumarate 每日一粒。"]
    )
    assert NEGATION in {f.type for f in wrong.flags}


@pytest.mark.parametrize(
    ("transcript", "clean", "wrong"),
    [
        (
            "D|Any blood in the urine or in the semen?\nP|No fever. No blood that I've seen.\n",
            "No visible blood in urine or semen.",
            "Reports visible blood in urine.",
        ),
        (
            "D|Have you had any thoughts of harming yourself?\nP|No. No, nothing like that.\n",
            "No thoughts of self-harm.",
            "Reports thoughts of harming yourself.",
        ),
        # a diagnosis denied is read like a finding
        ("D|有冇哮喘？\nP|冇，我冇 asthma，從來都冇喘過。\n", "No history of asthma.", "History of asthma."),
    ],
)
def test_denials_in_further_wordings(checker: Checker, transcript: str, clean: str, wrong: str) -> None:
    assert NEGATION not in {f.type for f in _check(checker, transcript, subjective=[clean]).flags}
    assert NEGATION in {f.type for f in _check(checker, transcript, subjective=[wrong]).flags}


def test_the_patients_own_condition_named_in_a_no_is_still_theirs(checker: Checker) -> None:
    transcript = "D|Not with your asthma, timolol can tighten the airways. We'll start Azopt instead.\n"
    result = _check(checker, transcript, subjective=["Asthmatic."], plan=["Start Azopt."])
    assert NEGATION not in {f.type for f in result.flags}, plain_text(result)


def test_vitamins_b1_and_b6_are_drugs(checker: Checker) -> None:
    transcript = "D|我開 thiamine，即係維他命 B1，一百毫，一日三次。另外每日加一粒維他命 B6，十毫克。\n"
    clean = _check(
        checker, transcript, plan=["Thiamine 100 mg TDS.", "維他命 B6 (pyridoxine) 10 mg 每日一次。"]
    )
    assert not clean.omissions, plain_text(clean)
    dropped = _check(checker, transcript, plan=["Thiamine 100 mg TDS."])
    assert "pyridoxine" in _messages(dropped).lower() or "B6" in _messages(dropped)


def test_the_history_holds_no_safety_net(checker: Checker) -> None:
    transcript = "D|If you get a fever or can't pass urine, go straight to A&E.\n"
    result = _check(
        checker,
        transcript,
        subjective=["Allergy: aspirin (bronchospasm, needed A&E).", "Got lost returning from the market."],
    )
    assert "safety-net" in _messages(result)


# ------------------------------------------------------------------ dev9
def test_current_medicines_told_before_the_allergy_are_no_allergens(checker: Checker) -> None:
    transcript = (
        "D|其他藥同 allergy 呢？\n"
        "P|膽固醇藥 atorvastatin 20 mg，夜晚一粒。敏感就 ciprofloxacin，之前食完成身起風癩。\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=["Allergy: ciprofloxacin (urticaria)."],
        plan=["Continue atorvastatin 20 mg nocte."],
    )
    assert not clean.flags, plain_text(clean)
    assert "allergic" in _messages(_check(checker, transcript, plan=["Start ciprofloxacin 500 mg BD."]))


@pytest.mark.parametrize(
    "kept",
    [
        "NSAIDs (diclofenac, ibuprofen) avoided due to diclofenac allergy.",
        "不可服用家中的diclofenac（扶他林）（過敏）。",
        "因diclofenac過敏，不處方扶他林。",
    ],
)
def test_a_drug_named_to_keep_the_patient_off_it(checker: Checker, kept: str) -> None:
    transcript = "D|有冇藥物敏感？\nP|扶他林！以前食過，對眼腫到瞇埋。\n"
    result = _check(checker, transcript, subjective=["藥物過敏：diclofenac（眼腫）。"], plan=[kept])
    assert not result.contradictions, plain_text(result)
    wrong = _check(
        checker, transcript, subjective=["藥物過敏：diclofenac（眼腫）。"], plan=["Diclofenac 50 mg TDS."]
    )
    assert wrong.contradictions


def test_please_dont_stop_it_keeps_the_drug(checker: Checker) -> None:
    transcript = (
        "D|Are you on allopurinol?\nP|Yes, the 300, every morning. I was thinking of stopping it.\n"
        "D|Please don't stop it, keep taking it exactly as you are.\n"
    )
    assert not _check(checker, transcript, plan=["Continue allopurinol 300 mg daily."]).contradictions


def test_a_reaction_in_an_allergy_line_and_never_daily(checker: Checker) -> None:
    transcript = "D|Any fever?\nP|No fever.\nD|Start methotrexate 7.5 mg once a week, never daily.\n"
    result = _check(
        checker,
        transcript,
        subjective=["Allergy: sulfasalazine - generalised rash with fever."],
        patient_instructions=["Methotrexate 7.5 mg is taken ONCE A WEEK, never daily."],
    )
    assert not result.contradictions, plain_text(result)
    assert FREQUENCY in {
        f.type for f in _check(checker, transcript, plan=["Methotrexate 7.5 mg daily."]).flags
    }


def test_nothing_new_leaves_the_old_weakness_and_a_near_fall_is_no_fall(checker: Checker) -> None:
    transcript = (
        "D|出院之後有冇再有新嘅weakness？\nP|冇，一次都冇。\n"
        "D|Any falls?\nP|No. I nearly went over, but I didn't actually fall.\n"
    )
    result = _check(
        checker,
        transcript,
        subjective=[
            "Stroke 3 weeks ago with right hand weakness, improving.",
            "Recent near-fall, no actual fall.",
        ],
        assessment=["Falls risk."],
    )
    assert NEGATION not in {f.type for f in result.flags}, plain_text(result)
    assert NEGATION in {
        f.type for f in _check(checker, transcript, subjective=["Two falls this month."]).flags
    }


def test_strength_alone_half_a_tablet_and_a_hold_then_restart(checker: Checker) -> None:
    transcript = (
        "P|Zopiclone. The 7.5. One every night.\n"
        "D|Let's halve it: from tonight, half a tablet, that's 3.75 mg.\n"
        "D|Warfarin 今晚同聽晚都唔好食，停兩晚，之後禮拜六晚先食返 3 mg，每晚一粒。\n"
    )
    result = _check(
        checker,
        transcript,
        subjective=["Zopiclone 7.5 mg every night."],
        plan=[
            "Withhold warfarin tonight and tomorrow night.",
            "Resume warfarin 3 mg every night from Saturday.",
        ],
        patient_instructions=["Take half a tablet of zopiclone at night from tonight."],
    )
    assert not result.contradictions, plain_text(result)
    assert STOPPED_DRUG in {
        f.type for f in _check(checker, transcript, plan=["Continue warfarin 3 mg nightly."]).flags
    }


def test_past_indications_risks_and_counts_are_no_facts(checker: Checker) -> None:
    transcript = (
        "D|Any allergies?\nP|Yes, years ago for a bladder infection. I came out in a terrible rash.\n"
        "D|你係甲型流感，年紀又大，容易變肺炎。以你個體重，Plaquenil 一日 400 mg 太多。\n"
    )
    result = _check(checker, transcript, subjective=["Influenza A."])
    messages = _messages(result)
    assert "diagnosis" not in messages and "weight" not in messages, plain_text(result)


def test_a_drug_named_alone_then_its_dose_or_its_reaction(checker: Checker) -> None:
    transcript = (
        "D|Colchicine. Half a milligram, twice a day, until the attack settles.\n"
        "D|And you reacted to one of the arthritis drugs before, didn't you?\n"
        "P|Sulfasalazine. I got a rash all over and a temperature.\n"
        "P|Imdur sixty, one in the morning.\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=["Allergy: sulfasalazine - rash.", "Isosorbide mononitrate (Imdur) 60 mg mane."],
        plan=["Colchicine 0.5 mg BD."],
    )
    assert not clean.flags, plain_text(clean)
    wrong = _check(
        checker,
        transcript,
        subjective=["Isosorbide mononitrate (Imdur) 120 mg mane."],
        plan=["Colchicine 1 mg QID."],
    )
    assert {DOSE, FREQUENCY} <= {f.type for f in wrong.flags} and "allergy" in _messages(wrong)


def test_advice_said_back_is_no_finding(checker: Checker) -> None:
    transcript = (
        "D|Have you noticed your urine going dark?\nP|No, it's normal. Pale, actually, I drink loads of water.\n"
        "D|If your urine goes dark, go to A&E.\nP|OK. Dark urine or weakness — A&E.\n"
    )
    assert NEGATION in {f.type for f in _check(checker, transcript, subjective=["Dark urine."]).flags}
    clean = _check(checker, transcript, subjective=["No dark urine; good fluid intake, no alcohol."])
    assert not clean.contradictions, plain_text(clean)


def test_an_allergy_told_after_a_dash_and_those_of_the_sentence_before(checker: Checker) -> None:
    transcript = (
        "P|Coversyl, four milligrams, in the morning, and Lipitor 10 at night. Allergy — aspirin. "
        "It made me wheezy.\n"
        "P|My wife wanted me to take a couple of her Panadeine.\n"
        "D|Panadeine has codeine in it. Don't take those at home.\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=[
            "Medications: perindopril (Coversyl) 4 mg mane; atorvastatin (Lipitor) 10 mg nocte.",
            "Allergy: aspirin (bronchospasm).",
        ],
        plan=["Not to take Panadeine."],
    )
    assert not clean.flags, plain_text(clean)
    wrong = _check(
        checker, transcript, subjective=["Atorvastatin 10 mg nocte."], plan=["May take Panadeine."]
    )
    messages = _messages(wrong)
    assert "aspirin" in messages and "Coversyl" in messages and STOPPED_DRUG in {f.type for f in wrong.flags}


# ------------------------------------------------------------------ read on the tenth development set
def test_a_second_safety_net_after_a_and_e_and_the_same_if_that_follows(checker: Checker) -> None:
    transcript = (
        "D|If the fever comes back, he gets more short of breath or becomes confused, take him to A&E. "
        "Same if he faints, or falls and hurts himself.\n"
    )
    both = _check(
        checker,
        transcript,
        patient_instructions=[
            "Go to A&E if fever returns, more short of breath or confusion.",
            "Go to A&E if he faints, or falls and injures himself.",
        ],
    )
    assert not both.omissions, plain_text(both)
    one = _check(
        checker, transcript, patient_instructions=["Go to A&E if he faints, or falls and injures himself."]
    )
    assert "safety-net" in _messages(one), plain_text(one)


def test_what_was_tried_instead_and_past_illnesses_are_no_allergy_or_diagnosis(checker: Checker) -> None:
    transcript = (
        "D|Allergy呢？我見record寫住lamotrigine。\n"
        "P|係，第一隻試嘅就係lamotrigine，食咗兩個禮拜出rash，成身紅曬，所以先轉valproate。\n"
        "D|Any other allergies?\nP|Septrin. I had it for a bladder infection years ago and my lips blew up.\n"
        "D|有冇對咩嘢敏感？\nP|有，幾年前腸胃炎，食完Stemetil成塊面出曬紅疹。\n"
        "D|Valproate繼續食住先。\n"
    )
    result = _check(
        checker,
        transcript,
        subjective=["Allergies: lamotrigine (rash), Septrin (lip swelling), Stemetil (facial rash)."],
        plan=["Continue valproate for now."],
    )
    assert not result.flags, plain_text(result)
    dropped = _check(checker, transcript, plan=["Continue valproate for now."])
    assert "lamotrigine" in _messages(dropped) and "咩嘢" not in _messages(dropped)


def test_free_of_and_a_negative_carrier_test_are_denials(checker: Checker) -> None:
    transcript = "D|最近有冇seizure？\nP|冇喇，成三年都冇發過。\nP|乙肝我驗過，冇帶菌。\n"
    clean = _check(checker, transcript, subjective=["Seizure-free for 3 years.", "乙型肝炎帶菌檢查陰性；"])
    assert NEGATION not in {f.type for f in clean.flags}, plain_text(clean)
    flipped = _check(checker, transcript, subjective=["Seizures in the last month."])
    assert NEGATION in {f.type for f in flipped.flags}


def test_risks_read_backs_and_stop_once_better_are_no_stops(checker: Checker) -> None:
    transcript = (
        "D|Please don't stop either the aspirin or the Brilinta. Stopping them this soon after a stent "
        "can make the stent clot off.\n"
        "D|If you get a sore throat or fever, stop the carbimazole and come in the same day.\n"
        "P|Sore throat or fever, stop it and get a blood test same day.\n"
        "D|我開hydrocortisone 1% cream，一日兩次，最多搽七日，好返就停。\n"
        "D|Propranolol is a beta-blocker. In anaphylaxis it can stop the adrenaline working properly. "
        "I'd like you to stop it from today.\n"
    )
    clean = _check(
        checker,
        transcript,
        plan=[
            "Continue aspirin and ticagrelor.",
            "Carbimazole 10 mg once daily.",
            "Hydrocortisone 1% cream BD, max 7 days.",
            "EpiPen 0.3 mg: carry two at all times.",
            "Stop propranolol.",
        ],
    )
    assert STOPPED_DRUG not in {f.type for f in clean.flags}, plain_text(clean)
    wrong = _check(checker, transcript, plan=["Continue propranolol 10 mg TDS."])
    assert STOPPED_DRUG in {f.type for f in wrong.flags}, plain_text(wrong)


def test_cannot_take_again_is_a_stop_and_do_not_restart_is_no_take(checker: Checker) -> None:
    transcript = (
        "D|Voltaren同Brufen係同一類NSAID，你唔可以再食。\n"
        "P|I tried a hydrocortisone cream, it made it worse, so I stopped.\n"
    )
    clean = _check(checker, transcript, plan=["Avoid NSAIDs.", "Do not restart hydrocortisone on the face."])
    assert STOPPED_DRUG not in {f.type for f in clean.flags}, plain_text(clean)
    wrong = _check(checker, transcript, plan=["Continue diclofenac (Voltaren) as needed for pain."])
    assert STOPPED_DRUG in {f.type for f in wrong.flags}, plain_text(wrong)


def test_a_tablet_count_that_spells_out_an_amount_said(checker: Checker) -> None:
    transcript = (
        "D|Carbimazole twenty milligrams in the morning?\n"
        "P|Yeah, four of the little pink carbimazole, they're five each.\n"
        "D|So I'll bring the carbimazole down to ten milligrams, that's two tablets, once a day.\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=["Medications: carbimazole 20 mg (4 x 5 mg) once daily."],
        plan=["Reduce carbimazole to 10 mg (2 x 5 mg) once daily."],
    )
    assert DOSE not in {f.type for f in clean.flags}, plain_text(clean)
    wrong = _check(checker, transcript, plan=["Reduce carbimazole to 5 mg (1 x 5 mg) once daily."])
    assert DOSE in {f.type for f in wrong.flags}, plain_text(wrong)


def test_answers_to_you_or_your_family_and_a_second_denial_in_the_answer(checker: Checker) -> None:
    transcript = (
        "D|Have you or anyone in your family ever had a blood clot in the leg or the lungs?\n"
        "P|No, never.\n"
        "D|有冇肚痛，或者下面有冇出血？\nP|冇肚痛，亦都冇出血。\n"
        "D|If you have no urine for twelve hours, go to A&E.\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=["No history of DVT/PE.", "無腹痛，無陰道出血。", "Passing less urine."],
    )
    assert NEGATION not in {f.type for f in clean.flags}, plain_text(clean)
    for flipped in ("Personal history of DVT.", "有少量陰道出血。"):
        assert NEGATION in {f.type for f in _check(checker, transcript, subjective=[flipped]).flags}, flipped


# ------------------------------------------------------------------ read on the eleventh development set
def test_one_safety_net_is_carried_only_by_advice_about_its_findings(checker: Checker) -> None:
    transcript = (
        "D|If you get chest pain that doesn't go after two sprays, call 999 and go to A&E.\n"
        "D|如果期間大便變黑、嘔血，即刻去急症，唔好等。\n"
    )
    clean = _check(
        checker,
        transcript,
        patient_instructions=[
            "If chest pain does not settle after two GTN sprays, call 999.",
            "Go to A&E immediately if black stools or vomiting blood.",
        ],
    )
    assert not clean.omissions, plain_text(clean)
    other = _check(
        checker,
        transcript,
        patient_instructions=[
            "Go to A&E immediately if black stools or vomiting blood.",
            "Go to A&E if you faint.",
        ],
    )
    assert "safety-net" in _messages(other), plain_text(other)


def test_any_fever_see_a_doctor_and_get_help_are_safety_nets(checker: Checker) -> None:
    transcript = (
        "D|Any fever while you're away, see a doctor that same day.\n"
        "D|If you get agitated or shaky, stop it and get help straight away.\n"
    )
    dropped = _check(checker, transcript, patient_instructions=["Mosquito repellent and long sleeves."])
    assert _messages(dropped).count("safety-net") == 2, plain_text(dropped)


def test_courses_that_end_tapers_that_stop_and_cautions(checker: Checker) -> None:
    transcript = (
        "D|Prednisolone, 40 milligrams once a day for five days, then just stop.\n"
        "D|I'd like to stop the zopiclone.\n"
        "D|Adapalene gel at night; adapalene mustn't be used in pregnancy.\n"
        "D|食完 omeprazole 之後停兩個禮拜，我幫你做 breath test。\n"
        "D|咁我同你減到一日一粒，朝早食就得，唔好同奶茶或者鈣片一齊食。\n"
    )
    clean = _check(
        checker,
        transcript,
        plan=[
            "Prednisolone 40 mg once daily for 5 days, then stop.",
            "Zopiclone: reduce to 3.75 mg for 1 week, then stop.",
            "Start adapalene gel at night.",
            "Start omeprazole 20 mg once daily for 4 weeks.",
        ],
        patient_instructions=["Adapalene must not be used in pregnancy.", "避免與奶茶或鈣片同服。"],
    )
    assert not clean.contradictions, plain_text(clean)
    wrong = _check(checker, transcript, plan=["Continue zopiclone 7.5 mg at night."])
    assert STOPPED_DRUG in {f.type for f in wrong.flags}, plain_text(wrong)


def test_limits_activities_and_other_drugs_give_no_dose_or_frequency(checker: Checker) -> None:
    transcript = (
        "D|Panadol 照食，一次兩粒，一日四次，一日唔好超過八粒。\n"
        "D|Mirabegron 25 mg，每日一次，朝早食。屋企有血壓機嘅話，一個禮拜量兩三次記低。\n"
        "D|我開個吸入器俾你，Flixotide 125，每日兩次，每次噴兩下。\n"
        "D|I'll increase the sertraline to 100 milligrams once a day, that's two of the 50s every morning.\n"
    )
    clean = _check(
        checker,
        transcript,
        plan=[
            "Panadol 2 tab QID, 每日不多於8粒。",
            "Mirabegron 25 mg once daily.",
            "Fluticasone (Flixotide) 125 mcg BD.",
            "Increase sertraline from 50 mg to 100 mg once daily.",
        ],
        patient_instructions=["Mirabegron 可令血壓稍升：每星期量2–3次並記錄。"],
    )
    assert not clean.contradictions, plain_text(clean)
    wrong = _check(checker, transcript, plan=["Fluticasone (Flixotide) 250 mcg BD."])
    assert DOSE in {f.type for f in wrong.flags}, plain_text(wrong)


def test_brands_near_misses_and_illness_before_today(checker: Checker) -> None:
    transcript = (
        "D|With aura, the combined pill raises your risk of stroke, so I need you to stop the Microgynon.\n"
        "P|差啲啫。前晚撞埋個衣櫃，好彩冇跌落地。\n"
        "D|呢個係感冒病毒之後嘅咳，條氣管仲敏感緊。Losartan 照食。佢可能令血壓高少少。\n"
        "D|有冇咳到有血？\nP|冇血。\n"
        "D|眼白都唔黃。\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=["Near-fall at night (hit the wardrobe), no fall.", "無咳血。"],
        objective=["No scleral jaundice."],
        plan=["Stop Microgynon.", "Continue losartan."],
    )
    assert not clean.flags, plain_text(clean)
    for wrong in ("Continue Microgynon.", "有咳血。", "Scleral jaundice."):
        flagged = _check(checker, transcript, plan=[wrong] if "Micro" in wrong else [], subjective=[wrong])
        assert flagged.contradictions, wrong


# ------------------------------------------------------------------ read on the twelfth development set
def test_keep_taking_in_cantonese_and_things_that_will_not_stop(checker: Checker) -> None:
    transcript = (
        "D|所有藥照食,clopidogrel 千祈唔好自己停。\n"
        "D|Utrogestan，一百毫克，每晚瞓覺前食一粒，日日都要食，唔好停。\n"
        "D|Because of the warfarin: any bleeding, a nosebleed that won't stop, go to A&E.\n"
        "D|阿士匹靈會令你流血多咗，你要停咗佢。\n"
    )
    clean = _check(
        checker,
        transcript,
        assessment=["缺鐵性貧血；阿士匹靈或加重出血。"],
        plan=[
            "Continue clopidogrel 75 mg mane - do not stop.",
            "開始 Utrogestan 100 mg 每晚睡前一粒，不可停。",
            "Continue warfarin 3 mg nocte.",
        ],
        patient_instructions=["Go to A&E for any bleeding or a nosebleed that won't stop."],
    )
    assert not clean.flags, plain_text(clean)
    wrong = _check(checker, transcript, plan=["Continue aspirin 80 mg daily."])
    assert STOPPED_DRUG in {f.type for f in wrong.flags}, plain_text(wrong)


def test_declined_left_out_and_a_definite_no(checker: Checker) -> None:
    transcript = (
        "D|We'll leave the gliclazide out.\n"
        "D|Zyban, that's bupropion, is a definite no for you.\n"
        "D|呢種 ACE inhibitor 喺懷孕中後期食會影響 BB 嘅腎，所以今日就要停，唔好再食。\n"
    )
    clean = _check(
        checker,
        transcript,
        plan=["Gliclazide declined by the patient, not started.", "Do not use bupropion."],
    )
    assert not clean.contradictions, plain_text(clean)
    for wrong in ("Start gliclazide 80 mg BD.", "Start bupropion (Zyban) 150 mg once daily."):
        flagged = _check(checker, transcript, plan=[wrong])
        assert STOPPED_DRUG in {f.type for f in flagged.flags}, wrong
    ace = _check(
        checker,
        "P|我食緊 Coversyl。\nP|5 mg，每朝一粒。\n"
        "D|呢種 ACE inhibitor 喺懷孕中後期食會影響 BB 嘅腎，所以今日就要停，唔好再食。\n",
        plan=["Continue perindopril (Coversyl) 5 mg."],
    )
    assert STOPPED_DRUG in {f.type for f in ace.flags}, plain_text(ace)


def test_advice_whose_action_is_the_next_sentence(checker: Checker) -> None:
    transcript = "D|And if you get palpitations, chest pain or feel faint, don't wait for Thursday. Go straight to A&E.\n"
    dropped = _check(checker, transcript, plan=["Review on Thursday."])
    assert "safety-net" in _messages(dropped), plain_text(dropped)
    kept = _check(
        checker, transcript, patient_instructions=["Go straight to A&E if palpitations or chest pain."]
    )
    assert not kept.omissions, plain_text(kept)


def test_tea_kept_off_a_tablet_a_gram_as_two_tablets_and_before_the_baby(checker: Checker) -> None:
    transcript = (
        "D|我開鐵丸俾你，ferrous sulphate 三百毫克，每日食一粒。\n"
        "D|valaciclovir，一次一克，即係兩粒五百，一日三次。\n"
        "P|我未有BB之前已經有高血壓。\n"
    )
    clean = _check(
        checker,
        transcript,
        subjective=["Pre-existing hypertension before pregnancy."],
        plan=[
            "Ferrous sulphate 300 mg daily.",
            "服鐵丸前後兩小時避免茶、咖啡及奶類。",
            "Valaciclovir 1 g（500 mg 兩粒）每日三次。",
        ],
    )
    assert not clean.contradictions, plain_text(clean)
    wrong = _check(checker, transcript, plan=["Valaciclovir 250 mg TDS."])
    assert DOSE in {f.type for f in wrong.flags}, plain_text(wrong)
