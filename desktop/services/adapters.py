"""The real engines behind the app's ports: the encrypted store (``services/records.py``), audio sources, the streaming
recogniser, the language model (drafting and letter prose), the letter templates, the model store.

``desktop/app.py`` builds these from the settings and hands them to the window inside a
:class:`~desktop.services.backend.Backend`. Heavy libraries are imported when first used.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from desktop.config import ClinicSettings, LlmSettings, Settings
from desktop.core.errors import ModelError, UsageError, UserFacingError
from desktop.core.types import Patient, SoapNote, Transcript
from desktop.documents.render import MissingValuesError
from desktop.services.ports import (
    AudioDevice,
    AudioSourcePort,
    LetterField,
    LetterKind,
    ModelInfo,
    ProgressFn,
    RenderedLetter,
    TokenFn,
    UserInfo,
    VoiceStatus,
)
from desktop.services.records import StoreRecords as StoreRecords  # the store's adapter, re-exported

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------
# voice enrolment
# --------------------------------------------------------------------------------------------
class StoreVoice:
    """VoicePort: profiles built by ``desktop.asr.speakers.enrol``, kept in the encrypted store.

    A profile holds one embedding per voice method available at enrolment: the built-in voice
    statistics always, and the clinic's speaker model when one is installed.
    """

    def __init__(self, records: StoreRecords, model_store: Any = None) -> None:
        self.records = records
        self.model_store = model_store

    def prompt(self, language: str) -> str:
        from desktop.asr.speakers.profile import enrolment_prompt

        return enrolment_prompt(language)

    def status(self, user: UserInfo) -> VoiceStatus | None:
        from desktop.asr.speakers.profile import load_profile

        profile = load_profile(self.records.store, user.username)  # InputError when unreadable
        return None if profile is None else VoiceStatus(profile.created, profile.speech_seconds)

    def enrol(self, user: UserInfo, samples: np.ndarray, sample_rate: int) -> VoiceStatus:
        from desktop.asr.speakers.embed import MfccEmbedder
        from desktop.asr.speakers.embedders import default_embedder
        from desktop.asr.speakers.profile import enrol, save_profile
        from desktop.audio.decode import SAMPLE_RATE

        if sample_rate != SAMPLE_RATE:
            raise UsageError(f"The enrolment recording must be {SAMPLE_RATE} Hz, not {sample_rate} Hz.")
        embedders: list[Any] = [MfccEmbedder()]
        clinic = default_embedder(self.model_store) if self.model_store is not None else None
        if clinic is not None and clinic.name != embedders[0].name:
            embedders.append(clinic)
        profile = enrol(samples, embedders)
        save_profile(self.records.store, user.username, profile)
        log.info("voice profile saved (%.1f s of speech)", profile.speech_seconds)
        return VoiceStatus(profile.created, profile.speech_seconds)

    def delete(self, user: UserInfo) -> bool:
        from desktop.asr.speakers.profile import delete_profile

        return bool(delete_profile(self.records.store, user.username))

    def profile(self, user: UserInfo) -> bytes | None:
        try:
            data = self.records.store.load_voice_profile(user.username)
        except UserFacingError:
            log.warning("voice profile could not be read; labelling without it")
            return None
        return None if data is None else bytes(data)


# --------------------------------------------------------------------------------------------
# audio
# --------------------------------------------------------------------------------------------
class MicrophoneAudio:
    """AudioPort over sounddevice (PortAudio). A file ``demo_file`` adds a replayed "microphone"."""

    DEMO_ID = "demo-sample"

    def __init__(
        self, demo_file: Path | None = None, realtime: bool = True, settings: Settings | None = None
    ) -> None:
        self.demo_file = demo_file
        self.realtime = realtime
        self.settings = settings  # read at open(): a lapel microphone means two channels

    def devices(self) -> list[AudioDevice]:
        try:
            return self._devices()
        except UserFacingError as exc:
            raise _without_cli_words(exc) from None

    def _devices(self) -> list[AudioDevice]:
        out: list[AudioDevice] = []
        if self.demo_file is not None:
            out.append(
                AudioDevice(self.DEMO_ID, f"Sample consultation ({self.demo_file.name})", default=True)
            )
        try:
            from desktop.audio.capture import list_input_devices, load_sounddevice

            for d in list_input_devices(load_sounddevice()):
                out.append(AudioDevice(str(d.index), d.name, default=d.default and self.demo_file is None))
        except UserFacingError:
            if not out:
                raise
        except Exception:
            log.warning("listing microphones failed", exc_info=True)
            if not out:
                raise UserFacingError(
                    "No microphone could be listed.", "Check that a microphone is connected, then reopen."
                ) from None
        return out

    def open(self, device_id: str) -> AudioSourcePort:
        try:
            return self._open(device_id)
        except UserFacingError as exc:
            raise _without_cli_words(exc) from None

    def open_file(self, path: str) -> AudioSourcePort:
        return RecordingFile(Path(path))

    def _open(self, device_id: str) -> AudioSourcePort:
        if self.demo_file is not None and device_id in ("", self.DEMO_ID):
            from desktop.audio.sources import FileSource

            source: AudioSourcePort = FileSource(self.demo_file, realtime=self.realtime)
            return source
        from desktop.audio.capture import MicrophoneSource, load_sounddevice

        lapel = self.settings is not None and self.settings.doctor_channel is not None
        return MicrophoneSource(
            load_sounddevice(),
            int(device_id) if device_id.isdigit() else (device_id or None),
            channels=2 if lapel else 1,
        )


def _without_cli_words(exc: UserFacingError) -> UserFacingError:
    """The audio engine's advice names the command line (``--input FILE``); the app has a button."""
    if "--input" not in exc.hint:
        return exc
    hint = exc.hint.split(" or use --input")[0].split(", or use --input")[0].rstrip(".")
    hint = hint.replace("Plug in a microphone", "Plug in a microphone and reopen the consultation")
    words = f"{hint}, or press 'Open a recording…' to transcribe an audio file."
    return type(exc)(exc.message, words[:1].upper() + words[1:])


