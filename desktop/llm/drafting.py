"""Drafting the SOAP note from a transcript with the local language model.

The transcript lines sorted into sections (the *backbone*: who spoke and what was said) tell
the model which lines feed which section. The model answers one question per section
(chief complaint, subjective, medications and allergies, objective, assessment, plan,
instructions), naming those lines; it condenses and merges them into note sentences, and
backbone lines its answer left out are added as the speakers' own words, so nothing said is
lost. Every question shares the same prefix — instructions, patient header and the numbered
transcript — and differs only at the end, so llama.cpp reuses the prefix's KV cache and the
transcript is read once (while the consultation goes on: :func:`prefill`). Each answer is
constrained to a JSON schema, so it always parses.

Nothing invented: a typed chief complaint is kept as the user's; a consultation with nothing
clinical gets an empty draft that says so (the model is not asked); degenerate answers are
repaired per section (:mod:`desktop.llm.repair`); every statement is linked to its lines and
one that no line supports is flagged, as is a number, dose or drug the transcript does not
hold, and a drug the doctor stopped that the plan tells the patient to take. The note is in
the clinic's language and script (:mod:`desktop.llm.written`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from desktop import paths
from desktop.core.errors import ContextLimitError, UserFacingError
from desktop.core.note_schema import section_schema
from desktop.core.types import (
    MED_STATUSES,
    NO_SOURCE,
    NOTE_SECTIONS,
    NoteStatement,
    Patient,
    SoapNote,
    Transcript,
)
from desktop.documents.factguard import FactGuard
from desktop.llm.clinical import has_clinical_content
from desktop.llm.evidence import link_evidence, tokens
from desktop.llm.extractive import quote_sections, sorted_lines, tidy_speech
from desktop.llm.medications import (
    Reading,
    drugs_named,
    line_status,
    medications_by_rule,
    merge_medications,
    read_medications,
    stopped_drugs,
)
from desktop.llm.repair import quote, repair_note
from desktop.llm.runtime import LlamaRuntime, PrefillStats, TokenFn
from desktop.llm.threads import idle_threads, shared_threads
from desktop.llm.written import convert_note, note_language

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]
_MARGIN_TOKENS = 96
DRAFT_STEPS: tuple[str, ...] = ("chief_complaint", *NOTE_SECTIONS)
_LANGUAGE_LINE = " Write the sentences in written Traditional Chinese."


def hint_limit(context_length: int) -> int:
    """Most line ids one question names: 40 in an 8k context, fewer in a small one."""
    return max(4, min(40, context_length // 128))


# Most tokens each section's answer may take (the setting llm.max_tokens caps them all): the
# wait after Stop is mostly writing, so each section says what it must and no more.
SECTION_TOKENS = {
    "chief_complaint": 48,
    "subjective": 200,
    "medications": 120,
    "objective": 120,
    "assessment": 80,
    "plan": 140,
    "patient_instructions": 100,
}
# A backbone line with fewer content words than this adds nothing to a section the model wrote.
_MIN_FILL_WORDS = 3
# Asked even when no transcript line was sorted into them.
_ALWAYS_ASKED = frozenset({"assessment", "medications"})
EMPTY_NOTICE = {
    "en": "Nothing clinical was said in this consultation, so nothing was drafted.",
    "zh": "這次會診沒有談及臨床內容，因此沒有草擬紀錄。",
}


@dataclass
class DraftResult:
    note: SoapNote
    chunks: int = 1
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_s: float = 0.0
    seconds: float = 0.0
    retries: int = 0
    unsupported: int = 0
    raw: list[str] = field(default_factory=list)
    # Sections where the model's answer held nothing usable and the speaker's own words were used.
    extracted_sections: list[str] = field(default_factory=list)
    # Backbone lines added to the model's sections because its answer left them out.
    filled_lines: int = 0
    # Degenerate statements removed (echoed questions, one statement in several sections,
    # citations that share no word with the statement).
    repaired: int = 0
    # Statements no transcript line supports (flagged, not removed).
    unsourced: int = 0
    language: str = "en"
    # Seconds spent per step (BENCHMARKS L1: where the time goes).
    step_seconds: dict[str, float] = field(default_factory=dict)
    # Sections whose answer did not parse even after a shorter retry.
    invalid_sections: list[str] = field(default_factory=list)
    # Sections whose answer was cut off by the token limit; its whole statements were kept.
    salvaged_sections: list[str] = field(default_factory=list)
    # Share of the transcript's tokens already in the model's cache when drafting began (prefill
    # during the consultation; BENCHMARKS L3).
    prefix_reuse: float = 0.0
    # CPU threads the model wrote with (desktop.llm.threads).
    threads: int = 0


@lru_cache(maxsize=8)
def _prompt(name: str) -> str:
    return (paths.assets_dir() / "prompts" / name).read_text(encoding="utf-8")


def _questions() -> dict[str, str]:
    data = json.loads(_prompt("soap_sections.json"))
    return {k: str(v) for k, v in data.items()}


def transcript_lines(transcript: Transcript) -> list[str]:
    """The numbered lines the model reads: ``[s1] Doctor: …`` in order (see :func:`prompt_ids`)."""
    lines = []
    for i, seg in enumerate(transcript.segments, 1):
        speaker = seg.speaker.capitalize() if seg.speaker and seg.speaker != "unknown" else "Speaker"
        lines.append(f"[s{i}] {speaker}: {seg.text}")
    return lines


def prompt_ids(transcript: Transcript) -> dict[str, str]:
    """The line ids the model sees and may cite ("s1", "s2"…) → the segments' own ids.

    Live segments are called ``u3-2`` or ``u3-2a``; the answer schema only lets the model cite
    ``s<number>``, so the prompt numbers the lines and citations are mapped back.
    """
    return {f"s{i}": seg.id for i, seg in enumerate(transcript.segments, 1)}


def patient_header(patient: Patient) -> str:
    age = patient.computed_age()
    parts = (
        patient.display_name() if not patient.placeholder else "",
        patient.sex,
        f"{age} years old" if age is not None else "",
    )
    return ", ".join(x for x in parts if x)


def build_messages(
    lines: list[str], patient: Patient, chief_complaint: str, question: str = ""
) -> list[dict[str, str]]:
    user = _prompt("soap_user.txt").format(
        patient=patient_header(patient) or "(not given)",
        chief_complaint=chief_complaint or "(not given)",
        transcript="\n".join(lines),
    )
    if question:
        # The question (with its line hints and language) comes last: everything before it
        # is the same for every section, so the transcript is read once.
        user = f"{user.rstrip()}\n\n{question}\nAnswer in JSON."
    return [
        {"role": "system", "content": _prompt("soap_system.txt").strip()},
        {"role": "user", "content": user},
    ]


def chunk_lines(
    runtime: LlamaRuntime, lines: list[str], patient: Patient, cc: str, max_tokens: int
) -> list[list[str]]:
    """Group transcript lines into chunks whose prompts fit the context window."""
    # Room in the question for its line hints and the language line.
    allowance = " s999," * hint_limit(runtime.context_length) + _LANGUAGE_LINE
    longest_q = max(_questions().values(), key=len) + allowance
    overhead = runtime.count_message_tokens(build_messages([], patient, cc, longest_q))
    budget = runtime.context_length - max_tokens - overhead - _MARGIN_TOKENS
    if budget < 64:
        raise ContextLimitError(
            f"The language model's context ({runtime.context_length} tokens) is too small to draft a note.",
            "Choose a model with a longer context in Settings, or lower the draft length.",
        )
    chunks: list[list[str]] = [[]]
    used = 0
    for line in lines:
        n = runtime.count_tokens(line) + 1
        if n > budget:
            raise ContextLimitError(
                f"One utterance is longer than the language model's context ({runtime.context_length} tokens).",
                "Split the recording, or choose a model with a longer context in Settings.",
            )
        if used + n > budget and chunks[-1]:
            chunks.append([])
            used = 0
        chunks[-1].append(line)
        used += n
    return chunks


def _merge(notes: list[SoapNote]) -> SoapNote:
    merged = SoapNote(
        chief_complaint=next((n.chief_complaint for n in notes if n.chief_complaint.strip()), "")
    )
    for name in NOTE_SECTIONS:
        seen: set[str] = set()
        items: list[NoteStatement] = []
        for note in notes:
            for st in note.section(name):
                key = " ".join(st.text.lower().split())
                if key and key not in seen:
                    seen.add(key)
                    items.append(st)
        setattr(merged, name, items)
    return merged


@lru_cache(maxsize=1)
def _prompt_text() -> str:
    parts = [_prompt("soap_system.txt"), _prompt("soap_user.txt"), *_questions().values()]
    return " ".join(" ".join(parts).lower().split())


def _echoes_prompt(key: str) -> bool:
    """A statement that repeats the instructions ("Transcript (each line: [id] …") is not a finding."""
    probe = key.rstrip(".:;, ")
    return len(probe) >= 12 and (probe in _prompt_text() or "[id]" in probe)


def _statements(data: object) -> list[NoteStatement]:
    if not isinstance(data, dict):
        raise ValueError("answer is not an object")
    out: list[NoteStatement] = []
    seen: set[str] = set()
    for item in data.get("items", []):
        st = NoteStatement.from_dict(item)
        st.text = " ".join(st.text.split())
        key = st.text.lower()
        # Questions are the doctor asking, not findings; small models also repeat themselves
        # or answer with a heading ("Transcript").
        usable = len(st.text.split()) >= 3 or (len(st.text) >= 6 and not st.text.isascii())
        if st.status and st.status not in MED_STATUSES:
            st.status = ""
        if usable and not st.text.endswith(("?", "？")) and key not in seen and not _echoes_prompt(key):
            seen.add(key)
            out.append(st)
    return out


def prefill(
    runtime: LlamaRuntime,
    transcript: Transcript,
    patient: Patient,
    chief_complaint: str = "",
    *,
    max_tokens: int = 384,
) -> PrefillStats | None:
    """Read the transcript so far into the model's cache while the consultation goes on.

    The prompt is exactly the one the draft's first question will use, so at Stop the model
    only reads the lines added since (and any line whose speaker label changed). Returns None
    when there is nothing to read yet.
    """
    if not transcript.segments:
        return None
    lines = transcript_lines(transcript)
    first_chunk = chunk_lines(runtime, lines, patient, chief_complaint, max_tokens)[0]
    runtime.use_threads(shared_threads())  # speech recognition is running beside it
    stats = runtime.prefill(
        build_messages(first_chunk, patient, chief_complaint, _questions()[DRAFT_STEPS[0]])
    )
    log.info(
        "prefilled %d transcript lines: %d new tokens, %d cached, %.2f s",
        len(first_chunk),
        stats.new_tokens,
        stats.cached_tokens,
        stats.seconds,
    )
    return stats


def _transcript_tokens(runtime: LlamaRuntime, prompt_tokens: int, question: str) -> int:
    """Where the transcript ends in a prompt: before the question and the chat template's tail."""
    tail = runtime.count_tokens(f"\n\n{question}\nAnswer in JSON.") + 8
    return max(1, prompt_tokens - tail)


