"""The headless main job: a recording (or typed transcript) in, a draft record out.

audio -> transcript (faster-whisper) -> SOAP draft (llama.cpp) -> fact guard -> referral
letter (PDF + text). Built from settings here, in one place; the engines themselves never
read settings. Outputs are written to a temporary folder beside the destination and moved
into place only when everything succeeded, so a failure or a cancel leaves no partial output.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from desktop.config import Settings
from desktop.core.errors import UsageError, UserFacingError
from desktop.core.types import Patient, SoapNote, Transcript
from desktop.documents.note_file import note_file_data
from desktop.model_store import ModelStore
from desktop.model_store.installed import installed_models

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float], None]


class JobSink(Protocol):
    """Receives each result as soon as it exists (``process --store`` saves as it goes)."""

    def audio(self, samples: Any) -> None: ...
    def transcript(self, transcript: Transcript) -> None: ...
    def note(self, note: SoapNote) -> None: ...


TEXT_SUFFIXES = (".txt", ".text", ".md")


@dataclass
class ProcessResult:
    out_dir: Path
    transcript: Transcript
    note: SoapNote
    files: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    unsupported: int = 0
    audio_seconds: float = 0.0
    samples: Any = None  # 16 kHz mono float32 when the input was audio (for the encrypted journal)
    checks: Any = None  # desktop.checks.model.CheckResult: omissions and contradictions of the draft


def model_store() -> ModelStore:
    return installed_models()


def load_patient(path: Path | None) -> Patient:
    if path is None:
        return Patient.placeholder_header()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"The patient file {path} does not exist.") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"The patient file {path} is not valid JSON (line {exc.lineno}).") from exc
    if not isinstance(data, dict):
        raise UsageError(f"The patient file {path} must hold a JSON object.")
    return Patient.from_dict(data)


def transcribe(
    audio_path: Path,
    settings: Settings,
    progress: ProgressFn,
    cancel: threading.Event | None,
    voice_profile: Any = None,
    sink: JobSink | None = None,
) -> tuple[Transcript, float, Any]:
    import numpy as np

    from desktop.asr.factory import whisper_engine
    from desktop.asr.vocabulary import load_vocabulary
    from desktop.audio.decode import SAMPLE_RATE, load_audio, load_audio_channels

    channel = settings.doctor_channel
    # Decoded once, before any model loads (bad audio fails fast); with a lapel microphone the
    # two channels are kept for the labeller and their mix is what is recognised.
    channels = load_audio_channels(audio_path) if channel is not None else None
    samples = channels.mean(axis=1, dtype=np.float32) if channels is not None else load_audio(audio_path)
    if sink is not None:
        sink.audio(samples)  # on disk, encrypted, before recognition starts
    models = model_store()
    engine = whisper_engine(settings.asr, models=models, progress=progress)
    vocab_file = Path(settings.asr.vocabulary_file) if settings.asr.vocabulary_file else None
    result = engine.transcribe(
        samples,
        language=settings.asr.language,
        script=settings.asr.script,
        vocabulary=load_vocabulary(vocab_file),
        beam_size=settings.asr.beam_size,
        on_progress=lambda f: progress("transcribing", f),
        cancel=cancel,
    )
    from desktop.asr.drug_names import AudioScorer, corrector_for

    # near-miss drug names in drug contexts put right, each correction kept in the transcript;
    # the speech model chooses between the heard words and the near drug names on the audio
    progress("checking drug names", 0.0)
    segments = corrector_for(engine.model_path).correct(
        result.segments, AudioScorer(engine, samples), cancel=cancel
    )
    progress("checking drug names", 1.0)
    transcript = label_speakers(
        Transcript(language=result.language, segments=segments),
        channels if channels is not None else samples,
        models,
        profile=voice_profile,
        doctor_channel=channel or 0,
    )
    return transcript, samples.size / SAMPLE_RATE, samples


def load_channels(audio_path: Path) -> Any:
    """The recording as (n, 2) at 16 kHz; a mono file comes back with both channels alike."""
    from desktop.audio.decode import load_audio_channels

    return load_audio_channels(audio_path)


def label_speakers(
    transcript: Transcript,
    samples: Any,
    store: ModelStore,
    profile: Any = None,
    doctor_channel: int = 0,
) -> Transcript:
    """Doctor / patient / other on every segment, from the voices and what is said.

    ``samples`` is mono, or ``(n, 2)`` from a room with a lapel microphone on the doctor (on
    channel ``doctor_channel``), where the balance between the channels decides.
    """
    from desktop.asr.speakers.embedders import default_embedder
    from desktop.asr.speakers.transcript import label_transcript

    return label_transcript(
        transcript, samples, embedder=default_embedder(store), profile=profile, doctor_channel=doctor_channel
    )


def draft(
    transcript: Transcript,
    patient: Patient,
    chief_complaint: str,
    settings: Settings,
    progress: ProgressFn,
    cancel: threading.Event | None,
) -> tuple[SoapNote, int]:
    from desktop.asr.vocabulary import load_vocabulary
    from desktop.llm.drafting import draft_note
    from desktop.llm.factory import llama_runtime

    runtime = llama_runtime(settings.llm, models=model_store(), progress=progress)
    vocab_file = Path(settings.asr.vocabulary_file) if settings.asr.vocabulary_file else None
    result = draft_note(
        runtime,
        transcript,
        patient,
        chief_complaint,
        vocabulary=load_vocabulary(vocab_file),
        temperature=settings.llm.temperature,
        max_tokens=settings.llm.max_tokens,
        language=settings.note.language,
        script=settings.asr.script,
        on_progress=progress,
        cancel=cancel,
    )
    return result.note, result.unsupported


def check_draft(transcript: Transcript, note: SoapNote, settings: Settings) -> Any:
    """What the draft left out and where it contradicts the transcript (desktop.checks)."""
    from desktop.checks.engine import Checker

    return Checker(script=settings.asr.script).check(transcript, note)


def _checks_markdown(checks: Any, transcript: Transcript) -> str:
    from desktop.checks.report import markdown

    return str(markdown(checks, transcript))


def write_referral(
    note: SoapNote,
    patient: Patient,
    settings: Settings,
    folder: Path,
    transcript: Transcript,
    *,
    signed: bool = False,
) -> list[Path]:
    """The referral letter (PDF and text). From a note no doctor has signed (the draft this job
    writes) it is marked DRAFT and takes nothing from suggestions no one accepted."""
    from desktop.documents.render import render_document, write_text
    from desktop.services.pdf import write_pdf

    doc = render_document(
        "referral",
        note,
        patient,
        settings.clinic,
        language="en",
        script=settings.asr.script,
        draft=not signed,
    )
    return [write_pdf(doc, folder / "referral.pdf"), write_text(doc, folder / "referral.txt")]


def process(
    input_path: Path,
    out_dir: Path,
    settings: Settings,
    *,
    patient: Patient | None = None,
    chief_complaint: str = "",
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    voice_profile: Any = None,
    force: bool = False,
    sink: JobSink | None = None,
) -> ProcessResult:
    """Recording or typed transcript → transcript, SOAP draft and referral letter in ``out_dir``.

    ``voice_profile`` (a :class:`~desktop.asr.speakers.VoiceProfile`) is the doctor's enrolled
    voice, which anchors the doctor label. A folder that already holds files is refused unless
    ``force``, and then replaced whole: files of an earlier consultation (its patient.json) are
    never left beside this one's.
    """
    report = progress or (lambda what, f: None)
    if not input_path.exists():
        raise UsageError(
            f"The input {input_path} does not exist.", "Give an audio file or a transcript text file."
        )
    if input_path.is_dir():
        raise UsageError(f"{input_path} is a folder.", "Give an audio file or a transcript text file.")
    work = prepare_output(out_dir, force=force, input_bytes=input_path.stat().st_size)
    try:
        return _process_into(
            input_path, out_dir, work, settings, patient, chief_complaint, report, cancel, voice_profile, sink
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _process_into(
    input_path: Path,
    out_dir: Path,
    work: Path,
    settings: Settings,
    patient: Patient | None,
    chief_complaint: str,
    report: ProgressFn,
    cancel: threading.Event | None,
    voice_profile: Any,
    sink: JobSink | None,
) -> ProcessResult:
    patient = patient or Patient.placeholder_header()
    timings: dict[str, float] = {}
    audio_seconds = 0.0
    samples: Any = None
    started = time.perf_counter()
    if input_path.suffix.lower() in TEXT_SUFFIXES:
        from desktop.asr.transcript_file import read_transcript_file

        transcript = read_transcript_file(
            input_path, language=settings.asr.language, script=settings.asr.script
        )
    else:
        transcript, audio_seconds, samples = transcribe(
            input_path, settings, report, cancel, voice_profile=voice_profile, sink=sink
        )
        if not transcript.segments:
            raise UserFacingError(
                f"No speech was recognised in {input_path.name}.",
                "Check the recording has speech and the right language is chosen.",
            )
    timings["transcribe_s"] = time.perf_counter() - started
    if sink is not None:
        sink.transcript(transcript)
    t0 = time.perf_counter()
    note, unsupported = draft(transcript, patient, chief_complaint, settings, report, cancel)
    timings["draft_s"] = time.perf_counter() - t0
    if sink is not None:
        sink.note(note)

    checks = check_draft(transcript, note, settings)
    with _writing(out_dir):
        report("writing documents", 0.0)
        _write_json(work / "transcript.json", transcript.to_dict())
        (work / "transcript.txt").write_text(transcript.to_plain_text(), encoding="utf-8")
        # A draft: no suggestion accepted, not signed (the app, or the doctor, does that).
        _write_json(work / "note.json", note_file_data(note, signed=False, checks=checks.to_dict()))
        (work / "note.md").write_text(
            note.to_markdown(patient) + "\n" + _checks_markdown(checks, transcript), encoding="utf-8"
        )
        if not patient.placeholder:
            _write_json(work / "patient.json", {**patient.to_dict(), "chief_complaint": chief_complaint})
        t0 = time.perf_counter()
        write_referral(note, patient, settings, work, transcript)
        timings["letter_s"] = time.perf_counter() - t0
        if cancel is not None and cancel.is_set():
            from desktop.core.errors import Cancelled

            raise Cancelled()
        files = _publish(work, out_dir)
    timings["total_s"] = time.perf_counter() - started
    report("done", 1.0)
    return ProcessResult(
        out_dir, transcript, note, files, timings, unsupported, audio_seconds, samples, checks
    )


# Room for the transcript, note, letters and their temporary copies, beyond the input's size.
MIN_FREE_BYTES = 64 * 1024 * 1024


def prepare_output(out_dir: Path, *, force: bool, input_bytes: int = 0) -> Path:
    """Check ``out_dir`` before any long work and return a private working folder beside it.

    Refuses a file in the way, a folder that already holds files (unless ``force``), a folder
    that cannot be written and a disk without room, each in one sentence.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"The output {out_dir} exists and is not a folder.", "Choose a folder name.")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise UsageError(
            f"The folder {out_dir} already holds files (perhaps another consultation).",
            "Choose an empty folder, or add --force to replace that folder whole.",
        )
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    except OSError as exc:
        raise UsageError(
            f"The folder {out_dir.parent} cannot be written ({exc.strerror or exc}).",
            "Choose a folder you can write to.",
        ) from exc
    os.chmod(work, 0o700)
    need = MIN_FREE_BYTES + input_bytes
    free = shutil.disk_usage(work).free
    if free < need:
        shutil.rmtree(work, ignore_errors=True)
        raise UserFacingError(
            f"The disk holding {out_dir} has {free // 2**20} MB free; this job needs about {need // 2**20} MB.",
            "Free some space or choose another folder.",
        )
    return work


@contextlib.contextmanager
def _writing(out_dir: Path) -> Iterator[None]:
    """A failed write (full disk, folder made read-only meanwhile) as one sentence."""
    try:
        yield
    except OSError as exc:
        full = exc.errno == errno.ENOSPC
        raise UserFacingError(
            f"The results could not be written to {out_dir}: "
            + ("the disk is full." if full else f"{exc.strerror or exc}."),
            "Nothing was written there; free some space or choose another folder, then run it again.",
        ) from exc


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _publish(work: Path, out_dir: Path) -> list[Path]:
    """Put the finished folder in place whole; an existing one (``--force``) is replaced, not merged."""
    old: Path | None = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.replaced-{os.getpid()}")
        os.replace(out_dir, old)
    try:
        os.replace(work, out_dir)
    except OSError:
        if old is not None:
            os.replace(old, out_dir)  # put the earlier results back
        raise
    work.mkdir()  # the caller removes it
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return sorted(out_dir.iterdir())
