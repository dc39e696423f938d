"""The one error of sources: a source could not be read, or the sources file is wrong; and the
rule that a source's failure is told without its content (`without_content`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from analysis.errors import InputError


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


# InputError parameters that never hold a value read from the source: counts, sizes and limits,
# the criterion, the detected format and the extension of the configured name.
CONTENT_FREE_PARAMS = frozenset(
    {"count", "rows", "limit", "clients", "criterion", "size_mb", "limit_mb", "unpacked_mb"}
    | {"kind", "extension"}
)
# Errors about the chat's own settings, not about the source: their values came from the chat.
SETTINGS_CODES = frozenset({"bad_period", "bad_thresholds", "bad_criterion"})
# What the other InputErrors become: the problem, without the column names, sheet names or cell
# values they quote (a file that is not a table quotes its first line as "columns found").
CONTENT_CODES = {
    "header_only": "table_empty",
    "no_client_column": "table_columns",
    "no_value_column": "table_columns",
    "no_profit_column": "table_columns",
    "no_numeric_value_column": "table_columns",
    "column_not_found": "table_columns",
    "period_needs_dates": "table_columns",
    "sheet_not_found": "table_sheet",
    "unreadable_values": "table_values",
}


def without_content(error: InputError, source: str) -> InputError | SourceError:
    """What to report when a source's table cannot be used: the InputError itself when none of
    its values comes from the source, else a SourceError naming only the problem, for the chat
    and for the log alike (a misplaced secret must not reach either; the operator can run
    `clientbase analyze` on the file to see the details)."""
    if error.code in SETTINGS_CODES or set(error.params) <= CONTENT_FREE_PARAMS:
        return error
    kept = ", ".join(
        f"{key}={value!r}" for key, value in error.params.items() if key in CONTENT_FREE_PARAMS
    )
    return SourceError(
        f"source {source}: the table cannot be analysed ({error.code}{', ' if kept else ''}{kept};"
        " its values are not logged)",
        CONTENT_CODES.get(error.code, "table_unreadable"),
    )
