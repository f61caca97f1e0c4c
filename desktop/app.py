"""Application assembly: build the engines from settings and open the window.

This is the one place that reads the settings and constructs engines (store, audio, speech
recogniser, language model, letters); widgets receive them inside a ``Backend``. Qt and the
engines are imported inside functions, so importing this module stays cheap.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop import paths
from desktop.config import Settings, load_settings, save_user_settings
from desktop.core.errors import UserFacingError

if TYPE_CHECKING:
    from desktop.asr.engine import WhisperEngine
    from desktop.services.backend import Backend
    from desktop.services.ports import StreamingAsrPort

log = logging.getLogger(__name__)

DEMO_USERS = (
    # username, display name, role, password, registration no.
    ("doctor", "Dr. Wong Ka Ming", "doctor", "demo-doctor", "M12345"),
    ("nurse", "Nurse Lee Mei", "nurse", "demo-nurse", ""),
)
DEMO_ADMIN = ("admin", "Demo administrator", "demo-admin")


def sample_dir() -> Path:
    return paths.assets_dir() / "samples"


class AsrFactory:
    """Creates one streaming recogniser per recording; the Whisper model is loaded once and shared.

    Called on the recording thread, so loading the model never blocks the window.
    """

    def __init__(self, settings: Settings, model_store: Any, vocabulary: list[str]) -> None:
        self.settings = settings
        self.model_store = model_store
        self.vocabulary = vocabulary
        self._engine: WhisperEngine | None = None
        self._lock = threading.Lock()

    def engine(self) -> WhisperEngine:
        with self._lock:
            if self._engine is None:
                from desktop.asr.factory import whisper_engine

                self._engine = whisper_engine(self.settings.asr, models=self.model_store)
            return self._engine

    def __call__(self, voice_profile: bytes | None = None) -> StreamingAsrPort:
        """A recogniser for one recording; ``voice_profile`` is the clinician's enrolled voice."""
        from desktop.asr.drug_names import corrector_for
        from desktop.asr.speakers.embedders import default_embedder
        from desktop.asr.streaming.live import LiveRecogniser

        asr = self.settings.asr
        engine = self.engine()
        return LiveRecogniser(
            engine,
            corrector=corrector_for(getattr(engine, "model_path", None)),
            record_pass=True,  # the saved transcript is a second pass over the journal
            language=asr.language,
            script=asr.script,
            vocabulary=self.vocabulary,
            doctor_profile=_voice_profile(voice_profile),
            doctor_channel=self.settings.doctor_channel or 0,
            embedder=default_embedder(self.model_store),
        )


def _voice_profile(data: bytes | None) -> Any:
    """The enrolled profile, or None (labels then come from the voices heard and the words)."""
    if not data:
        return None
    from desktop.asr.speakers.profile import VoiceProfile

    try:
        return VoiceProfile.from_bytes(data)
    except UserFacingError:
        log.warning("the stored voice profile is unreadable; labelling without it")
        return None


def build_backend(
    settings: Settings,
    store_dir: Path,
    *,
    demo_audio: Path | None = None,
    realtime: bool = True,
    kdf: Any = None,
    save: bool = True,
) -> Backend:
    """Build every engine from the settings (nothing heavy is loaded until first used)."""
    from desktop.model_store import ModelStore
    from desktop.services.adapters import (
        FactChecker,
        LanguageModel,
        LlmDrafter,
        ManifestModels,
        MicrophoneAudio,
        NoteChecks,
        SoundDevicePlayer,
        StoreRecords,
        StoreVoice,
        TemplateLetters,
    )
    from desktop.services.backend import Backend
    from desktop.services.intake import StoreIntake

    vocabulary = _vocabulary(settings)
    model_store = ModelStore(paths.models_dir(), paths.manifest_file())
    llm = LanguageModel(model_store, settings.llm)
    records = StoreRecords(store_dir, kdf=kdf)
    asr_factory = AsrFactory(settings, model_store, vocabulary)
    return Backend(
        settings=settings,
        records=records,
        audio=MicrophoneAudio(demo_file=demo_audio, realtime=realtime, settings=settings),
        asr_factory=asr_factory,
        prepare_speech=asr_factory.engine,
        drafter=LlmDrafter(llm, vocabulary, language=settings.note.language, script=settings.asr.script),
        letters=TemplateLetters(llm, settings, vocabulary),
        models=ManifestModels(model_store),
        player=SoundDevicePlayer(),
        save_settings=(lambda s: save_user_settings(s)) if save else None,
        fact_check=FactChecker(vocabulary),
        note_checks=NoteChecks(settings.asr.script),
        demo_audio=str(demo_audio or ""),
        voice=StoreVoice(records, model_store),
        intake=StoreIntake(records, settings.intake) if settings.intake.enabled else None,
        on_shutdown=[llm.close],
    )