def time_left(elapsed_s: float, done: int, total: int) -> str:
    """ ", about 3 min left" once a step has been timed; empty before that or when nearly done."""
    if done <= 0 or done >= total:
        return ""
    remaining = elapsed_s / done * (total - done)
    if remaining < 60:
        return f", about {max(5, round(remaining / 5) * 5)} s left"
    return f", about {round(remaining / 60)} min left"


def _question(base: str, hint_ids: list[str], language: str) -> str:
    q = base
    if hint_ids:
        q += f"\nThe lines about this: {', '.join(hint_ids)}."
    if language == "zh":
        q += "\nWrite the sentences in written Traditional Chinese."
    return q


def _ask(
    runtime: LlamaRuntime,
    messages: list[dict[str, str]],
    section: str,
    *,
    max_tokens: int,
    min_items: int,
    temperature: float,
    on_token: TokenFn | None,
    cancel: threading.Event | None,
    result: DraftResult,
) -> object | None:
    """One section's answer, parsed; an answer cut off by the token limit does not parse, and a
    second try asks for fewer, shorter items. None when neither parsed."""
    for attempt in range(2):
        raw = runtime.chat(
            messages,
            # The retry's worst case (two statements of 120 one-token characters) closes
            # well within the section's token budget.
            schema=section_schema(
                section,
                max_items=2 if attempt else None,
                max_statement_chars=120 if attempt else 240,
                min_items=min_items,
            ),
            max_tokens=max_tokens,
            temperature=temperature,
            on_token=on_token,
            cancel=cancel,
        )
        stats = runtime.last_stats
        result.prompt_tokens += stats.prompt_tokens
        result.completion_tokens += stats.completion_tokens
        if not result.first_token_s:
            result.first_token_s = stats.first_token_s
        result.raw.append(raw)
        try:
            parsed = json.loads(raw)
            if section == "chief_complaint":
                str(parsed["chief_complaint"])
            else:
                _statements(parsed)
            return parsed
        except (ValueError, KeyError, TypeError):
            salvaged = salvage_items(raw) if section != "chief_complaint" else []
            if salvaged:
                # Cut off by the token limit after whole statements: keep those rather than
                # spend the same tokens again on a shorter answer.
                result.salvaged_sections.append(section)
                log.info("section %s cut off: %d whole statements kept", section, len(salvaged))
                return {"items": salvaged}
            result.retries += 1
            log.warning("section %s did not parse (attempt %d, %d chars)", section, attempt + 1, len(raw))
    return None


