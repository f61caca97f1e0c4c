"""Two kinds of failure.

A :class:`UserFacingError` is something a person can act on (a missing model, a wrong
password, a corrupt recording, a full disk). It carries one plain sentence, a next step
and the process exit code the command-line tools use. Anything else is a bug: it is
logged with its traceback while the consultation's audio and text stay safe.
"""

from __future__ import annotations


class ExitCode:
    OK = 0
    FAILURE = 1
    USAGE = 2
    AUTH_FAILED = 3
    PERMISSION_DENIED = 4
    STORE_DAMAGED = 5
    CANCELLED = 130


class UserFacingError(Exception):
    """An error explained in plain words, with what to do next."""

    exit_code: int = ExitCode.FAILURE

    def __init__(self, message: str, hint: str = "", *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class UsageError(UserFacingError):
    exit_code = ExitCode.USAGE


class ModelError(UserFacingError):
    """A model is missing, incomplete or does not match its recorded hash."""


class AudioError(UserFacingError):
    """Audio cannot be read or captured (corrupt file, unplugged microphone)."""


class InputError(UserFacingError):
    """An input file has no usable content (e.g. a transcript with no turns)."""


class AuthenticationError(UserFacingError):
    exit_code = ExitCode.AUTH_FAILED


class PermissionDeniedError(UserFacingError):
    exit_code = ExitCode.PERMISSION_DENIED


class StoreDamagedError(UserFacingError):
    exit_code = ExitCode.STORE_DAMAGED


class ContextLimitError(UserFacingError):
    """The consultation is too long for the language model's context window."""


class Cancelled(Exception):
    """A long operation was cancelled by the user. Not an error; nothing is lost."""
