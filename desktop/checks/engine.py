"""The checks: what the note left out of the consultation, and where it says the opposite.

``Checker().check(transcript, note)`` reads the transcript (and, when given, the patient's own
intake account as extra lines in the patient's words) and the note (and any letters), and
returns a :class:`~desktop.checks.model.CheckResult`:

* **omissions**: medicines (with dose), allergies, vital signs and measurements, diagnoses,
  tests ordered, referrals, follow-up and safety-net advice said in the consultation that the
  note does not carry;
* **contradictions** (red): a drug stopped, held, to be avoided or that the patient is allergic
  to (or of the same class) which the note or a letter tells the patient to take; a finding said
  to be absent written as present; a dose or frequency that differs.

Rules only, no model: the same note gives the same flags, and each flag cites its lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from desktop.asr.script import ScriptConverter, has_cjk
from desktop.checks.amounts import COUNT_UNITS
from desktop.checks.concepts import Concepts
from desktop.checks.denied import denied_in_note
from desktop.checks.extract import (
    FOLLOW_UP,
    SAFETY_ACTION,
    Drug,
    Line,
    Said,
    _neutral,
    _Read,
    read_consultation,
    read_line,
)
from desktop.checks.meds import (
    ALLERGY,
    AVOID,
    CHANGE,
    CONTINUE,
    START,
    STOP,
    DrugFinder,
    DrugUse,
    MedFinder,
    default_drug_finder,
    find_cues,
)
from desktop.checks.model import (
    ALLERGY_DRUG,
    CONTRADICTION,
    DOSE,
    DRUG_STOPPED_IN_NOTE,
    FACT_KINDS,
    FREQUENCY,
    NEGATION,
    OMISSION,
    STOPPED_DRUG,
    CheckResult,
    Fact,
    Flag,
)
from desktop.checks.negation import is_negated
from desktop.checks.text import condition_start, number_values
from desktop.checks.when import intervals, weekdays
from desktop.core.types import NOTE_SECTIONS, SoapNote, Transcript

# Sections that tell the patient what to take: a drug named there without a stop is one to take.
INSTRUCTING = frozenset({"plan", "patient_instructions", "medications", "letter"})
_NKDA = re.compile(
    r"\bNKDA\b|\bNKA\b|no known (?:drug )?allerg|no (?:drug |medication )?allerg|nil (?:known )?allerg|"
    r"not allergic|(?:冇|無|沒有|否認)(?:任何)?(?:藥物)?(?:敏感|過敏)",
    re.IGNORECASE,
)
_SAFETY_LABEL = re.compile(r"^\s*(?:SN|safety[- ]net(?:ting)?)\b", re.IGNORECASE)
_URGENT = re.compile(
    r"\b(?:immediately|at once|straight|right away|urgently|promptly|without delay|(?:the )?same day)\b|立即|即刻|馬上|立刻|盡快",
    re.I,
)
# "Any vaginal bleeding: report it and return to clinic": a condition, then what to do
_COLON_CONDITION = re.compile(r"^[^:：]{3,120}[:：][^:：]*?(?:" + SAFETY_ACTION.pattern + ")", re.IGNORECASE)
# "Painful swollen calf, chest pain or SOB -> A&E": findings, an arrow, where to go
_ARROW_ACTION = re.compile(r"(?:->|→|⇒|=>)\s*(?:" + SAFETY_ACTION.pattern + ")", re.IGNORECASE)
# "Call 999 for facial droop, arm weakness or difficulty speaking": an emergency and what it is for
_EMERGENCY_FOR = re.compile(
    # "Stop doxycycline and go to A&E for severe headache": the drug stopped first
    r"^\s*(?:please\s+)?(?:stop\s[^.;,]{1,30}?\s(?:and|then)\s+)?"
    r"(?:call|dial|ring|phone|go|attend|present|return|come)\b[^.;]{0,25}?"
    r"(?:\bA&E\b|\bA and E\b|(?<![0-9])999(?![0-9])|\bambulance\b|\bemergency\b|\bED\b)"
    r"[^.;]{0,20}?\b(?:for|with|should|in case of)\b",
    re.IGNORECASE,
)
_REFER_CUE = re.compile(r"\brefer\w*\b|轉介|轉診", re.IGNORECASE)
# add(type, key, message, transcript lines, where in the note)
_Add = Callable[[str, str, str, list[str], str], None]
_PER_DAY_WORDS = {1.0: "once a day", 2.0: "twice a day", 3.0: "three times a day", 4.0: "four times a day"}


@dataclass
class Statement:
    where: str  # "plan[0]", "chief_complaint", "letter:referral"
    section: str
    text: str
    status: str = ""  # the medications part's status: taking, started, changed, stopped, allergy


def note_statements(note: SoapNote) -> list[Statement]:
    out = (
        [Statement("chief_complaint", "chief_complaint", note.chief_complaint)]
        if note.chief_complaint
        else []
    )
    for name in NOTE_SECTIONS:
        out += [
            Statement(f"{name}[{i}]", name, st.text, st.status)
            for i, st in enumerate(note.section(name))
            if st.text
        ]
    return out


_HISTORY = frozenset({"subjective", "chief_complaint"})
_PARTS = re.compile(r"[；;。]|\.(?:\s|$)")  # the sentences and clauses of a note statement
# a note that times the drug itself ("continue until the week before", "omit on the day")
_TIMED = re.compile(
    r"\b(?:until|till|before|pre-?op\w*|omit\w*|hold\w*|withh\w*|stop\w*|last dose)\b|前|停|暫停",
    re.IGNORECASE,
)


def _asks(text: str) -> bool:
    """A question copied into the note, alone or quoted with its answer ("Any blood? — No.")."""
    return text.rstrip().endswith(("?", "？")) or "? — " in text or "？ — " in text


# A medications entry's status is the decision the note records, whatever its words say.
_STATUS_DECISION = {"started": START, "changed": CHANGE, "stopped": STOP, "allergy": ALLERGY}


def _read_statement(st: Statement, meds: MedFinder, concepts: Concepts) -> _Read:
    read = read_line(Line(st.where, "doctor", st.text), meds, concepts)
    decision = _STATUS_DECISION.get(st.status)
    if decision is not None:
        read.uses = [replace(u, decision=decision, decided=True) for u in read.uses]
    return read


@dataclass
class _Note:
    """What the note carries, read once."""

    drugs: dict[str, list[tuple[Statement, DrugUse]]] = field(default_factory=dict)
    doses: dict[str, set[tuple[float, str]]] = field(default_factory=dict)
    allergy_terms: set[str] = field(default_factory=set)
    allergy_texts: list[str] = field(default_factory=list)
    nkda: bool = False
    numbers: set[float] = field(default_factory=set)
    concepts: dict[str, set[str]] = field(default_factory=dict)
    intervals: set[float] = field(default_factory=set)
    weekdays: set[str] = field(default_factory=set)
    follow_up_cue: bool = False
    safety_nets: list[set[str]] = field(default_factory=list)
    referral_cue: bool = False


class Checker:
    def __init__(
        self, drugs: DrugFinder | None = None, concepts: Concepts | None = None, script: str = "hk"
    ) -> None:
        self.concepts = concepts or Concepts.default()
        self.meds = MedFinder(drugs or default_drug_finder(), self.concepts)
        self._script = ScriptConverter(script if script in ("hk", "tw") else "hk")

    def _text(self, text: str) -> str:
        return self._script.convert(text) if has_cjk(text) else text

    def check(
        self,
        transcript: Transcript,
        note: SoapNote,
        letters: Mapping[str, str] | None = None,
        extra_evidence: Iterable[tuple[str, str]] = (),
    ) -> CheckResult:
        """Omissions and contradictions of ``note`` (and ``letters``: name -> text) against what was said.

        ``extra_evidence`` holds (id, text) lines in the patient's own words (the intake account).
        """
        lines = [Line(i, "patient", self._text(t)) for i, t in extra_evidence]
        lines += [Line(s.id, s.speaker, self._text(s.text)) for s in transcript.segments if s.text.strip()]
        said = read_consultation(lines, self.meds, self.concepts)
        statements = [
            Statement(s.where, s.section, self._text(s.text), s.status) for s in note_statements(note)
        ]
        letter_statements = [
            Statement(f"letter:{n}", "letter", self._text(t)) for n, t in (letters or {}).items()
        ]
        # each statement is read once, for what the note carries and for what it contradicts
        reads = [(st, _read_statement(st, self.meds, self.concepts)) for st in statements]
        letter_reads = [(st, _read_statement(st, self.meds, self.concepts)) for st in letter_statements]
        carried = self._read_note(reads)
        result = CheckResult(facts=len(said.facts))
        order = {k: i for i, k in enumerate(FACT_KINDS)}
        for fact in sorted(said.facts, key=lambda f: order.get(f.kind, 99)):
            result.omissions += self._omissions(fact, carried, said)
        result.contradictions = self._contradictions(said, reads + letter_reads)
        return result

    # -------------------------------------------------------------- the note
    def _read_note(self, reads: list[tuple[Statement, _Read]]) -> _Note:
        seen = _Note()
        for st, read in reads:
            # "Avoid Septrin" alone does not record the allergy: the drug and its reaction must be
            # written as an allergy (or intolerance) for the next prescriber to see.
            allergy_statement = (
                st.status == "allergy"
                or any(u.decision == ALLERGY for u in read.uses)
                or bool(_ALLERGY_WORD.search(st.text))
                or _reaction_statement(read)
            )
            if allergy_statement:
                seen.allergy_texts.append(st.text)
            for use in read.uses:
                seen.drugs.setdefault(use.med.key, []).append((st, use))
                # "If results satisfactory, start methotrexate 7.5 mg weekly": the dose is written
                seen.doses.setdefault(use.med.key, set()).update(use.doses)
                if allergy_statement:
                    seen.allergy_terms.add(use.med.key)
            for m in read.mentions:
                seen.concepts.setdefault(m.category, set()).add(m.concept)
                if m.category == "allergen" and allergy_statement:
                    seen.allergy_terms.add(m.concept)
            seen.nkda = seen.nkda or bool(_NKDA.search(st.text))
            seen.numbers |= number_values(st.text)
            seen.intervals |= intervals(st.text)
            seen.weekdays |= weekdays(st.text)
            seen.follow_up_cue = seen.follow_up_cue or bool(FOLLOW_UP.search(st.text))
            seen.referral_cue = seen.referral_cue or bool(_REFER_CUE.search(st.text))
            if (
                st.section not in _HISTORY
                and st.section != "objective"
                and (
                    any(
                        condition_start(part) is not None and SAFETY_ACTION.search(part)
                        # "三個月後覆診；如準備懷孕請提早通知": a follow-up beside a condition is no safety net
                        for part in _PARTS.split(st.text)
                    )
                    or _SAFETY_LABEL.search(st.text)
                    or _urgent_advice(st.text)
                    or (st.section in INSTRUCTING and _EMERGENCY_FOR.search(st.text))
                    or _COLON_CONDITION.match(st.text)
                    or _ARROW_ACTION.search(st.text)
                )
            ):
                # the history's "needed A&E", "returning from the market" is no advice
                seen.safety_nets.append(self.concepts.concepts(st.text, "finding"))
        return seen

    # -------------------------------------------------------------- omissions
    def _omissions(self, fact: Fact, note: _Note, said: Said) -> list[Flag]:
        present = {
            # "Avoid aspirin and NSAIDs" carries "avoid ibuprofen": a class the note names covers it
            "medication": lambda: (
                fact.key in note.drugs
                # "since the codeine constipates" when the note carries the co-codamol
                or any(fact.key in self.concepts.combinations.get(key, ()) for key in note.drugs)
                # 去水丸 said, furosemide written
                or bool(self.meds.stands_for(fact.key) & set(note.drugs))
                or (
                    fact.detail.get("decision") in (AVOID, STOP)
                    and (
                        any(fact.key in self.meds.members(c) for c in note.concepts.get("allergen", set()))
                        # "no penicillins" after an Amoxil rash: the allergy the note records carries it
                        or bool(self.meds.related(fact.key) & note.allergy_terms)
                    )
                )
            ),
            "allergy": lambda: self._allergy_carried(fact, note),
            "vital": lambda: all(round(v, 3) in note.numbers for v in fact.detail["values"]),
            "diagnosis": lambda: fact.key in note.concepts.get("diagnosis", set()),
            "test": lambda: fact.key in note.concepts.get("test", set()),
            "referral": lambda: (
                fact.key in note.concepts.get("specialty", set())
                or (fact.key == "referral" and note.referral_cue)
            ),
            "follow_up": lambda: _follow_up_carried(fact, note),
            "safety_net": lambda: _safety_net_carried(fact, note),
        }[fact.kind]()
        flags: list[Flag] = []
        if not present:
            flags.append(
                Flag(
                    OMISSION,
                    fact.kind,
                    f"omission:{fact.key}",
                    f"Not in the note: {fact.label.rstrip('。.!！ ')}.",
                    fact.lines,
                )
            )
        elif (
            fact.kind == "medication"
            and fact.detail.get("doses")
            and not note.doses.get(fact.key)
            and not any(note.doses.get(k) for k in self.meds.stands_for(fact.key))
        ):
            amounts = ", ".join(_amount(v, u) for v, u in fact.detail["doses"])
            flags.append(
                Flag(
                    OMISSION,
                    "medication",
                    f"omission:dose:{fact.key}",
                    f"The note names {said.drugs[fact.key].surface} without the dose said ({amounts}).",
                    fact.lines,
                )
            )
        return flags

    def _allergy_carried(self, fact: Fact, note: _Note) -> bool:
        members: list[str] = fact.detail["members"]
        if not members:
            return note.nkda
        # "Codeine makes me vomit, and sulfa drugs give me a rash": each allergen must be written
        return all(self._allergen_carried(member, note) for member in members)

    def _allergen_carried(self, member: str, note: _Note) -> bool:
        if member.startswith("raw:"):
            return any(member[4:] in t.lower() for t in note.allergy_texts)
        cls = self.concepts.allergen_class.get(member)
        related = self.meds.related(member) | ({cls} | self.meds.related(cls) if cls else set())
        return bool(related & note.allergy_terms)

    # -------------------------------------------------------------- contradictions
    def _contradictions(self, said: Said, reads: list[tuple[Statement, _Read]]) -> list[Flag]:
        flags: dict[str, Flag] = {}

        def add(type_: str, key: str, message: str, lines: list[str], where: str) -> None:
            flag = flags.get(f"{type_}:{key}")
            if flag is None:
                flag = flags[f"{type_}:{key}"] = Flag(
                    CONTRADICTION, type_, f"contradiction:{type_}:{key}", message, lines
                )
            if where not in flag.where:
                flag.where.append(where)

        for st, read in reads:
            for use in read.uses:
                # "NSAIDs (diclofenac, ibuprofen) avoided due to allergy", "no PDE5 inhibitors (Viagra,
                # Cialis) while on nitrates", "Avoid Septrin (interaction with methotrexate)": a drug
                # named where the statement keeps the patient off something is not one to take
                kept = not use.decided and _kept_from(st.text, read, use)
                self._drug_contradictions(said, st, use, add, kept)
            if _asks(st.text):
                continue  # a question copied into the note ("Any flank pain?") states no finding
            if st.section in INSTRUCTING and SAFETY_ACTION.search(st.text):
                continue  # "Painful swollen calf or breathlessness: go to A&E": the findings are conditions
            if st.section != "letter":
                self._negation_contradictions(said, st, read, add)
            if st.section in _FINDING_SECTIONS:
                self._denied_contradictions(said, st, read, add)
        return list(flags.values())

    def _drug_contradictions(
        self, said: Said, st: Statement, use: DrugUse, add: _Add, kept: bool = False
    ) -> None:
        key, surface = use.med.key, use.med.surface
        # "Start Epiduo (adapalene/benzoyl peroxide)" after "stop the Differin": what a product holds
        # is no restart of the drug stopped, but an allergen or a drug to avoid inside it still is
        ingredient = bool(use.named_in) and use.named_in != key
        instructs = st.section in INSTRUCTING
        # the history ("Prescribed Septrin last week, not yet taken") tells the patient nothing
        takes = (
            not kept
            and st.section not in _HISTORY
            and use.decision not in (STOP, AVOID, ALLERGY)
            and (instructs or use.decision in (START, CONTINUE, CHANGE))
        )
        drug = own = said.drugs.get(key)
        if drug is None or drug.final is None:
            # "stop the 去水丸" holds for the furosemide the note names, "嗰啲傷風藥唔好再食" for the
            # pseudoephedrine they hold
            drug = next(
                (
                    said.drugs[g]
                    for g in self.meds.group_words(key)
                    if g in said.drugs and said.drugs[g].final
                ),
                drug,
            )
        final = drug.final if drug is not None else None
        avoided = [line for d, line in drug.decisions if d in (STOP, AVOID)] if drug else []
        if use.conditional:
            # "If it comes back, take trimethoprim": a plan for later may restart a held drug,
            # but never an allergen or a drug the consultation said never to take.
            takes = takes and (key in said.allergens or (final is not None and final[0] == AVOID))
            if not takes:
                return
        if takes and key in said.allergens:
            add(
                ALLERGY_DRUG,
                key,
                f"The note tells the patient to take {surface}, but the patient is allergic to it "
                f"(or to a drug of its class).",
                list(dict.fromkeys([*said.allergens[key], *avoided])),
                st.where,
            )
        elif (
            takes
            and final is not None
            and final[0] in (STOP, AVOID)
            and not (ingredient and final[0] == STOP)
            # held for two nights, then restarted: "Resume warfarin from Saturday" is what was said
            and not (drug is not None and drug.resumed and final[0] == STOP and use.decision != CONTINUE)
        ):
            verb = "stopped or held" if final[0] == STOP else "to be avoided"
            lines = [line for d, line in drug.decisions if d in (STOP, AVOID)] if drug else []
            add(
                STOPPED_DRUG,
                key,
                f"The note tells the patient to take {surface}, but in the consultation it was {verb}.",
                lines,
                st.where,
            )
        elif (
            takes
            and not use.conditional
            and drug is not None
            and drug.holds
            and (final is None or _line_order(final[1]) <= _line_order(drug.holds[-1]))
            and not _TIMED.search(st.text)
        ):
            # "stop the aspirin seven days before the operation" against "continue aspirin up to and
            # including the day of surgery"
            add(
                STOPPED_DRUG,
                key,
                f"The note tells the patient to take {surface}, but in the consultation it was to be "
                "held before a procedure.",
                list(drug.holds),
                st.where,
            )
        elif (
            instructs
            and use.decision in (STOP, AVOID)
            and final is not None
            and final[0] in (CONTINUE, START, CHANGE)
            # "服 Fosamax 後如胸口痛…須停藥並立即回診": stop it and come back at once if…, advice for later
            and not _urgent_advice(st.text)
        ):
            add(
                DRUG_STOPPED_IN_NOTE,
                key,
                f"The note stops {surface}, but in the consultation it was continued or started.",
                [final[1]],
                st.where,
            )
        # the amounts said of the drug itself, where it has any ("我開鐵丸俾你，ferrous fumarate 200mg，一日一粒")
        amounts_of = own if own is not None and (own.doses or own.per_day) else drug
        if amounts_of is not None:
            self._dose_contradictions(amounts_of, st, use, add)

    def _dose_contradictions(self, drug: Drug, st: Statement, use: DrugUse, add: _Add) -> None:
        if use.decision in (ALLERGY,):
            return
        bare = {v for v, u in drug.doses if not u}
        # "two 500 mg tablets" is 1 g, "四粒二點五 mg" 10 mg: a count times a strength was said too
        counts = {v for v, u in drug.doses if u == "tab"} | {v for v in bare if v <= 4}
        said_mass = {v for v, u in drug.doses if u == "mg"}
        # "carbimazole 20 mg (4 x 5 mg)" where 20 mg was said: the tablets only spell the amount out
        mass_said = any(
            u == "mg" and any(abs(v - m) < 1e-6 * max(1.0, m) for m in said_mass) for v, u in use.doses
        )
        for value, unit in use.doses:
            if unit == "tab" and value > 1 and mass_said:
                continue
            said_values = {v for v, u in drug.doses if u == unit}
            if unit == "mg":
                said_values |= {c * v for c in counts for v, u in drug.doses if u == "mg"}
                # "一次一克，即係兩粒五百": a gram as two tablets, each of 500 mg
                said_values |= {v / c for c in counts if c for v, u in drug.doses if u == "mg"}
            # "co-codamol thirty-five hundred" names a strength: a bare number is a count of tablets
            # only when it could be one
            # (7.5 and 3.75 are strengths, not counts of tablets)
            comparable = (
                {v for v in bare if v <= _MOST_UNITS and (v.is_integer() or v < 3)}
                if unit in COUNT_UNITS
                # "Flixotide 125" said, "125 mcg" written: a bare strength may be in micrograms
                else bare | ({v / 1000 for v in bare} if unit == "mg" else set())
            )
            if not unit or not (said_values or comparable):
                continue
            if not any(abs(value - v) < 1e-6 * max(1.0, v) for v in said_values | comparable):
                said_text = ", ".join(_amount(v, u) for v, u in sorted(drug.doses) if u in (unit, ""))
                add(
                    DOSE,
                    drug.key,
                    f"The note gives {use.med.surface} {_amount(value, unit)}; the consultation said {said_text}.",
                    list(drug.lines),
                    st.where,
                )
        final = drug.final
        if (
            st.section in INSTRUCTING
            and final is not None
            and final[0] == CHANGE
            and drug.changed_per_day
            and use.decision not in (STOP, AVOID, ALLERGY)
            and use.per_day
            and not use.per_day & drug.changed_per_day
        ):
            # 二甲雙胍減做每朝一粒 but the plan keeps it twice a day: the old frequency, not the new one
            said_text = " or ".join(_per_day(c) for c in sorted(drug.changed_per_day))
            for count in sorted(use.per_day):
                add(
                    FREQUENCY,
                    drug.key,
                    f"The note gives {use.med.surface} {_per_day(count)}; the consultation changed it to {said_text}.",
                    [final[1]],
                    st.where,
                )
        if drug.per_day:
            for count in use.per_day - drug.per_day:
                said_text = " or ".join(_per_day(c) for c in sorted(drug.per_day))
                add(
                    FREQUENCY,
                    drug.key,
                    f"The note gives {use.med.surface} {_per_day(count)}; the consultation said {said_text}.",
                    list(drug.lines),
                    st.where,
                )

    def _negation_contradictions(self, said: Said, st: Statement, read: _Read, add: _Add) -> None:
        # "Tobacco use: non-smoker": a label, then the finding's absence as its value
        colon = min((i for i in (st.text.find(":"), st.text.find("：")) if i >= 0), default=-1)
        negated_after_label = {
            m.concept
            for m in read.mentions
            if m.category == "finding" and colon >= 0 and m.start > colon and m.negated(read.negated)
        }
        for m in read.mentions:
            if m.concept in negated_after_label and m.end <= colon:
                continue
            if m.category not in ("finding", "diagnosis") or _neutral(read, m.start):
                continue
            if _ALLERGY_WORD.search(st.text):
                continue  # "Allergy: sulfasalazine – rash with fever": the reaction then, not a finding now
            if m.concept in _HABITS and st.section not in _FINDING_SECTIONS:
                continue  # "Keep alcohol to a minimum" is advice, not a finding
            if m.concept in _HABITS and _LITTLE.search(st.text):
                continue  # "minimal alcohol" after "I don't really drink": the same, written down
            if st.section in INSTRUCTING and _INDICATION_BEFORE.search(
                st.text, max(0, m.start - 30), m.start
            ):
                continue  # "GTN spray as needed for chest pain": what a medicine is for
            name = _in_sentence(st.text[m.start : m.end])
            negated = m.negated(read.negated)
            absent = said.absent.get(m.concept, [])
            if st.section == "objective" and m.concept in _SIGNS:
                # "1+ pitting oedema" on examination after "any swelling in your legs?" - "no": what
                # the patient denied does not contradict what the doctor found
                absent = [x for x in absent if x in said.examined]
            if not negated and absent and m.concept not in said.present:
                add(
                    NEGATION,
                    m.concept,
                    f"The note says {name} is present; in the consultation it was said to be absent.",
                    sorted(set(absent), key=_line_order),
                    st.where,
                )

    def _denied_contradictions(self, said: Said, st: Statement, read: _Read, add: _Add) -> None:
        """A finding the concept list does not know, denied in the consultation, stated in the note."""
        known = [(m.start, m.end) for m in read.mentions if m.category == "finding"]
        for phrase, lines in denied_in_note(said.denials, st.text, read.negated):
            at = st.text.lower().find(phrase.split()[0]) if phrase.isascii() else st.text.find(phrase)
            if any(a <= at < b for a, b in known):
                continue  # the concept list reads this one
            if any(u.med.start <= at < u.med.end for u in read.uses):
                continue  # "No, Augmentin has amoxicillin inside": a drug, which the drug checks read
            add(
                NEGATION,
                "denied:" + phrase,
                f"The note says {phrase} is present; in the consultation it was said to be absent.",
                sorted(set(lines), key=_line_order),
                st.where,
            )


_FINDING_SECTIONS = frozenset({"chief_complaint", "subjective", "objective", "assessment"})
# Signs a doctor finds on examination whatever the patient noticed
_SIGNS = frozenset(
    {
        "ankle swelling",
        "crackles",
        "wheeze",
        "calf tenderness",
        "lymphadenopathy",
        "joint swelling",
        "cyanosis",
        "jaundice",
    }
)
_INDICATION_BEFORE = re.compile(
    r"\b(?:for|treat(?:s|ing)?|relieve|prevent)\s+(?:the |any |your |his |her |mild |severe )?(?:\w+\s+)?$|"
    r"(?:治|醫|用於|紓緩)[^，。]{0,4}$",
    re.IGNORECASE,
)
_MOST_UNITS = 10.0  # tablets, puffs or drops taken at once
# a statement that records an allergy or intolerance
_ALLERGY_WORD = re.compile(r"allerg|敏感|過敏|adverse|intoleran", re.IGNORECASE)
_HABITS = frozenset({"alcohol", "smoking"})
_LITTLE = re.compile(
    r"\b(?:minimal|occasional(?:ly)?|rarely|rare|social(?:ly)?|light|little|hardly|seldom|infrequent)\b|偶爾|間中|少量|好少|甚少",
    re.IGNORECASE,
)
_CAUSES = re.compile(
    r"\b(?:caus(?:es|ed)|gives?|gave|provok(?:es|ed)|trigger(?:s|ed))\b|->|→|引起|導致|會出", re.I
)


def _reaction_statement(read: _Read) -> bool:
    """ "Aspirin causes wheeze", "Penicillin -> rash": a drug, then a reaction it causes."""
    for m in _CAUSES.finditer(read.line.text):
        drug_before = any(u.med.end <= m.start() for u in read.uses)
        finding_after = any(f.category == "finding" and f.start >= m.end() for f in read.mentions)
        if drug_before and finding_after:
            return True
    return False


def _urgent_advice(text: str) -> bool:
    """Where to go, and at once: "go straight to A&E", 須停藥並立即回診."""
    return bool(SAFETY_ACTION.search(text) and _URGENT.search(text))


def _kept_from(text: str, read: _Read, use: DrugUse) -> bool:
    """The drug is named where its part of the statement keeps the patient off it: an avoid or
    stop word in the same part, or a negation over it."""
    if is_negated(read.negated, use.med.start):
        return True
    start = 0
    for cut in [*(m.start() for m in _PARTS.finditer(text)), len(text)]:
        if start <= use.med.start < cut:
            kinds = {c.kind for c in find_cues(text, start, cut)}
            return bool(kinds & {AVOID, STOP}) and not kinds & {START, CONTINUE, CHANGE}
        start = cut
    return False


def _follow_up_carried(fact: Fact, note: _Note) -> bool:
    days: list[float] = fact.detail.get("days", [])
    named: list[str] = fact.detail.get("weekdays", [])
    if any(round(d, 3) in note.intervals for d in days) or any(w in note.weekdays for w in named):
        return True
    return not days and not named and note.follow_up_cue


def _safety_net_carried(fact: Fact, note: _Note) -> bool:
    """Safety-net advice needs advice in the note about one of the same findings (or advice naming
    none, on either side): "go to A&E if he faints" does not carry "if the fever comes back, take
    him to A&E", even where that was the only advice given."""
    wanted = set(fact.detail.get("findings", []))
    return any(not wanted or not found or wanted & found for found in note.safety_nets)


def _amount(value: float, unit: str) -> str:
    return f"{value:g} {unit}".strip()


def _per_day(count: float) -> str:
    for per_week, words in ((1, "once a week"), (2, "twice a week"), (3, "three times a week")):
        if abs(count - per_week / 7) < 1e-3:
            return words
    if abs(count - 0.5) < 1e-3:
        return "every other day"
    return _PER_DAY_WORDS.get(count, f"{count:g} times a day")


def _line_order(line_id: str) -> tuple[int, str]:
    digits = "".join(c for c in line_id if c.isdigit())
    return (int(digits) if digits else 0, line_id)


def check_note(
    transcript: Transcript,
    note: SoapNote,
    letters: Mapping[str, str] | None = None,
    extra_evidence: Iterable[tuple[str, str]] = (),
) -> CheckResult:
    """:meth:`Checker.check` with the default drug lexicon and concepts."""
    return Checker().check(transcript, note, letters, extra_evidence)


def _in_sentence(name: str) -> str:
    """A finding as the note wrote it, lower-cased to sit inside a sentence ("Fever" -> "fever");
    an abbreviation (SOB, HbA1c) is kept."""
    return name[0].lower() + name[1:] if name[:1].isupper() and name[1:].islower() else name