class RecordingFile:
    """An audio file transcribed through the live path (journal first, then the recogniser) as
    fast as it can be read: decoded on the recording thread when started, not in the window."""

    sample_rate = 16000

    def __init__(self, path: Path) -> None:
        self.path = path
        self._source: Any = None

    def start(self) -> None:
        from desktop.audio.sources import FileSource

        try:
            self._source = FileSource(self.path, realtime=False)
        except UserFacingError:
            raise
        except Exception as exc:
            raise UsageError(
                f"The file {self.path.name} could not be read as audio.",
                "Choose a recording in WAV, FLAC, MP3, M4A or OGG format.",
            ) from exc
        self._source.start()

    @property
    def duration(self) -> float:
        return float(self._source.duration) if self._source is not None else 0.0

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        if self._source is None:
            raise EOFError
        block: np.ndarray | None = self._source.read(timeout)
        return block

    def stop(self) -> None:
        if self._source is not None:
            self._source.stop()

    @property
    def overflows(self) -> int:
        return 0


class SoundDevicePlayer:
    """Plays a span of the journal's audio through the default output (sounddevice)."""

    def play(self, samples: np.ndarray, sample_rate: int) -> None:
        from desktop.audio.capture import load_sounddevice

        sd = load_sounddevice()
        try:
            sd.stop()
            sd.play(np.asarray(samples, dtype=np.float32), sample_rate)
        except Exception as exc:
            raise UserFacingError(
                "The audio could not be played on this computer.", "Check the speakers or headphones."
            ) from exc

    def stop(self) -> None:
        try:
            from desktop.audio.capture import load_sounddevice

            load_sounddevice().stop()
        except Exception:
            log.debug("stopping playback failed", exc_info=True)


# --------------------------------------------------------------------------------------------
# models, language model, drafting
# --------------------------------------------------------------------------------------------
def _model_info(status: Any) -> ModelInfo:
    e = status.entry
    return ModelInfo(e.name, e.role, status.usable, status.problem, e.total_size, e.licence, e.source)


class ManifestModels:
    def __init__(self, store: Any) -> None:
        self.store = store

    def models(self) -> list[ModelInfo]:
        return [_model_info(s) for s in self.store.statuses()]

    def verify(self, name: str, progress: ProgressFn | None = None) -> str:
        return str(self.store.verify(self.store.entry(name), progress) or "")

    def add(self, path: str, progress: ProgressFn | None = None) -> ModelInfo:
        entry = self.store.add(Path(path), progress=progress)
        return _model_info(self.store.status(entry))

    def check(self, name: str) -> str:
        try:
            status = self.store.status(self.store.entry(name))
        except ModelError as exc:
            return f"{exc.message} {exc.hint}".strip()
        return "" if status.usable else f"The model '{name}' is not usable: {status.problem}."


