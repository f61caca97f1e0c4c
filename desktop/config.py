"""One typed settings schema, loaded once.

Order of precedence: built-in defaults < clinic policy file pushed by IT (system-wide)
< the user's own settings file. Keys a policy marks as ``locked`` cannot be overridden by
the user. Engines never read settings themselves: ``app.py`` and ``cli.py`` build them
from these values.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.core.errors import UsageError
from desktop.core.files import atomic_write

log = logging.getLogger(__name__)

LANGUAGES = ("auto", "yue", "zh", "en")
SCRIPTS = ("hk", "tw", "cn")
LAPEL_CHANNELS = ("", "left", "right")
NOTE_LANGUAGES = ("en", "zh", "same-as-consultation")


def _meta(description: str) -> dict[str, str]:
    return {"description": description}


@dataclass
class AsrSettings:
    model: str = field(default="whisper-base", metadata=_meta("Speech model name from the model manifest."))
    device: str = field(default="auto", metadata=_meta("auto, cpu or cuda."))
    compute_type: str = field(
        default="auto", metadata=_meta("auto (int8 on CPU, int8_float16 on GPU) or a CTranslate2 type.")
    )
    cpu_threads: int = field(
        default=0,
        metadata=_meta(
            "0 = the speech engine's default: as many threads as cores, at most 4 (CTranslate2); set more on a larger PC."
        ),
    )
    beam_size: int = field(default=5, metadata=_meta("Beam size for file transcription."))
    language: str = field(default="auto", metadata=_meta("auto, yue (Cantonese), zh (Mandarin) or en."))
    script: str = field(
        default="hk", metadata=_meta("Chinese script: hk, tw (Traditional) or cn (Simplified).")
    )
    vocabulary_file: str = field(
        default="", metadata=_meta("Clinic vocabulary (one term a line); empty = the shipped list.")
    )


@dataclass
class LlmSettings:
    model: str = field(
        default="qwen2.5-coder-1.5b-instruct", metadata=_meta("LLM name from the model manifest.")
    )
    n_gpu_layers: int = field(default=-1, metadata=_meta("Layers offloaded to the GPU; -1 = all, 0 = CPU."))
    n_ctx: int = field(default=8192, metadata=_meta("Context window in tokens (capped by the model)."))
    n_threads: int = field(
        default=0,
        metadata=_meta(
            "0 = chosen per job: half the logical cores while recording, every idle physical core for a draft "
            "after Stop."
        ),
    )
    max_tokens: int = field(
        default=384,
        metadata=_meta("Most tokens the model may write for one section of a draft (one answer)."),
    )
    temperature: float = field(default=0.1, metadata=_meta("Sampling temperature for drafts."))
    prefill_seconds: int = field(
        default=20,
        metadata=_meta(
            "While recording, read the transcript into the language model every this many seconds, "
            "so the draft is ready sooner after Stop (skipped while speech recognition is busy); 0 = off."
        ),
    )


@dataclass
class NoteSettings:
    language: str = field(
        default="same-as-consultation",
        metadata=_meta(
            "Language of the note and letters: en, zh (written Chinese in the clinic's script) or "
            "same-as-consultation (Chinese when most of what was said is Chinese)."
        ),
    )


@dataclass
class ClinicSettings:
    name: str = field(default="ConsultScribe Clinic", metadata=_meta("Clinic name on the letterhead."))
    name_zh: str = field(default="", metadata=_meta("Clinic name in Chinese."))
    address: str = field(default="", metadata=_meta("Letterhead address."))
    phone: str = field(default="", metadata=_meta("Letterhead phone."))
    logo: str = field(default="", metadata=_meta("Path to a logo image for the letterhead."))
    doctor_name: str = field(default="", metadata=_meta("Default signing doctor (headless use)."))
    registration_no: str = field(default="", metadata=_meta("The doctor's registration number."))
    templates_dir: str = field(
        default="", metadata=_meta("Folder of clinic templates overriding shipped ones.")
    )


@dataclass
class PolicySettings:
    store_dir: str = field(default="", metadata=_meta("Encrypted store location; empty = user data folder."))
    retention_days: int = field(default=365 * 7, metadata=_meta("Days audio is kept before it is destroyed."))
    auto_lock_minutes: int = field(default=10, metadata=_meta("Idle minutes before the app locks."))
    keyring_unlock: bool = field(default=False, metadata=_meta("Allow OS keyring unlock (single-user PCs)."))
    nurses_may_record: bool = field(
        default=False, metadata=_meta("Nurses may record consultations (otherwise only doctors record).")
    )


# Settings the encrypted store keeps too, clinic-wide ("section.key" -> the store's policy key, and
# the field inside it for the letterhead): the store's values apply on every PC at sign-in (the
# retention purge reads them there, and every PC prints the same letterhead), unless IT locked the
# key in a policy file. An empty letterhead field in the store means "not set" and changes nothing.
STORE_POLICY: dict[str, tuple[str, ...]] = {
    "policy.retention_days": ("retention_days",),
    "policy.auto_lock_minutes": ("auto_lock_minutes",),
    "policy.keyring_unlock": ("keyring_unlock",),
    "clinic.name": ("letterhead", "name"),
    "clinic.name_zh": ("letterhead", "name_zh"),
    "clinic.address": ("letterhead", "address"),
    "clinic.phone": ("letterhead", "phone"),
}


@dataclass
class AudioSettings:
    input_device: str = field(default="", metadata=_meta("Microphone name; empty = system default."))
    lapel_channel: str = field(
        default="",
        metadata=_meta(
            "Rooms with a lapel microphone on the doctor: left or right, the input channel it is on "
            "(the room microphone on the other); empty = one microphone."
        ),
    )


@dataclass
class UiSettings:
    language: str = field(
        default="auto", metadata=_meta("Language of the app's own text: auto, en or zh_TW.")
    )


@dataclass
class IntakeSettings:
    enabled: bool = field(
        default=False,
        metadata=_meta(
            "Run the pre-consultation intake service; only the clinic policy file can turn it on."
        ),
    )
    host: str = field(default="127.0.0.1", metadata=_meta("Address the intake service listens on."))
    port: int = field(default=8443, metadata=_meta("HTTPS port of the intake service."))
    cert_file: str = field(
        default="", metadata=_meta("The clinic's TLS certificate (PEM) for the intake service.")
    )
    key_file: str = field(default="", metadata=_meta("The private key (PEM) of that certificate."))
    public_url: str = field(
        default="", metadata=_meta("Address patients' phones open (in QR codes); empty = https://host:port.")
    )
    code_minutes: int = field(default=120, metadata=_meta("Minutes a one-time patient code stays valid."))


@dataclass
class Settings:
    asr: AsrSettings = field(default_factory=AsrSettings)
    llm: LlmSettings = field(default_factory=LlmSettings)
    note: NoteSettings = field(default_factory=NoteSettings)
    clinic: ClinicSettings = field(default_factory=ClinicSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    locked: list[str] = field(default_factory=list)  # "section.key" names IT has locked

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def validate(self) -> None:
        if self.asr.language not in LANGUAGES:
            raise UsageError(
                f"Unknown language '{self.asr.language}'.", f"Choose one of {', '.join(LANGUAGES)}."
            )
        if self.asr.script not in SCRIPTS:
            raise UsageError(
                f"Unknown Chinese script '{self.asr.script}'.", f"Choose one of {', '.join(SCRIPTS)}."
            )
        if self.note.language not in NOTE_LANGUAGES:
            raise UsageError(
                f"Unknown note language '{self.note.language}'.",
                f"Set note.language to one of {', '.join(NOTE_LANGUAGES)}.",
            )
        if self.audio.lapel_channel not in LAPEL_CHANNELS:
            raise UsageError(
                f"Unknown lapel channel '{self.audio.lapel_channel}'.",
                "Set audio.lapel_channel to left, right, or leave it empty for one microphone.",
            )

    @property
    def doctor_channel(self) -> int | None:
        """0 or 1: the input channel of the doctor's lapel microphone; None with one microphone."""
        return {"left": 0, "right": 1}.get(self.audio.lapel_channel)


