"""Shared fixtures: offline guard, model store, shared evaluation data."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Models are assembled once into a git-ignored folder of the checkout and reused across runs.
os.environ.setdefault("CONSULT_SCRIBE_MODELS", str(REPO / ".test-models"))


class NetworkBlockedError(RuntimeError):
    pass


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_create_connection = socket.create_connection
_real_getaddrinfo = socket.getaddrinfo


def _is_local(address: object) -> bool:
    if isinstance(address, str):  # AF_UNIX path
        return True
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host in ("localhost", "::1") or host.startswith("127.")
    return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise NetworkBlockedError(f"network access attempted in a test: {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise NetworkBlockedError(f"network access attempted in a test: {address!r}")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if host not in (None, "localhost", "127.0.0.1", "::1") and not str(host).startswith("127."):
        raise NetworkBlockedError(f"name lookup attempted in a test: {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _block_network() -> Iterator[None]:
    """Any attempt to reach a non-loopback address fails the test (the app must stay offline)."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect = _real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not beside this checkout")
    return SHARED_DATA


@pytest.fixture(scope="session")
def model_store():  # type: ignore[no-untyped-def]
    from desktop import paths
    from desktop.model_store import ModelStore

    return ModelStore(paths.models_dir(), paths.manifest_file())


@pytest.fixture(scope="session")
def asr_model_path(model_store) -> Path:  # type: ignore[no-untyped-def]
    return model_store.ensure("whisper-base")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def llm_model_path(model_store) -> Path:  # type: ignore[no-untyped-def]
    return model_store.ensure("smollm2-135m-instruct")  # type: ignore[no-any-return]
