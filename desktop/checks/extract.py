"""What the consultation said that a note must carry, read from the transcript.

Medicines (with dose, frequency and what was decided), allergies (or none), vital signs and
measurements, diagnoses, tests ordered, referrals, follow-up and safety-net advice; and, for
the contradiction check, which findings were said to be absent or present and which drugs were
stopped, held, avoided or are allergens.

A question and its answer are read together: "Any chest pain or fever?" answered "No" means
neither; "Any allergies?" answered "Doxycycline, it gave me a rash" is an allergy; "Are you
still taking the methotrexate?" answered "Yes, 15 mg every Monday" gives its dose.
"""

from __future__ import annotations

import re
from dataclasses import replace

from desktop.checks.allergies import REACTION, allergy_denied, read_allergies
from desktop.checks.amounts import doses_in, frequency_in
from desktop.checks.concepts import Concepts, Mention
from desktop.checks.denied import read_denials
from desktop.checks.meds import (
    ALLERGY,
    CHANGE,
    STOP,
    TAKING,
    DrugUse,
    Med,
    MedFinder,
    drug_uses,
    find_cues,
)
from desktop.checks.model import Fact
from desktop.checks.negation import bare_no, bare_yes, is_negated, negated_ranges
from desktop.checks.said import Drug, Line, Said, _Read
from desktop.checks.text import Piece, clauses, condition_start, is_question, numbers, sentences
from desktop.checks.when import intervals, weekdays

MEASUREMENTS: dict[str, str] = {
    "BP": r"blood pressure(?! (?:tablets?|pills?|medicines?|medications?|drugs?))|\bBP\b|(?<!降)血壓(?!藥)",
    "pulse": r"\bpulse\b|heart rate|\bHR\b|心跳|脈搏",
    "temperature": r"temperature|\btemp\b|體溫",
    "SpO2": r"oxygen saturation|saturations?|\bsats\b|SpO2|血氧|血含氧|oxygen",
    "respiratory rate": r"resp(?:iratory)? rate|\bRR\b|呼吸率",
    "weight": r"\bweight\b|\bweighs?\b|\bwt\b|體重",
    "glucose": r"glucose|blood sugar|sugar readings?|\bsugar\b|\bCBG\b|血糖",
    "HbA1c": r"HbA1c|\bA1c\b|糖化血紅素",
    "INR": r"\bINR\b",
    "peak flow": r"peak flow|PEFR",
    "LDL": r"\bLDL\b|壞膽固醇",
    "TSH": r"\bTSH\b",
    "eGFR": r"\beGFR\b",
    "potassium": r"potassium|\bK\+",
    "uric acid": r"uric acid|尿酸",
    "PHQ-9": r"PHQ-?9",
}
_MEASURE = re.compile("|".join(f"(?P<m{i}>{p})" for i, p in enumerate(MEASUREMENTS.values())), re.IGNORECASE)
_MEASURE_NAMES = list(MEASUREMENTS)
_PAIR = re.compile(r"^\s*(?:/|over|除|on)\s*")
_REFERRAL = re.compile(r"\brefer\w*\b|轉介|轉去|轉你去|轉診", re.IGNORECASE)
FOLLOW_UP = re.compile(
    r"\b(?:come back|coming back|see you|see me|see the|review\w*|follow[- ]?up|f/u|return|appointment|recheck|"
    r"check-up)\b|覆診|返嚟|回來|再睇|再見|睇返",
    re.IGNORECASE,
)
SAFETY_ACTION = re.compile(
    r"\bA&E\b|\bA and E\b|emergency|\bER\b|\bED\b|ambulance|(?<![0-9])(?:999|911|112)(?![0-9])|come back|return|"
    r"see (?:a|your|the) (?:doctor|GP)|\bbe seen\b|get seen|\bcasualty\b|urgent care|"
    r"(?:seek|get) (?:medical )?(?:help|attention|advice|care)|"
    r"\b(?:call|ring|phone|telephone|contact)\b(?= (?:if|when|should)\b)|"
    r"(?:call|ring|phone|telephone|contact) (?:us|me|the (?:clinic|surgery|practice|ward|doctor|crisis line|"
    r"helpline)|your (?:doctor|GP)|999|111|911|an ambulance)|"
    r"go (?:straight|directly|immediately) to|maternity (?:assessment )?unit|labour ward|delivery suite|"
    r"急症|急診|返嚟|回來|覆診|回診|求診|就診|就醫|再睇|睇醫生|求醫|九九九|白車|救護車|打電話(?:俾|畀|比|給)?(?:我|診所|醫生)|產房|"
    r"即刻(?:去|入)醫院",
    re.IGNORECASE,
)
_ORDER = re.compile(
    r"\b(?:order\w*|arrange\w*|get|getting|repeat\w*|recheck\w*|check\w*|send|book\w*|request\w*|do|"
    r"we'll|i'll|we will|i will|i want|need|schedul\w*|refer)\b|安排|再|會|要|去|做|照|check|後|"
    r"驗(?!咗|過|完)|抽血",
    re.IGNORECASE,
)
_RESULT = re.compile(
    r"\b(?:came back|come back|showed|shows|show|result\w*|was|is|were|today|done|did (?:get|do)|had you do|"
    r"before you came in)\b|驗咗|驗過|上次|之前|結果|顯示",
    re.IGNORECASE,
)