# Keys only the clinic policy file sets: a user's own settings file cannot turn them on.
POLICY_ONLY = frozenset({"intake.enabled"})


def _apply(settings: Settings, data: dict[str, Any], *, source: str, respect_locks: bool) -> None:
    for section_name, values in data.items():
        if section_name == "locked":
            if isinstance(values, list):
                settings.locked = sorted(set(settings.locked) | {str(v) for v in values})
            continue
        section = getattr(settings, section_name, None)
        if section is None or not dataclasses.is_dataclass(section) or not isinstance(values, dict):
            log.warning("ignoring unknown settings section %r in %s", section_name, source)
            continue
        known = {f.name: f for f in dataclasses.fields(section)}
        for key, value in values.items():
            if key not in known:
                log.warning("ignoring unknown setting %s.%s in %s", section_name, key, source)
                continue
            if respect_locks and (
                f"{section_name}.{key}" in settings.locked or f"{section_name}.{key}" in POLICY_ONLY
            ):
                continue
            current = getattr(section, key)
            if isinstance(current, bool):
                value = bool(value)
            elif isinstance(current, int):
                value = int(value)
            elif isinstance(current, float):
                value = float(value)
            else:
                value = str(value)
            setattr(section, key, value)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"The settings file {path} is not valid JSON (line {exc.lineno}).",
            "Fix or remove the file and start again.",
        ) from exc
    if not isinstance(data, dict):
        raise UsageError(f"The settings file {path} must hold a JSON object.")
    return data