class LanguageModel:
    """Owns the one language model; loaded on first use on the worker thread that calls it."""

    def __init__(self, model_store: Any, settings: LlmSettings) -> None:
        self.model_store = model_store
        self.settings = settings
        self.runtime: Any = None
        self._lock = threading.Lock()

    def load(self, progress: ProgressFn | None = None) -> Any:
        with self._lock:
            if self.runtime is None:
                from desktop.llm.runtime import LlamaRuntime

                path = self.model_store.ensure(self.settings.model, progress)
                if progress is not None:
                    progress(f"Loading {self.settings.model}…", -1)
                self.runtime = LlamaRuntime(
                    Path(path),
                    n_ctx=self.settings.n_ctx,
                    n_gpu_layers=self.settings.n_gpu_layers,
                    n_threads=self.settings.n_threads,
                    name=self.settings.model,
                )
            return self.runtime

    def close(self) -> None:
        """Free the model before the interpreter shuts down (called when the app closes)."""
        with self._lock:
            if self.runtime is not None and hasattr(self.runtime, "close"):
                self.runtime.close()
            self.runtime = None


class LlmDrafter:
    """DrafterPort over ``desktop.llm.drafting.draft_note``."""

    def __init__(
        self,
        model: LanguageModel,
        vocabulary: Sequence[str] = (),
        *,
        language: str = "same-as-consultation",
        script: str = "hk",
    ) -> None:
        self.model = model
        self.vocabulary = list(vocabulary)
        self.language = language  # note.language
        self.script = script  # the clinic's Chinese script (asr.script)
        self.last_result: Any = None  # the last DraftResult (timings for the benchmark)

    def load(self, progress: ProgressFn | None = None) -> None:
        self.model.load(progress)

    def draft(
        self,
        transcript: Transcript,
        patient: Patient,
        chief_complaint: str,
        on_token: TokenFn | None,
        on_progress: ProgressFn | None,
        cancel: threading.Event,
    ) -> SoapNote:
        from desktop.llm.drafting import draft_note

        def progress(label: str, fraction: float) -> None:
            if on_progress is not None:
                # The engine labels steps "subjective", "patient instructions (part 1 of 2)"…
                on_progress(label.split(" (part")[0].replace(" ", "_"), fraction)

        runtime = self.model.load()
        result = draft_note(
            runtime,
            transcript,
            patient,
            chief_complaint,
            vocabulary=self.vocabulary,
            temperature=self.model.settings.temperature,
            max_tokens=self.model.settings.max_tokens,
            language=self.language,
            script=self.script,
            on_token=on_token,
            on_progress=progress,
            cancel=cancel,
        )
        self.last_result = result
        return result.note

    def prefill(self, transcript: Transcript, patient: Patient, chief_complaint: str) -> None:
        from desktop.llm.drafting import prefill

        prefill(
            self.model.load(),
            transcript,
            patient,
            chief_complaint,
            max_tokens=self.model.settings.max_tokens,  # the draft's own chunking, so the prefix matches
        )


# --------------------------------------------------------------------------------------------
# letters
# --------------------------------------------------------------------------------------------
class TemplateLetters:
    """LettersPort over the letter templates, the prose writer and the PDF/DOCX writers."""

    def __init__(
        self, model: LanguageModel | None, settings: Settings, vocabulary: Sequence[str] = ()
    ) -> None:
        self.model = model
        self.settings = settings
        self.vocabulary = list(vocabulary)
        self._templates: dict[str, Any] | None = None

    def templates(self) -> dict[str, Any]:
        if self._templates is None:
            from desktop.documents.templates import KINDS, load_all

            loaded = load_all(self.settings.clinic.templates_dir or None)
            self._templates = {k: loaded[k] for k in KINDS if k in loaded}
        return self._templates

    def kinds(self) -> list[LetterKind]:
        out = []
        for kind, t in self.templates().items():
            fields = [
                LetterField(
                    key=f.name,
                    label=f.label_for("en"),
                    default="",
                    required=f.required,
                    type=f.type,
                    label_zh=f.label.get("zh", ""),
                )
                for f in t.user_fields()
            ]
            out.append(
                LetterKind(id=kind, title=t.title_for("en"), title_zh=t.title.get("zh", ""), fields=fields)
            )
        return out

    def defaults(
        self, kind: str, note: SoapNote, patient: Patient, clinic: ClinicSettings, draft: bool = False
    ) -> dict[str, str]:
        from desktop.documents.render import resolve_values
        from desktop.llm.letters import accepted_statements

        template = self.templates()[kind]
        source = accepted_statements(note) if draft else note
        resolved, _missing = resolve_values(template, source, patient, clinic, {})
        out = {}
        for f in template.user_fields():
            value = resolved.get(f.name)
            if isinstance(value, list):
                out[f.name] = "; ".join(str(v) for v in value)
            elif value not in (None, ""):
                out[f.name] = str(value)
        return out

    def render(
        self,
        kind: str,
        note: SoapNote,
        patient: Patient,
        clinic: ClinicSettings,
        values: dict[str, str],
        language: str,
        transcript: Transcript | None,
        cancel: threading.Event,
        progress: ProgressFn | None = None,
        draft: bool = False,
    ) -> RenderedLetter:
        runtime = None
        if self.model is not None:
            try:
                runtime = self.model.load(progress)
            except ModelError:
                log.warning("letter prose falls back to the note: the language model is not available")
        try:
            generated = self._generate(
                kind, note, patient, clinic, values, language, transcript, cancel, progress, runtime, draft
            )
        except MissingValuesError as exc:
            raise _in_app_words(exc) from None
        doc = generated.document
        return RenderedLetter(kind=kind, title=doc.title, html=doc.html, text=doc.text, data=doc)

    def _generate(
        self,
        kind: str,
        note: SoapNote,
        patient: Patient,
        clinic: ClinicSettings,
        values: dict[str, str],
        language: str,
        transcript: Transcript | None,
        cancel: threading.Event,
        progress: ProgressFn | None,
        runtime: Any,
        draft: bool = False,
    ) -> Any:
        from desktop.llm.letters import generate_document

        return generate_document(
            kind,
            note,
            patient,
            clinic,
            runtime=runtime,
            transcript=transcript,
            language=language or None,
            values={k: v for k, v in values.items() if v},
            script=self.settings.asr.script,
            vocabulary=self.vocabulary,
            cancel=cancel,
            progress=progress,
            template=self.templates()[kind],
            draft=draft,
        )

    def export(self, letter: RenderedLetter, path: str, fmt: str) -> None:
        target = Path(path)
        doc = letter.data
        if fmt == "pdf":
            from desktop.services.pdf import html_to_pdf

            footer = getattr(doc, "footer", "")
            page_label = getattr(doc, "page_label", "")
            html_to_pdf(letter.html, target, footer=footer, page_label=page_label, title=letter.title)
        elif fmt == "docx":
            if doc is not None:
                from desktop.documents.word import write_docx

                write_docx(doc, target)
            else:
                _plain_docx(letter, target)
        else:
            raise UsageError(f"Unknown export format '{fmt}'.", "Choose PDF or DOCX.")