def salvage_items(raw: str) -> list[dict[str, object]]:
    """The complete statement objects at the start of an answer cut off mid-way."""
    start = raw.find("[")
    if start < 0:
        return []
    decoder = json.JSONDecoder()
    items: list[dict[str, object]] = []
    at = start + 1
    while True:
        while at < len(raw) and raw[at] in " \n\t,":
            at += 1
        try:
            item, at = decoder.raw_decode(raw, at)
        except ValueError:
            return items
        if isinstance(item, dict):
            items.append(item)


@dataclass
class _Plan:
    """What one draft asks: the sections, their line hints and budgets."""

    steps: list[str]
    hints: dict[str, list[str]]  # section -> the segment ids sorted into it
    language: str
    max_tokens: int


def _draft_chunk(
    runtime: LlamaRuntime,
    chunk: list[str],
    chunk_ids: dict[str, str],
    plan: _Plan,
    patient: Patient,
    chief_complaint: str,
    *,
    temperature: float,
    on_token: TokenFn | None,
    on_progress: ProgressFn | None,
    cancel: threading.Event | None,
    result: DraftResult,
    progress: tuple[float, int, int, str],
) -> tuple[SoapNote, set[str]]:
    """Ask every planned question about one chunk of the transcript; returns the chunk's note
    (citations mapped to segment ids) and the sections the model answered."""
    started, step, total, part = progress
    questions = _questions()
    to_prompt = {seg: pid for pid, seg in chunk_ids.items()}
    note = SoapNote()
    answered: set[str] = set()
    for section in plan.steps:
        if on_progress is not None:
            label = section.replace("_", " ") + part
            on_progress(label + time_left(time.perf_counter() - started, step, total), step / total)
        step += 1
        t0 = time.perf_counter()
        hint = [to_prompt[s] for s in plan.hints.get(section, []) if s in to_prompt]
        hint = hint[: hint_limit(runtime.context_length)]
        if section not in ("chief_complaint", *_ALWAYS_ASKED) and not hint:
            continue  # nothing in this part of the transcript was sorted here
        question = _question(questions[section], hint, plan.language)
        messages = build_messages(chunk, patient, chief_complaint, question)
        first = result.completion_tokens == 0 and not result.raw
        parsed = _ask(
            runtime,
            messages,
            section,
            max_tokens=min(plan.max_tokens, SECTION_TOKENS[section]),
            min_items=1 if hint else 0,
            temperature=temperature,
            on_token=on_token,
            cancel=cancel,
            result=result,
        )
        if first:
            end = _transcript_tokens(runtime, runtime.last_stats.prompt_tokens, question)
            result.prefix_reuse = min(1.0, runtime.last_stats.cached_prompt_tokens / end)
        result.step_seconds[section] = result.step_seconds.get(section, 0.0) + time.perf_counter() - t0
        if parsed is None:
            # Counted (schema validity is a benchmark figure) and backed by the speakers' own
            # words, so one bad answer never costs the doctor the whole draft.
            result.invalid_sections.append(section)
            continue
        if section == "chief_complaint":
            assert isinstance(parsed, dict)
            note.chief_complaint = " ".join(str(parsed["chief_complaint"]).split())
            continue
        items = _statements(parsed)
        for st in items:
            st.evidence = [chunk_ids.get(e, e) for e in st.evidence]
            if section != "medications":
                st.status = ""
        setattr(note, section, items)
        answered.add(section)
    return note, answered