def read_line(line: Line, meds: MedFinder, concepts: Concepts) -> _Read:
    found = meds.find(line.text)
    mentions = concepts.find(line.text)
    protected = [(m.start, m.end) for m in mentions] + [(d.start, d.end) for d in found]
    return _Read(
        line,
        found,
        drug_uses(line.text, found),
        mentions,
        negated_ranges(line.text, protected),
        sentences(line.text),
    )


def _sentence_of(read: _Read, pos: int) -> Piece | None:
    return next((s for s in read.sentences if s.start <= pos < s.end), None)


_RISK_OF = re.compile(
    r"\b(?:risks?|chance|possibility|side[- ]effects?) (?:of|is|are|include|including)\b|"
    r"\b(?:can|may|might|could) (?:cause|trigger|bring on|lead to|worsen|give you)\b|風險|副作用|有機會引起|會引致|容易(?:變|變成|引起|有)|(?:長期|食耐咗?)[^，。]{0,4}會|"
    r"\bwill (?:turn|make|colour|color)\b|"  # "it will turn your stools black"
    r"(?:可能|或會|有機會)令(?:到)?",  # 佢可能令血壓高少少 "it may raise the blood pressure a little"
    re.IGNORECASE,
)


_WHERE_TO_GO_ECHO = re.compile(
    r"(?:[—–:→]|\s-|->)\s*(?:A&E|A and E|999|ED|casualty|急症室|急診|come back|return)\W*$", re.IGNORECASE
)
_EXPECTED = re.compile(
    r"(?:食咗|食完|服用|用咗|服[^，。]{0,6}?)(?:之?後|以後)[^，。]{0,10}?(?:會|屬正常|是正常|係正常|屬預期)"
)
_SAFE_IN = re.compile(
    r"\b(?:safe|recommended|used|allowed|licensed|suitable|okay|ok|fine|given|taken|avoided)\b[^.;,]{0,25}"
    r"\b(?:in|during)\s+(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_RISK_AFTER = re.compile(r"[^，。,；;]{0,10}?(?:嘅)?(?:風險|副作用)|[\w-]{0,15}\s+risk\b", re.IGNORECASE)


def _neutral(read: _Read, pos: int) -> bool:
    """Inside a question, after an "if", or a risk explained ("a small risk of blood clots"):
    neither found nor decided."""
    s = _sentence_of(read, pos)
    if s is None:
        return False
    if is_question(s.text):
        return True
    if _RISK_OF.search(read.line.text, s.start, pos) or _RISK_AFTER.match(read.line.text, pos, s.end):
        return True
    if read.line.speaker != "doctor" and _WHERE_TO_GO_ECHO.search(s.text):
        return True  # "Dark urine or weakness — A&E.": the advice said back, not a finding
    if _EXPECTED.search(read.line.text, s.start, min(s.end, pos + 10)):
        return True  # 食咗之後大便會變黑色，係正常嘅: what the medicine is expected to do
    if _SAFE_IN.search(read.line.text[max(s.start, pos - 50) : pos]):
        return True  # "aspirin isn't safe this late in pregnancy": when a drug is safe, not a finding
    cond = condition_start(s.text)
    return cond is not None and pos >= s.start + cond


def read_consultation(lines: list[Line], meds: MedFinder, concepts: Concepts) -> Said:
    said = Said()
    reads = [read_line(line, meds, concepts) for line in lines]
    said.examined = {
        r.line.id
        for r in reads
        if r.line.speaker == "doctor" and not all(is_question(s.text) for s in r.sentences)
    }
    for i, read in enumerate(reads):
        answer = (
            reads[i + 1] if i + 1 < len(reads) and reads[i + 1].line.speaker != read.line.speaker else None
        )
        _medicines(said, read, answer, meds)
        _dose_of_the_drug_before(said, reads, i, meds)
        _dose_of_it(said, read)
        _stop_of_the_drug_before(said, reads, i)
        read_allergies(said, read, answer, meds, concepts)
        _findings(said, read, answer)
        _measurements(said, read)
        _diagnoses_tests_referrals(said, read)
        _follow_up_and_safety_net(said, read, concepts)
    said.denials = read_denials(
        [(r.line.id, r.line.speaker, r.line.text, r.negated) for r in reads],
        [(r.line.id, m.start, m.end) for r in reads for m in r.mentions if m.category == "finding"],
    )
    for drug in said.drugs.values():
        if drug.key in said.allergens and all(d == ALLERGY for d, _ in drug.decisions):
            continue  # named only as an allergen: the allergy fact carries it
        said.facts.append(_medication_fact(drug))
    return said


def _drug(said: Said, med: Med) -> Drug:
    return said.drugs.setdefault(med.key, Drug(med.key, med.surface))


def _medicines(said: Said, read: _Read, answer: _Read | None, meds: MedFinder) -> None:
    line_id = read.line.id
    asked: list[DrugUse] = []
    for use in read.uses:
        if is_negated(read.negated, use.med.start) and use.decision == TAKING:
            continue  # "not on warfarin"
        if use.decision == ALLERGY:
            if not allergy_denied(read, use.med.start):
                continue  # read by read_allergies
            # "you're only taking Alavert and have no drug allergies": taken, not an allergen
            use = replace(use, decision=TAKING, decided=False)
        sentence = _sentence_of(read, use.med.start)
        if sentence is not None and is_question(sentence.text):
            asked.append(use)
            continue
        drug = _drug(said, use.med)
        _add_use(drug, use, line_id)
    if (
        asked
        and answer is not None
        and answer.meds
        and not bare_yes(answer.line.text)
        and not _amounts_in(answer.line.text[: answer.meds[0].start])
    ):
        # "維他命、中藥嗰啲？" "有……我朋友介紹咗啲苦瓜丸…": the answer names what is taken; the
        # examples asked about are taken only where the answer names them too ("十 mg，即係四粒…
        # 仲有 folic acid" gives the asked drug's amount first, and is about it)
        named = {m.key for m in answer.meds}
        asked = [u for u in asked if u.med.key in named]
    if asked and answer is not None and not bare_no(answer.line.text):
        last = asked[-1]
        for use in asked:
            if read.line.speaker != "doctor" and not (use.decision == STOP and bare_yes(answer.line.text)):
                # "可唔可以開啲強啲嘅藥，好似 tramadol？", "Stop the sleeping pill completely?": a patient
                # asking decides nothing (a doctor's "Yes" to "Should I stop it?" does)
                use = replace(use, decision=TAKING, decided=False)
            _add_use(_drug(said, use.med), use, line_id)
        # "Yes, 15 mg every Monday": the answer's dose before any drug it names is the asked drug's.
        head = answer.line.text[: answer.meds[0].start] if answer.meds else answer.line.text
        drug = said.drugs[last.med.key]
        drug.doses |= set(doses_in(head))
        per_day, _ = frequency_in(head)
        drug.per_day |= per_day
        if (doses_in(head) or per_day) and answer.line.id not in drug.lines:
            drug.lines.append(answer.line.id)


_DOSE_BACK_LINES = 3
# An amount right after a word that is no ordinary lead-in ("on fifty milligrams", "to 100 mg")
_NAMED_AMOUNT = re.compile(
    r"\b(?!(?:on|of|to|take|taking|takes|took|the|a|an|at|about|is|was|be|been|dose|doses|from|up|"
    r"down|by|and|or|just|only|every|each|with|times|still|now|usually|increase|increased|reduce|"
    r"reduced|lower|higher|same|extra|another|more|less|than|around|roughly|maybe|like|it|that|"
    r"those|these|them|your|my|his|her|their|you're|i'm|are|were|have|has|had|one|two|three|four|five|"
    r"six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|hundred|half|point)\b)[a-z][a-z'-]{2,}\s+"
    r"[\w.]+(?:\s+(?:hundred|thousand))?(?:\s+and\s+\w+)?\s*(?:mg|milligrams?|ml|millilit\w*)\b",
    re.IGNORECASE,
)


def _dose_of_the_drug_before(said: Said, reads: list[_Read], i: int, meds: MedFinder) -> None:
    """ "Last time we started sertraline." ... "You're on fifty milligrams once a day?": a line that
    names an amount but no drug speaks of the one drug named just before."""
    read = reads[i]
    text = read.line.text
    if read.meds:
        # "Half a tablet, so 3.75, at night. Keep the amlodipine …": the sentences before the first
        # drug named
        first = _sentence_of(read, read.meds[0].start)
        text = text[: first.start] if first is not None else ""
        if not text.strip():
            return
    found = doses_in(text)
    # 血氧 98%, "sats 97%": a measurement, not a cream's strength
    pct = "" if _OXYGEN.search(text) else "%"
    amounts = [d for d in found if d[1] in ("mg", "ml", "unit", "puff", pct)]
    per_day = frequency_in(text)[0]
    if not amounts and per_day and any(u == "tab" for _, u in found):
        amounts = [d for d in found if d[1] == "tab"]  # "每日食三次，每次一粒": a count and how often
    halved = bool(_HALVED.search(text))
    if (not amounts and not halved) or _NAMED_AMOUNT.search(text):
        return  # "start an allopro 500 milligrams": the amount is of a name the recogniser garbled
    for back in range(i - 1, max(-1, i - 1 - _DOSE_BACK_LINES), -1):
        keys = {m.key for m in reads[back].meds}
        if not keys:
            continue
        if len(keys) == 1:
            # "the sleeping pill": the one drug of that kind the consultation named
            key = next(iter(keys))
            named = meds.stands_for(key) & set(said.drugs)
            key = next(iter(named)) if len(named) == 1 else key
        if len(keys) == 1 and key in said.drugs:
            drug = said.drugs[key]
            if halved:
                _halve(drug)  # "Half a tablet, so 3.75, at night"
            drug.doses |= set(amounts)
            drug.per_day |= per_day
            if read.line.id not in drug.lines:
                drug.lines.append(read.line.id)
        return


_IT = re.compile(r"\b(?:it|them|that dose|the dose)\b|佢|隻藥|個藥|劑量", re.IGNORECASE)


def _dose_of_it(said: Said, read: _Read) -> None:
    """ "Too much thyroxine strains the heart. I'll bring it down from a hundred to seventy-five
    micrograms": a later sentence of the line that gives "it" an amount speaks of the one drug the
    line named."""
    if (
        read.line.speaker != "doctor"
        or len({m.key for m in read.meds}) != 1
        or read.meds[0].key not in said.drugs
    ):
        return
    drug = said.drugs[read.meds[0].key]
    last = read.meds[-1].start
    for s in read.sentences:
        if s.start <= last or not _IT.search(s.text) or _neutral(read, s.start):
            continue
        amounts = [d for d in doses_in(s.text) if d[1] in ("mg", "ml", "unit", "puff")]
        if not amounts or _NAMED_AMOUNT.search(s.text):
            continue
        drug.doses |= set(amounts)
        if any(c.kind == CHANGE for c in find_cues(read.line.text, s.start, s.end)):
            drug.decisions.append((CHANGE, read.line.id))
        if read.line.id not in drug.lines:
            drug.lines.append(read.line.id)


_OXYGEN = re.compile(MEASUREMENTS["SpO2"], re.IGNORECASE)
_STOP_WITHOUT_NAME = re.compile(
    r"\b(?:stop|hold|discontinue|avoid)\w*\s+(?:it|that|this|them|those|these)\b(?!\s+(?:in place|still|steady|"
    r"together|there|up|being|working|getting|from (?:working|being|getting|happening))\b)|"
    r"\b(?:don't|do not)\s+(?:take|use)\s+(?:it|that|this|them|those|these)\b|"
    r"(?:停咗?佢|唔好再(?:食|用)|唔好食住|唔好(?:再)?食佢|停(?:咗)?(?:啲|嗰啲)?藥(?!之後|以後|後)|"
    r"(?:唔可以|不可以|唔能夠|不能)再(?:食|用))",
    re.IGNORECASE,
)
_SUBJECT_WITHIN = 12  # characters from a sentence's start within which a drug is its subject
_MIGHT = re.compile(r"\b(?:can|could|may|might|would|will)\b", re.IGNORECASE)
_NOT_STOPPING = re.compile(
    r"\b(?:don't|do not|never|not|no need to|shouldn't|thinking (?:of|about)|thought (?:of|about)|"
    r"considering|wondering (?:about|if i should))\s+(?:\w+\s+)?$|(?:唔好|不要|唔使|不用|諗住|想)\s*$",
    re.IGNORECASE,
)
_OTHER_REMEDY = re.compile(
    r"中成藥|補品|保健品|涼茶|湯水|藥材|\b(?:herbs?|supplements?|remed(?:y|ies)|tonics?|tea|"
    r"alcohol|coffee|vitamins?)\b",
    re.IGNORECASE,
)
_MEDICINE_WORD = re.compile(
    r"\b(?:medicines?|tablets?|pills?|capsules?|drugs?|inhibitors?|blockers?|antagonists?|statins?)\b|藥|丸",
    re.IGNORECASE,
)


def _amounts_in(text: str) -> bool:
    return bool(doses_in(text) or frequency_in(text)[0])


def _stop_of_the_drug_before(said: Said, reads: list[_Read], i: int) -> None:
    """ "Are you still taking the St John's wort?" "Yes." "Please stop that…": a stop said of "it",
    "that" or 嗰啲藥, with no drug named before it in its sentence, is of the one drug the lines just
    before named."""
    read = reads[i]
    text = read.line.text
    for m in _STOP_WITHOUT_NAME.finditer(text):
        s = _sentence_of(read, m.start())
        if s is None or _neutral(read, m.start()):
            continue  # a question, or advice for later ("如果…肌肉痛，就停藥返嚟睇")
        if any(s.start <= med.start < m.start() for med in read.meds):
            continue  # the drug named before it in the sentence has the cue already
        if _NOT_STOPPING.search(text, max(s.start, m.start() - 30), m.start()):
            continue  # "Please don't stop it", "I was thinking of stopping it": no stop
        if _OTHER_REMEDY.search(text, s.start, m.start()):
            continue  # 中藥就要停咗佢, "the herbal tea, stop that": what the sentence named first
        if read.line.speaker != "doctor" and m.group(0).lower().startswith(("stop ", "hold ", "avoid ")):
            continue  # "Sore throat or fever, stop it and get a blood test": the advice said back
        if m.group(0).lower().startswith(("stopping", "holding")) and _MIGHT.search(text, m.end(), s.end):
            continue  # "Stopping them this soon after a stent can make the stent clot off": a risk
        pronoun = not m.group(0).startswith(
            ("唔好再食", "唔好再用", "唔好食住", "唔可以再", "不可以再", "唔能夠再", "不能再")
        )
        if not pronoun and not _MEDICINE_WORD.search(s.text):
            continue  # "唔好再食" alone may be about food
        earlier = [med for med in read.meds if med.start < s.start]
        if pronoun and earlier:
            # "Panadeine has codeine in it. Don't take those at home.": the subject of the sentence
            # before, in the same line
            before = next(p for p in reversed(read.sentences) if p.start <= earlier[-1].start)
            subject = next(med for med in earlier if med.start >= before.start)
            if subject.start - before.start > _SUBJECT_WITHIN:
                # "Propranolol is a beta-blocker. In anaphylaxis it can … stop the adrenaline
                # working. I'd like you to stop it": the last drug that opens a sentence
                subject = next(
                    (
                        med
                        for p in reversed(read.sentences)
                        if p.start < before.start
                        for med in earlier
                        if p.start <= med.start <= p.start + _SUBJECT_WITHIN
                    ),
                    subject,
                )
            if subject.key in said.drugs:
                said.drugs[subject.key].decisions.append((STOP, read.line.id))
            return
        for back in range(i - 1, max(-1, i - 3), -1):
            keys = [med.key for med in reads[back].meds]
            if not keys:
                continue
            if len(set(keys)) == 1 and keys[0] in said.drugs:
                said.drugs[keys[0]].decisions.append((STOP, read.line.id))
                if read.line.id not in said.drugs[keys[0]].lines:
                    said.drugs[keys[0]].lines.append(read.line.id)
            break
        return


_HALVED = re.compile(
    r"減一半|減半|一半|半粒|\bhalve\w*|\bhalf the dose\b|\bin half\b|\bhalf a (?:tablet|tab|pill)\b",
    re.IGNORECASE,
)


def _halve(drug: Drug) -> None:
    """ "Zopiclone 減一半", "halve the dose", "half a tablet, so 3.75": half of each amount said before."""
    drug.doses |= {(v / 2, u) for v, u in drug.doses if u in ("tab", "mg", "")}


def _add_use(drug: Drug, use: DrugUse, line_id: str) -> None:
    if line_id not in drug.lines:
        drug.lines.append(line_id)
    drug.doses |= set(use.doses)
    drug.per_day |= use.per_day
    if _HALVED.search(use.sentence.text):
        _halve(drug)
    if use.hold_before and use.decision == STOP and line_id not in drug.holds:
        drug.holds.append(line_id)
    if use.decided and not use.conditional and use.decision != TAKING:
        drug.decisions.append((use.decision, line_id))
        drug.resumed = drug.resumed or use.resumed
        if use.decision == CHANGE and use.per_day:
            drug.changed_per_day = set(use.per_day)


def _medication_fact(drug: Drug) -> Fact:
    final = drug.final
    state = {"stop": "stopped", "avoid": "to avoid", "start": "started", "change": "changed"}
    state.update({"continue": "continued"})
    label = drug.surface
    amounts = sorted(drug.doses)
    if amounts:
        label += " " + ", ".join(_amount(v, u) for v, u in amounts)
    if final is not None and final[0] in state:
        label += f" ({state[final[0]]})"
    return Fact(
        "medication",
        drug.key,
        label,
        list(drug.lines),
        {"doses": amounts, "per_day": sorted(drug.per_day), "decision": final[0] if final else TAKING},
    )


def _amount(value: float, unit: str) -> str:
    shown = f"{value:g}"
    return f"{shown} {unit}".strip()


_OWNED = re.compile(r"\b(?:your|his|her|my|their)\s+$|(?:你|佢|我)(?:個|嘅)\s*$", re.IGNORECASE)
_NEW_BEFORE = re.compile(r"新(?:嘅|的|出現)|\bnew\b|\bany (?:more|further|other)\b|\bagain\b", re.IGNORECASE)
# what is said to be there or not: findings, and diagnoses ("冇 asthma", "no history of diabetes")
_HEARD = ("finding", "diagnosis")


def _findings(said: Said, read: _Read, answer: _Read | None) -> None:
    asked: list[Mention] = []
    for m in read.mentions:
        if m.category not in _HEARD:
            continue
        s = _sentence_of(read, m.start)
        if s is not None and is_question(s.text):
            if not _NEW_BEFORE.search(read.line.text, s.start, m.start):
                # "出院之後有冇再有新嘅 weakness？" - "冇": nothing new, the old weakness stays
                asked.append(m)
            continue
        if _neutral(read, m.start):
            continue
        owned = m.category == "diagnosis" and _OWNED.search(read.line.text, max(0, m.start - 8), m.start)
        if m.negated(read.negated) and not owned:
            said.absent.setdefault(m.concept, []).append(read.line.id)
        else:
            # "Not with your asthma": the patient's own condition, whatever is not done because of it
            said.present.setdefault(m.concept, []).append(read.line.id)
    if asked and _FAMILY.search(read.line.text) and not _YOU_OR_FAMILY.search(read.line.text):
        asked = []  # "Anybody in the family with kidney failure?" - "No": the family's, not the patient's
    if asked and answer is not None:
        answered = {m.concept for m in answer.mentions if m.category in _HEARD}
        if bare_no(answer.line.text):
            for m in asked:
                if m.concept not in answered:
                    said.absent.setdefault(m.concept, []).extend([read.line.id, answer.line.id])
        elif bare_yes(answer.line.text) and len({m.concept for m in asked}) == 1:
            # "Sleeping OK?" - "Yes": a yes to a question asked by its absence says absent
            heard = said.absent if asked[0].absent_term else said.present
            heard.setdefault(asked[0].concept, []).extend([read.line.id, answer.line.id])
        for a in answer.mentions:
            # "屁股周圍有冇麻痺？" answered "嗰度都冇痺": the answer's word (numbness) is the asked
            # finding's own (saddle numbness)
            word = answer.line.text[a.start : a.end].lower()
            if a.category not in _HEARD or _neutral(answer, a.start):
                continue
            for m in asked:
                if (
                    m.concept != a.concept
                    and m.concept not in answered
                    and word in read.line.text[m.start : m.end].lower()
                ):
                    heard = said.absent if a.negated(answer.negated) else said.present
                    heard.setdefault(m.concept, []).extend([read.line.id, answer.line.id])
        for echo in _negated_echoes(answer.line.text):
            # "大便有冇黑色？" answered "冇黑"; "Any blood in the stool?" answered "No blood."
            for m in asked:
                if m.concept not in answered and echo in read.line.text[m.start : m.end].lower():
                    said.absent.setdefault(m.concept, []).extend([read.line.id, answer.line.id])


_FAMILY = re.compile(
    r"\b(?:in the family|family history|anyone in (?:your|the) family|any(?:body|one) in (?:your|the) family|"
    r"your (?:mother|father|mum|mom|dad|parents|brothers?|sisters?|siblings|relatives))\b|"
    r"家族|家人|屋企人|親戚|爸爸|媽媽|阿爸|阿媽|兄弟姊妹",
    re.IGNORECASE,
)
# "Have you or anyone in your family ever had a blood clot?" - "No, never": the patient's too
_YOU_OR_FAMILY = re.compile(
    r"\byou(?:rself)? or (?:any|some)\w*\b|你或者|你同埋?(?:屋企人|家人)", re.IGNORECASE
)
_ECHO = re.compile(
    r"^\s*(?:and |also |亦都|亦|也|都)?(?:no|not|never|冇|無|沒有|唔|未)\s*(?P<rest>[^\s,，.。!！]{1,12}(?:\s[a-z]+){0,2})\s*$",
    re.I,
)
# "No blood that I've seen.", "No discharge either.": what is denied, then a hedge
_HEDGE_AFTER = re.compile(
    r"\s+(?:that (?:i|we)(?:'ve| have)? (?:seen|noticed|know of)|that i can (?:see|tell)|at all|either|so far)$",
    re.IGNORECASE,
)
_ECHO_STOP = {"more", "really", "anymore", "at all", "one", "problem", "問題", "嘢", "事", "乜"}


def _negated_echoes(answer: str) -> list[str]:
    """The words of an answer's short negated clauses ("No blood." -> "blood"; 冇黑 -> 黑)."""
    out: list[str] = []
    for sentence in sentences(answer):
        for clause in clauses(sentence):
            said = _HEDGE_AFTER.sub("", clause.text.strip().rstrip(",，.。!！;；"))
            m = _ECHO.match(said)
            if m:
                rest = m.group("rest").strip().lower().rstrip("呀啊喎囉啦㗎嘅噃")
                if rest and rest not in _ECHO_STOP:
                    out.append(rest)
    return out


_NOT_MEASURED = re.compile(
    r"\s*(?:日|天|次|粒|餐|個月|星期|禮拜|個鐘|小時|分鐘|毫克|times?\b|days?\b|weeks?\b|hours?\b|minutes?\b|"
    r"tablets?\b|mg\b|mcg\b|milligrams?\b)",
    re.IGNORECASE,
)


def _measurements(said: Said, read: _Read) -> None:
    text = read.line.text
    for m in _MEASURE.finditer(text):
        if _neutral(read, m.start()):
            continue
        name = _MEASURE_NAMES[int((m.lastgroup or "m0")[1:])]
        s = _sentence_of(read, m.start())
        limit = min(s.end if s else len(text), m.end() + 80)  # "one hundred and forty-two over eighty-eight"
        nxt = _MEASURE.search(text, m.end(), limit)
        stop = nxt.start() if nxt else limit
        window = text[m.end() : stop]
        # "以你個體重，Plaquenil 一日 400 mg": a count of days or doses is no measurement
        found = [n for n in numbers(window) if not _NOT_MEASURED.match(window, n.end)]
        if not found:
            continue
        values = [found[0].value]
        if name == "BP" and len(found) > 1:
            between = text[m.end() + found[0].end : m.end() + found[1].start]
            if _PAIR.match(between) and not between.strip(" /overn除"):
                values.append(found[1].value)
        label = f"{name} " + "/".join(f"{v:g}" for v in values)
        key = f"{name}:" + "/".join(f"{v:g}" for v in values)
        if not any(f.key == key for f in said.facts):
            said.facts.append(Fact("vital", key, label, [read.line.id], {"values": values}))


def _diagnoses_tests_referrals(said: Said, read: _Read) -> None:
    text = read.line.text
    for m in read.mentions:
        if m.category not in ("diagnosis", "test", "specialty") or _neutral(read, m.start):
            continue
        if m.negated(read.negated):
            continue
        s = _sentence_of(read, m.start)
        sentence = s.text if s else text
        name = text[m.start : m.end]
        if _MEDICINE_AFTER.match(text, m.end):
            continue  # 糖尿藥, 膽固醇藥, "her blood pressure tablets": a medicine named by what it treats
        if m.category == "diagnosis":
            if _AFTER_ILLNESS.match(text, m.end):
                continue  # 感冒病毒之後嘅咳, "after the flu": what came before, not today's diagnosis
            if (
                (read.meds or REACTION.search(text))
                and read.line.speaker != "doctor"
                and _PAST_USE.search(sentence[: m.start - s.start if s else m.start])
            ):
                # "Ciprofloxacin. My face swelled up when I took it for a bladder infection": what a
                # drug the patient reacted to was once taken for, not today's diagnosis
                continue
            _fact(said, "diagnosis", m.concept, f"diagnosis: {name}", read.line.id)
        elif m.category == "test":
            if _NOT_NEEDED.search(text, max(s.start if s else 0, m.start - 12), m.start):
                continue  # 唔使照X光, "no need for an X-ray": a test not ordered
            if m.concept == "blood test" and any(
                o.category == "test"
                and o.concept != m.concept
                and s is not None
                and s.start <= o.start < s.end
                for o in read.mentions
            ):
                continue  # "repeat the TSH blood test": the named test carries it
            if (
                read.line.speaker == "doctor"
                and _ORDER.search(sentence)
                and not _is_result(text, m, sentence)
            ):
                _fact(said, "test", m.concept, f"test ordered: {name}", read.line.id)
        elif _REFERRAL.search(sentence):
            _fact(said, "referral", m.concept, f"referral to {name}", read.line.id)
    for s in read.sentences:
        named = any(m.category == "specialty" and s.start <= m.start < s.end for m in read.mentions)
        if (
            read.line.speaker == "doctor"
            and _REFERRAL.search(s.text)
            and not _neutral(read, s.start)
            and not named
        ):
            _fact(said, "referral", "referral", s.text.strip(), read.line.id)


_PAST_USE = re.compile(
    r"\b(?:when|while|after) (?:i|he|she|they|we|you|my \w+) (?:had|took|was given|got|was on|was treated)\b"
    r"[^.;]{0,40}$|\b(?:took|had|got) (?:it|them|that|this) for\b[^.;]{0,10}$|"
    r"\b(?:years?|months?|weeks?) ago,? for\b[^.;]{0,10}$|"
    r"(?:以前|之前|上次|嗰陣)(?:睇|生|有)[^，。]{0,2}$|(?:上個?(?:禮拜|星期|月)|舊年|琴日|尋日)我?$|"
    r"(?:幾|兩|三|好多|[0-9]+)(?:年|個月)前[^，。]{0,2}$|(?:上年|去年|前年)$|"
    r"\bfor (?:my|his|her|their)\s*$",
    re.IGNORECASE,
)
_AFTER_ILLNESS = re.compile(
    r"(?:病毒)?(?:之後|過後|後嘅)|\s+(?:virus\s+)?(?:last (?:week|month)|ago)\b", re.IGNORECASE
)
_NOT_NEEDED = re.compile(
    r"(?:唔使|不用|毋須|無須|唔需要|不需要|不必|\bno need (?:for|to)|\bdon't need|\bdo not need)[^，。,.;；]{0,6}$",
    re.IGNORECASE,
)
_MEDICINE_AFTER = re.compile(
    r"\s*(?:medicines?|medications?|meds|tablets?|pills?|drugs?|injections?)\b|藥|針", re.IGNORECASE
)


_FOUND_AFTER = re.compile(
    r"(?:[冇無]|[^，。,.;；?？]{0,20}?(?:陰性|陽性|正常|顯示|見到|\b(?:was|is|came back|were) (?:negative|positive|normal|clear)))",
    re.IGNORECASE,
)


def _is_result(text: str, mention: Mention, sentence: str) -> bool:
    after = text[mention.end : mention.end + 25]
    if numbers(after) and not re.match(r"\s*(?:in|後|之後)", after):
        return True
    if _FOUND_AFTER.match(after):
        return True  # 驗尿冇蛋白, 肺片完全正常, "pregnancy test 係陰性": what a test found
    if len(sentence) > 200:
        # a long unpunctuated line: what is said near the test decides ("I reviewed the results of
        # your x-ray … I'll put you on anti-inflammatories")
        sentence = text[max(0, mention.start - 60) : mention.end + 40]
    return bool(_RESULT.search(sentence)) and not re.search(
        r"\b(?:will|'ll|going to|gon na)\b|會|安排", sentence
    )


def _fact(said: Said, kind: str, key: str, label: str, line_id: str) -> None:
    for fact in said.facts:
        if fact.kind == kind and fact.key == key:
            fact.add_line(line_id)
            return
    said.facts.append(Fact(kind, key, label, [line_id]))


_ACTION_OPENS = re.compile(
    r"\s*(?:then\s+|and\s+)?(?:go|call|ring|phone|come|return|attend|get|seek)\b|\s*(?:就|要)?(?:即刻|立即|馬上)",
    re.IGNORECASE,
)
_SAME_ADVICE = re.compile(
    r"\s*(?:and\s+)?(?:the\s+)?(?:same|likewise|also|again)\b|\s*(?:同樣|一樣|都係咁)", re.IGNORECASE
)


def _follow_up_and_safety_net(said: Said, read: _Read, concepts: Concepts) -> None:
    if read.line.speaker != "doctor":
        return
    advice = False
    waiting: tuple[Piece, int] | None = None  # a condition whose action is the next sentence
    for s in read.sentences:
        cond = condition_start(s.text)
        # "…take him to A&E. Same if he faints": the advice before, for more findings
        same = advice and cond is not None and _SAME_ADVICE.match(s.text)
        advice = cond is not None and bool(SAFETY_ACTION.search(s.text, cond))
        # "If you get palpitations or chest pain, don't wait. Go straight to A&E.": the action follows
        then = (
            waiting is not None
            and cond is None
            and _ACTION_OPENS.match(s.text)
            and SAFETY_ACTION.search(s.text)
        )
        if then and waiting is not None:
            s, cond = waiting[0], waiting[1]
        waiting = (s, cond) if cond is not None and not advice and not same and not then else None
        if cond is not None and (advice or same or then):
            advice = True
            found = sorted(concepts.concepts(s.text[cond:], "finding"))
            key = "safety_net:" + ("+".join(found) or read.line.id)
            label = "safety-net advice: " + s.text.strip()
            if not any(f.key == key for f in said.facts):
                said.facts.append(Fact("safety_net", key, label, [read.line.id], {"findings": found}))
            continue
        if is_question(s.text) or not FOLLOW_UP.search(s.text[: cond if cond is not None else len(s.text)]):
            continue
        days = intervals(s.text)
        days_named = weekdays(s.text)
        if not days and not days_named:
            continue
        key = "follow_up:" + "/".join(f"{d:g}" for d in sorted(days)) + "/".join(sorted(days_named))
        label = "follow-up: " + s.text.strip()
        if not any(f.key == key for f in said.facts):
            said.facts.append(
                Fact(
                    "follow_up",
                    key,
                    label,
                    [read.line.id],
                    {"days": sorted(days), "weekdays": sorted(days_named)},
                )
            )