def _in_app_words(exc: Any) -> UserFacingError:
    """A document's missing values said in the app's words (the engine's hint names CLI flags)."""
    labels = [f.label_for("en") for f in exc.missing]
    title = str(exc.kind).replace("_", " ")
    hints = []
    names = {f.name for f in exc.missing}
    if names & {"doctor.name", "doctor.registration_no"}:
        hints.append(
            "the doctor's name and registration number come from the consultation's doctor: an "
            "administrator adds them in Administration → Users"
        )
    if any(f.source == "patient" for f in exc.missing):
        hints.append("fill in the patient's details when starting the consultation")
    if any(f.source not in ("patient", "doctor", "clinic") for f in exc.missing):
        hints.append("fill in the form's fields marked *")
    if any(f.source == "clinic" for f in exc.missing):
        hints.append("an administrator sets the letterhead in Administration → Policy")
    hint = "; ".join(hints) or "Fill in the form's fields marked *"
    return UsageError(
        f"The {title} cannot be written yet; missing: {', '.join(labels)}.", hint[:1].upper() + hint[1:] + "."
    )


def _plain_docx(letter: RenderedLetter, path: Path) -> None:
    """An edited letter as a Word document: the edited text, paragraph by paragraph."""
    import docx

    document = docx.Document()
    for line in letter.text.splitlines():
        document.add_paragraph(line)
    tmp = path.with_name(path.name + ".tmp")
    document.save(str(tmp))
    tmp.replace(path)


# --------------------------------------------------------------------------------------------
# fact guard
# --------------------------------------------------------------------------------------------
class NoteChecks:
    """(transcript, note) -> what the note left out and where it contradicts the consultation.

    The drug lexicon and concepts load on the first check, not at start-up."""

    def __init__(self, script: str = "hk") -> None:
        self.script = script
        self._checker: Any = None

    def __call__(self, transcript: Transcript, note: SoapNote) -> Any:
        if self._checker is None:
            from desktop.checks.engine import Checker

            self._checker = Checker(script=self.script)
        return self._checker.check(transcript, note)


class FactChecker:
    """(transcript text, statement) -> items not found in the transcript. Caches one guard."""

    def __init__(self, vocabulary: Sequence[str] = ()) -> None:
        self.vocabulary = list(vocabulary)
        self._key = ""
        self._guard: Any = None

    def __call__(self, transcript_text: str, statement: str) -> list[str]:
        from desktop.documents.factguard import FactGuard

        if self._guard is None or self._key != transcript_text:
            self._guard = FactGuard.for_transcript(transcript_text, self.vocabulary)
            self._key = transcript_text
        return list(self._guard.check(statement))