def _fill(note: SoapNote, backbone: dict[str, list[NoteStatement]], sections: set[str]) -> int:
    """Backbone lines the model's sentences left out, added as the speakers' own words."""
    added = 0
    for name in sections:
        if name == "medications":
            continue
        items = note.section(name)
        cited = {e for st in items for e in st.evidence}
        written = set().union(*(tokens(st.text) for st in items)) if items else set()
        for line in backbone.get(name, []):
            words = tokens(line.text)
            if len(words) < _MIN_FILL_WORDS:
                continue  # "mm-hmm", "sure", "yes I am": nothing the note needs
            if set(line.evidence) & cited or len(words & written) / len(words) >= 0.6:
                continue
            items.append(quote(line))
            added += 1
    return added


def _medications(note: SoapNote, rule: list[NoteStatement], answered: bool, source: str) -> None:
    """The model's medications checked against the transcript: every drug the consultation
    decided about gets that status (a stopped drug is never listed as taken); a drug the model
    left out is added from the line, a statement that names no medicine is dropped."""
    note.medications = merge_medications(note.medications, rule, answered, source)


def _flag(
    note: SoapNote, stopped: dict[str, tuple[str, str]], vocabulary: Iterable[str], source: str
) -> tuple[int, int]:
    """Fact guard, unsourced statements and stopped drugs; returns (flags, unsourced statements)."""
    guard = FactGuard.for_transcript(source, vocabulary)
    count = guard.guard_note(note)
    unsourced = 0
    for _, st in note.statements():
        if not st.evidence:
            st.unsupported.append(NO_SOURCE)
            unsourced += 1
            count += 1
    for st in [*note.plan, *note.patient_instructions]:
        if line_status(st.text) in ("stopped", "allergy"):
            continue
        for drug in sorted(drugs_named(st.text) & set(stopped)):
            why = "to stop it" if stopped[drug][0] == "stopped" else "the patient is allergic to it"
            st.unsupported.append(f"{drug}: the transcript says {why}")
            count += 1
    return count, unsourced