def load_settings(policy_file: Path | None = None, user_file: Path | None = None) -> Settings:
    settings = Settings()
    policy_path = policy_file if policy_file is not None else paths.system_policy_file()
    _apply(settings, _read_json(policy_path), source=str(policy_path), respect_locks=False)
    user_path = user_file if user_file is not None else paths.user_config_file()
    _apply(settings, _read_json(user_path), source=str(user_path), respect_locks=True)
    settings.validate()
    return settings


def save_user_settings(settings: Settings, user_file: Path | None = None) -> None:
    path = user_file if user_file is not None else paths.user_config_file()
    atomic_write(path, json.dumps(settings.to_dict(), indent=2, ensure_ascii=False).encode("utf-8"))


def describe() -> list[tuple[str, str, str]]:
    """(key, default, description) for every setting: the documented policy keys."""
    rows: list[tuple[str, str, str]] = []
    defaults = Settings()
    for section_field in dataclasses.fields(defaults):
        section = getattr(defaults, section_field.name)
        if not dataclasses.is_dataclass(section):
            continue
        for f in dataclasses.fields(section):
            rows.append(
                (
                    f"{section_field.name}.{f.name}",
                    repr(getattr(section, f.name)),
                    f.metadata.get("description", ""),
                )
            )
    return rows


def _get_setting(settings: Settings, key: str) -> Any:
    section, name = key.split(".", 1)
    return getattr(getattr(settings, section), name)


def _set_setting(settings: Settings, key: str, value: Any) -> None:
    section, name = key.split(".", 1)
    setattr(getattr(settings, section), name, value)


def _agrees(stored_value: Any, current: Any) -> bool:
    """The store holds this value already (an empty letterhead field and no field are the same)."""
    return bool(stored_value == current or (stored_value in (None, "") and current == ""))


def _stored_value(stored: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = stored
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def apply_store_policy(settings: Settings, stored: dict[str, Any]) -> dict[str, Any]:
    """Put the store's clinic-wide values (``STORE_POLICY``) into ``settings``.

    A key IT locked in the policy file keeps IT's value. Returns the store policy update that
    would bring the store in line with those locked values (empty when it already agrees), for
    an administrator's session to write.
    """
    updates: dict[str, Any] = {}
    for key, path in STORE_POLICY.items():
        current = _get_setting(settings, key)
        value = _stored_value(stored, path)
        if key in settings.locked:
            if not _agrees(value, current):
                _set_path(updates, stored, path, current)
            continue
        if value is None or (isinstance(current, str) and value == ""):
            continue  # not set in the store
        _set_setting(settings, key, type(current)(value))
    return updates


def store_policy_update(settings: Settings, stored: dict[str, Any]) -> dict[str, Any]:
    """The store policy changes that carry this PC's values of the keys IT has not locked."""
    updates: dict[str, Any] = {}
    for key, path in STORE_POLICY.items():
        value = _get_setting(settings, key)
        if key not in settings.locked and not _agrees(_stored_value(stored, path), value):
            _set_path(updates, stored, path, value)
    return updates


def _set_path(updates: dict[str, Any], stored: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """``updates[path] = value``; a nested key starts from the store's whole value (the letterhead)."""
    if len(path) == 1:
        updates[path[0]] = value
        return
    head = path[0]
    if head not in updates:
        base = stored.get(head)
        updates[head] = dict(base) if isinstance(base, dict) else {}
    updates[head][path[1]] = value
