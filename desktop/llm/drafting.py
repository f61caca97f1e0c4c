"""Drafting the SOAP note from a transcript with the local language model.

The model answers one question per section (chief complaint, subjective, objective,
assessment, plan, instructions). Every question shares the same prefix — instructions,
patient header and the numbered transcript — and differs only at the end, so llama.cpp
reuses the prefix's KV cache and the transcript is read once. Each answer is constrained to
a JSON schema, so it always parses. Statements are linked to their transcript lines and
passed through the fact guard. A consultation longer than the model's context is drafted in
chunks that each fit, and the chunk drafts are merged; nothing is silently truncated.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from desktop import paths
from desktop.core.errors import ContextLimitError, UserFacingError
from desktop.core.note_schema import section_schema
from desktop.core.types import NOTE_SECTIONS, NoteStatement, Patient, SoapNote, Transcript
from desktop.documents.factguard import FactGuard
from desktop.llm.evidence import link_evidence
from desktop.llm.extractive import extract_sections
from desktop.llm.runtime import LlamaRuntime, PrefillStats, TokenFn

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]
_MARGIN_TOKENS = 96
DRAFT_STEPS: tuple[str, ...] = ("chief_complaint", *NOTE_SECTIONS)


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
    # Sections whose answer did not parse even after a shorter retry.
    invalid_sections: list[str] = field(default_factory=list)
    # Share of the transcript's tokens already in the model's cache when drafting began (prefill
    # during the consultation; BENCHMARKS L3).
    prefix_reuse: float = 0.0


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
        user = f"{user.rstrip()}\n\n{question}\nAnswer in JSON."
    return [
        {"role": "system", "content": _prompt("soap_system.txt").strip()},
        {"role": "user", "content": user},
    ]


def chunk_lines(
    runtime: LlamaRuntime, lines: list[str], patient: Patient, cc: str, max_tokens: int
) -> list[list[str]]:
    """Group transcript lines into chunks whose prompts fit the context window."""
    longest_q = max(_questions().values(), key=len)
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


def draft_note(
    runtime: LlamaRuntime,
    transcript: Transcript,
    patient: Patient,
    chief_complaint: str = "",
    *,
    vocabulary: Iterable[str] = (),
    max_tokens: int = 384,
    temperature: float = 0.1,
    on_token: TokenFn | None = None,
    on_progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> DraftResult:
    """Draft the whole note. ``max_tokens`` bounds each section's answer.

    ``on_token`` receives generated text as it streams (for the editor's live view);
    ``on_progress`` receives (step, fraction); setting ``cancel`` stops between tokens
    with :class:`Cancelled`, leaving the transcript untouched.
    """
    if not transcript.segments:
        raise UserFacingError(
            "There is nothing to draft from: the transcript is empty.",
            "Record the consultation (or load a transcript) first.",
        )
    started = time.perf_counter()
    questions = _questions()
    lines = transcript_lines(transcript)
    chunks = chunk_lines(runtime, lines, patient, chief_complaint, max_tokens)
    result = DraftResult(note=SoapNote(), chunks=len(chunks))
    notes: list[SoapNote] = []
    total_steps = len(chunks) * len(DRAFT_STEPS)
    step = 0
    for chunk in chunks:
        note = SoapNote()
        for section in DRAFT_STEPS:
            if on_progress is not None:
                label = section.replace("_", " ")
                if len(chunks) > 1:
                    label += f" (part {len(notes) + 1} of {len(chunks)})"
                label += time_left(time.perf_counter() - started, step, total_steps)
                on_progress(label, step / total_steps)
            step += 1
            messages = build_messages(chunk, patient, chief_complaint, questions[section])
            parsed = None
            # An answer cut off by the token limit does not parse; a second try asks for fewer items.
            for attempt in range(2):
                raw = runtime.chat(
                    messages,
                    # The retry's worst case (two statements of 120 one-token characters) closes
                    # well within the section's token budget.
                    schema=section_schema(
                        section,
                        max_items=2 if attempt else None,
                        max_statement_chars=120 if attempt else 240,
                    ),
                    max_tokens=max_tokens,
                    temperature=temperature,
                    on_token=on_token,
                    cancel=cancel,
                )
                stats = runtime.last_stats
                if step == 1 and attempt == 0 and len(notes) == 0:
                    end = _transcript_tokens(runtime, stats.prompt_tokens, questions[section])
                    result.prefix_reuse = min(1.0, stats.cached_prompt_tokens / end)
                result.prompt_tokens += stats.prompt_tokens
                result.completion_tokens += stats.completion_tokens
                if not result.first_token_s:
                    result.first_token_s = stats.first_token_s
                result.raw.append(raw)
                try:
                    parsed = json.loads(raw)
                    if section == "chief_complaint":
                        note.chief_complaint = " ".join(str(parsed["chief_complaint"]).split())
                    else:
                        setattr(note, section, _statements(parsed))
                    break
                except (ValueError, KeyError, TypeError):
                    parsed = None
                    result.retries += 1
                    log.warning(
                        "section %s did not parse (attempt %d, %d chars)", section, attempt + 1, len(raw)
                    )
            if parsed is None:
                # Counted (schema validity is a benchmark figure) and backed by the speaker's own
                # words below, so one bad answer never costs the doctor the whole draft.
                result.invalid_sections.append(section)
        notes.append(note)
    note = _merge(notes) if len(notes) > 1 else notes[0]
    ids = prompt_ids(transcript)
    for _, statement in note.statements():
        statement.evidence = [ids.get(e, e) for e in statement.evidence]
    extracted = extract_sections(transcript)
    for name in NOTE_SECTIONS:
        if not note.section(name) and extracted.get(name):
            setattr(note, name, extracted[name])
            result.extracted_sections.append(name)
    if not note.chief_complaint and chief_complaint:
        note.chief_complaint = chief_complaint
    link_evidence(note, transcript)
    # The patient header is a source too: an age or a name in the note is not invented.
    source = "\n".join([transcript.text(), patient_header(patient), chief_complaint])
    guard = FactGuard.for_transcript(source, vocabulary)
    result.unsupported = guard.guard_note(note)
    result.note = note
    result.seconds = time.perf_counter() - started
    if on_progress is not None:
        on_progress("draft ready", 1.0)
    log.info(
        "drafted note: %d chunk(s), %d prompt + %d generated tokens, %.1f s, %d unsupported, "
        "%.0f %% of the transcript read before Stop",
        result.chunks,
        result.prompt_tokens,
        result.completion_tokens,
        result.seconds,
        result.unsupported,
        100 * result.prefix_reuse,
    )
    return result