def _vocabulary(settings: Settings) -> list[str]:
    try:
        from desktop.asr.vocabulary import load_vocabulary

        path = Path(settings.asr.vocabulary_file) if settings.asr.vocabulary_file else None
        return list(load_vocabulary(path))
    except UserFacingError:
        raise
    except Exception:
        log.warning("clinic vocabulary could not be read; continuing without it", exc_info=True)
        return []


def prepare_demo_store(store_dir: Path, kdf: Any = None) -> tuple[str, str]:
    """A throw-away store with an administrator, a doctor and a nurse, and the sample patient's
    consultation (consent recorded). Returns (consultation id, chief complaint)."""
    from desktop.core.types import Patient
    from desktop.storage import PRODUCTION_KDF, Store

    store, _recovery = Store.create(
        store_dir, DEMO_ADMIN[0], DEMO_ADMIN[2], display_name=DEMO_ADMIN[1], kdf=kdf or PRODUCTION_KDF
    )
    with store:
        for username, display, role, password, reg in DEMO_USERS:
            store.add_user(username, password, [role], display, reg, must_change_password=False)
    data = json.loads((sample_dir() / "patient.json").read_text(encoding="utf-8"))
    complaint = str(data.pop("chief_complaint", ""))
    with Store.open(store_dir, DEMO_USERS[0][0], DEMO_USERS[0][3]) as doctor:
        pid = doctor.add_patient(Patient.from_dict(data))
        cid = doctor.create_consultation(pid, consent=True)
    return str(cid), complaint


def run_app(demo: bool = False, smoke_test: bool = False) -> int:
    if smoke_test:
        return smoke(print_fn=print)
    settings = load_settings()
    from desktop.ui.main import MainWindow, create_app, setup_qt

    app = create_app(sys.argv[:1])
    setup_qt(app, settings)
    temp: tempfile.TemporaryDirectory[str] | None = None
    if demo:
        temp = tempfile.TemporaryDirectory(prefix="consultscribe-demo-")
        store_dir = Path(temp.name) / "store"
        cid, complaint = prepare_demo_store(store_dir)
        backend = build_backend(
            settings, store_dir, demo_audio=sample_dir() / "sample_consultation.flac", save=False
        )
    else:
        store_dir = (
            Path(settings.policy.store_dir) if settings.policy.store_dir else paths.default_store_dir()
        )
        backend = build_backend(settings, store_dir)
    window = MainWindow(backend)
    window.show()
    if demo:
        window.start_demo(DEMO_USERS[0][0], DEMO_USERS[0][3], cid, complaint)
    else:
        window.start()
    try:
        return int(app.exec())
    finally:
        backend.shutdown()
        if temp is not None:
            temp.cleanup()


def smoke(print_fn: Any = print) -> int:
    """Start headless, initialise everything, exit 0 when healthy (the installer's smoke test)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    checks: list[str] = []
    try:
        settings = load_settings()
        checks.append("settings")
        from PySide6.QtCore import QLibraryInfo
        from PySide6.QtGui import QImageReader

        from desktop.storage.crypto import KdfParams
        from desktop.ui.main import MainWindow, create_app, setup_qt

        app = create_app(["consult-scribe"])
        fonts, translated = setup_qt(app, settings, language="zh_TW")
        if not fonts:
            raise UserFacingError("The bundled Chinese font could not be loaded.", "Reinstall ConsultScribe.")
        checks.append(f"fonts ({fonts[0]})")
        if not translated:
            raise UserFacingError(
                "The Chinese translation of the app is missing.", "Reinstall ConsultScribe."
            )
        checks.append("translations")
        formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
        if "png" not in formats:
            raise UserFacingError("Qt's image plugins are missing.", "Reinstall ConsultScribe.")
        checks.append(f"qt {QLibraryInfo.version().toString()} ({app.platformName()})")
        with tempfile.TemporaryDirectory(prefix="consultscribe-smoke-") as tmp:
            store_dir = Path(tmp) / "store"
            prepare_demo_store(store_dir, kdf=KdfParams(n=2**12))
            backend = build_backend(settings, store_dir, save=False)
            user = backend.records.sign_in(DEMO_USERS[0][0], DEMO_USERS[0][3])
            checks.append("store")
            models = backend.models.models()
            checks.append(
                "models: " + ", ".join(f"{m.name} {'ok' if m.usable else 'missing'}" for m in models)
            )
            kinds = backend.letters.kinds()
            checks.append(f"{len(kinds)} letter templates")
            backend.prepare_speech = None  # the smoke test checks the models' files, not a load
            window = MainWindow(backend)
            window.show()
            window.signed_in(user)
            app.processEvents()
            window.close()
            backend.shutdown()
            checks.append("window")
    except UserFacingError as exc:
        print_fn(f"smoke test failed: {exc.message} {exc.hint}".strip())
        return exc.exit_code or 1
    except Exception as exc:  # the smoke test reports, it never shows a traceback
        log.error("smoke test failed", exc_info=True)
        print_fn(f"smoke test failed: {type(exc).__name__}: {exc}")
        return 1
    print_fn("smoke test ok: " + "; ".join(checks))
    return 0
