"""The one error of sources: a source could not be read, or the sources file is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class SourceError(Exception):
    """A source could not be read, or the sources file is wrong.

    `str()` is the English text for the operator's log, with paths, addresses and the database's
    own words; `code` and `params` name the cause for the chat, worded by the catalogues
    (`source_error.<code>`) without them, since a URL or a database error can carry credentials.
    """

    def __init__(self, message: str, code: str = "config", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in the worker pool, so it travels between processes.
        return (_rebuild_source_error, (str(self), self.code, self.params))


def _rebuild_source_error(message: str, code: str, params: dict[str, Any]) -> SourceError:
    return SourceError(message, code, **params)


def file_error(path: Path, error: OSError) -> SourceError:
    """The SourceError for a file on the server that could not be read."""
    message = f"{path}: {error.strerror or error}"
    if isinstance(error, FileNotFoundError):
        return SourceError(message, "file_missing")
    if isinstance(error, PermissionError):
        return SourceError(message, "file_denied")
    return SourceError(message, "file_unreadable")