def draft_note(
    runtime: LlamaRuntime,
    transcript: Transcript,
    patient: Patient,
    chief_complaint: str = "",
    *,
    vocabulary: Iterable[str] = (),
    max_tokens: int = 384,
    temperature: float = 0.1,
    language: str = "same-as-consultation",
    script: str = "hk",
    on_token: TokenFn | None = None,
    on_progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> DraftResult:
    """Draft the whole note. ``max_tokens`` caps each section's answer.

    ``language`` is the ``note.language`` setting (en, zh, same-as-consultation) and ``script``
    the clinic's Chinese script. ``on_token`` receives generated text as it streams (for the
    editor's live view); ``on_progress`` receives (step, fraction); setting ``cancel`` stops
    between tokens with :class:`Cancelled`, leaving the transcript untouched.
    """
    if not transcript.segments:
        raise UserFacingError(
            "There is nothing to draft from: the transcript is empty.",
            "Record the consultation (or load a transcript) first.",
        )
    started = time.perf_counter()
    vocabulary = list(vocabulary)
    typed = " ".join(chief_complaint.split())
    lang = note_language(language, transcript)
    result = DraftResult(note=SoapNote(), language=lang)
    if not has_clinical_content(transcript, vocabulary):
        result.note = SoapNote(
            chief_complaint=typed, chief_complaint_source="typed" if typed else "", notice=EMPTY_NOTICE[lang]
        )
        result.seconds = time.perf_counter() - started
        if on_progress is not None:
            on_progress("draft ready", 1.0)
        log.info("nothing clinical in %d lines: empty draft", len(transcript.segments))
        return result
    t0 = time.perf_counter()
    reading = read_medications(transcript)  # read once: the medications part and the flags use it
    backbone, plan = _backbone_and_plan(transcript, vocabulary, typed, lang, max_tokens, reading)
    result.step_seconds["sort_lines"] = time.perf_counter() - t0
    lines = transcript_lines(transcript)
    chunks = chunk_lines(runtime, lines, patient, chief_complaint, max_tokens)
    result.chunks = len(chunks)
    ids = prompt_ids(transcript)
    notes: list[SoapNote] = []
    answered: set[str] = set()
    offset = 0
    with _idle_cores(runtime):
        result.threads = runtime.n_threads_used
        for n, chunk in enumerate(chunks):
            chunk_ids = {f"s{offset + i}": ids[f"s{offset + i}"] for i in range(1, len(chunk) + 1)}
            offset += len(chunk)
            part = f" (part {n + 1} of {len(chunks)})" if len(chunks) > 1 else ""
            note, done = _draft_chunk(
                runtime,
                chunk,
                chunk_ids,
                plan,
                patient,
                chief_complaint,
                temperature=temperature,
                on_token=on_token,
                on_progress=on_progress,
                cancel=cancel,
                result=result,
                progress=(started, n * len(plan.steps), len(chunks) * len(plan.steps), part),
            )
            notes.append(note)
            answered |= done
    note = _merge(notes) if len(notes) > 1 else notes[0]
    _finish(note, transcript, patient, typed, backbone, answered, vocabulary, result, reading)
    convert_note(note, script, lang)
    result.note = note
    result.seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress("draft ready", 1.0)
    _log_draft(result)
    return result


@contextmanager
def _idle_cores(runtime: LlamaRuntime) -> Iterator[None]:
    """A draft after Stop runs on every idle core (llm.n_threads = 0, desktop.llm.threads); the
    next consultation's read-ahead gets half again."""
    if runtime.auto_threads:
        runtime.use_threads(idle_threads())
    try:
        yield
    finally:
        runtime.use_threads(shared_threads())


def _backbone_and_plan(
    transcript: Transcript, vocabulary: list[str], typed: str, lang: str, max_tokens: int, reading: Reading
) -> tuple[dict[str, list[NoteStatement]], _Plan]:
    """The transcript's lines sorted into sections (the backbone the model condenses and fills),
    and the questions to ask, each with the lines that feed it."""
    # Lines with a fact in them: "mm-hmm", "sure" and "yes I am" feed no section.
    found = sorted_lines(transcript)
    backbone = {
        name: [st for st in items if len(tokens(st.text)) >= 2]
        for name, items in quote_sections(transcript, found).items()
    }
    backbone["medications"] = medications_by_rule(transcript, vocabulary, reading)
    # Each section's question names the lines sorted into it, one by one (a question and its
    # short answer are two lines there, though the backbone quotes them together).
    hints: dict[str, list[str]] = {}
    for name, line_id, text in found:
        if len(tokens(tidy_speech(text))) >= 2:
            hints.setdefault(name, [])
            if line_id not in hints[name]:
                hints[name].append(line_id)
    hints["medications"] = list(dict.fromkeys(e for st in backbone["medications"] for e in st.evidence[:1]))
    plan = _Plan(
        steps=[s for s in DRAFT_STEPS if not (s == "chief_complaint" and typed)],
        hints=hints,
        language=lang,
        max_tokens=max_tokens,
    )
    return backbone, plan


def _log_draft(result: DraftResult) -> None:
    log.info(
        "drafted note: %d chunk(s), %d prompt + %d generated tokens, %.1f s, %d flagged, %d repaired, "
        "%d lines added, quoted sections %s, %.0f %% of the transcript read before Stop",
        result.chunks,
        result.prompt_tokens,
        result.completion_tokens,
        result.seconds,
        result.unsupported,
        result.repaired,
        result.filled_lines,
        ",".join(result.extracted_sections) or "none",
        100 * result.prefix_reuse,
    )


def _finish(
    note: SoapNote,
    transcript: Transcript,
    patient: Patient,
    typed: str,
    backbone: dict[str, list[NoteStatement]],
    answered: set[str],
    vocabulary: list[str],
    result: DraftResult,
    reading: Reading,
) -> None:
    """Repair, fill, link, flag: the model's answers made into a note nothing is invented in."""
    t0 = time.perf_counter()
    if typed:
        note.chief_complaint, note.chief_complaint_source = typed, "typed"
    elif note.chief_complaint and tokens(note.chief_complaint) & tokens(transcript.text()):
        note.chief_complaint_source = "draft"
    else:
        note.chief_complaint = ""  # a chief complaint no line mentions is not one
    repairs = repair_note(note, transcript, backbone, _questions(), _prompt_words(), answered)
    result.repaired = repairs.total
    _medications(
        note, backbone["medications"], "medications" in answered and bool(note.medications), transcript.text()
    )
    result.filled_lines = _fill(note, backbone, answered - set(repairs.quoted_sections))
    quoted = list(repairs.quoted_sections)
    for name in NOTE_SECTIONS:
        if name not in answered and name != "medications" and backbone.get(name):
            setattr(note, name, [quote(st) for st in backbone[name]])
            quoted.append(name)
    note.quoted_sections = [n for n in NOTE_SECTIONS if n in quoted]
    result.extracted_sections = list(note.quoted_sections)
    link_evidence(note, transcript)
    # The patient header and the typed reason are sources too: an age or a name is not invented.
    source = "\n".join([transcript.text(), patient_header(patient), typed])
    result.unsupported, result.unsourced = _flag(note, stopped_drugs(transcript, reading), vocabulary, source)
    result.step_seconds["check"] = time.perf_counter() - t0


@lru_cache(maxsize=1)
def _prompt_words() -> set[str]:
    return tokens(_prompt("soap_system.txt") + " " + _prompt("soap_user.txt"))
