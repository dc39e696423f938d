"""Callback data of every inline button: the prefixes, a builder per button, and the patterns
the application registers. Telegram allows 64 bytes of callback data."""

from __future__ import annotations

SAMPLE = "sample"
SETTINGS = "settings"
TOP = "top"
CLIENT = "client"
EXPORT = "export"
SET = "set"
FORGET = "forget"
SOURCE = "source"

SAMPLE_PATTERN = rf"^{SAMPLE}$"
TOP_PATTERN = rf"^{TOP}:"
CLIENT_PATTERN = rf"^{CLIENT}:"
EXPORT_PATTERN = rf"^{EXPORT}:"
SETTINGS_PATTERN = rf"^({SETTINGS}$|{SET}:)"
FORGET_PATTERN = rf"^{FORGET}:"
SOURCE_PATTERN = rf"^{SOURCE}:"


def top(letter: str, offset: int = 0, count: int | None = None) -> str:
    """A category's page: `top:A:0`, with the page size when it is not the default."""
    return f"{TOP}:{letter}:{offset}" + (f":{count}" if count is not None else "")


def client(analysis_id: int, position: int) -> str:
    return f"{CLIENT}:{analysis_id}:{position}"


def export(kind: str) -> str:
    return f"{EXPORT}:{kind}"


def setting(kind: str, *values: object) -> str:
    """A settings choice: `set:crit:profit`, `set:cut:80:15`, `set:tz:Europe/Paris`."""
    return ":".join([SET, kind, *map(str, values)])


def forget(answer: str) -> str:
    return f"{FORGET}:{answer}"


def source(name: str) -> str:
    return f"{SOURCE}:{name}"


def fields(data: str) -> list[str]:
    """The values after the prefix: `top:A:0` gives ["A", "0"]."""
    return data.split(":")[1:]


def payload(data: str) -> str:
    """All after the prefix: `source:my:name` gives "my:name"."""
    return data.split(":", 1)[1]
