"""Where the app keeps its files, and where its bundled resources live.

The user data folder comes from platformdirs; ``CONSULT_SCRIBE_HOME`` moves it
(tests, portable installs, IT-managed locations). Resources (``assets/``, ``models/``)
are found beside the package in a source checkout and under ``sys._MEIPASS`` in the
frozen app.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "ConsultScribe"
APP_AUTHOR = "ConsultScribe"


def data_home() -> Path:
    override = os.environ.get("CONSULT_SCRIBE_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def models_dir() -> Path:
    override = os.environ.get("CONSULT_SCRIBE_MODELS")
    if override:
        return Path(override).expanduser()
    return data_home() / "models"


def logs_dir() -> Path:
    return data_home() / "logs"


def default_store_dir() -> Path:
    configured = os.environ.get("CONSULT_SCRIBE_STORE") or machine_setting("StoreDir")
    if configured:
        return Path(configured).expanduser()
    return data_home() / "store"


def machine_setting(name: str) -> str:
    """A value IT set when installing (Windows MSI: HKLM\\Software\\ConsultScribe, e.g. STORE_DIR)."""
    if not sys.platform.startswith("win"):
        return ""
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"Software\ConsultScribe") as key:
            value, _kind = winreg.QueryValueEx(key, name)
    except OSError:
        return ""
    return str(value or "")


def user_config_file() -> Path:
    override = os.environ.get("CONSULT_SCRIBE_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "settings.json"


def system_policy_file() -> Path:
    """The clinic policy file IT pushes, read before the user's settings."""
    override = os.environ.get("CONSULT_SCRIBE_POLICY")
    if override:
        return Path(override).expanduser()
    if sys.platform.startswith("win"):
        configured = machine_setting("PolicyFile")  # msiexec ... POLICY_FILE=...
        if configured:
            return Path(configured)
        base = Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData"))
        return base / APP_NAME / "policy.json"
    if sys.platform == "darwin":
        return Path("/Library/Application Support") / APP_NAME / "policy.json"
    return Path("/etc/consult-scribe/policy.json")


def resource_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def assets_dir() -> Path:
    return resource_root() / "assets"


def manifest_file() -> Path:
    return resource_root() / "models" / "manifest.json"
