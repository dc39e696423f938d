"""The one exception bad input raises: a message key and its values, worded by the catalogues."""

from __future__ import annotations

from typing import Any


class InputError(Exception):
    """Input the analysis cannot use; `code` names the message, `params` fill it in.

    The analysis knows no language: `reports.messages` turns (code, params) into one sentence in
    the user's language, so the CLI and the bot say the same thing.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __reduce__(self) -> tuple[Any, ...]:
        # Travels between processes (the bot analyses in a process pool).
        return (_rebuild, (self.code, self.params))

    def __str__(self) -> str:
        details = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.code}({details})"


def _rebuild(code: str, params: dict[str, Any]) -> InputError:
    return InputError(code, **params)
