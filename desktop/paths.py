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
    return data_home() / "store"


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
