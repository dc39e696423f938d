"""Callback data of every inline button: the prefixes, a builder per button, and `parse`, the
allow-list every button press goes through. Telegram allows 64 bytes of callback data; a client
can send any bytes it likes, so nothing here trusts it: data that is not exactly what a builder
makes gives None, and the chat is told the button is no longer valid."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from analysis.result import CATEGORIES
from analysis.settings import Criterion
from reports.messages import available_languages

SAMPLE = "sample"
SETTINGS = "settings"
TOP = "top"
CLIENT = "client"
EXPORT = "export"
SET = "set"
FORGET = "forget"
SOURCE = "source"
CONTRACTS = "contracts"

MAX_DATA_BYTES = 64
MAX_PAGE = 50  # clients on one page of /top
# No analysis has more clients than a file has rows (the CLI's row limit): the last offset.
MAX_OFFSET = 6_000_000
EXPORT_KINDS = ("xlsx", "pdf")

_NUMBER = re.compile(r"0|[1-9][0-9]{0,17}")  # ASCII digits only: int() takes "٣", " 1", "1_0"
_PERIOD = re.compile(r"all|[1-9][0-9]{0,2}m|[12][0-9]{3}")
_ZONE = re.compile(r"[A-Za-z][A-Za-z_]*(/[A-Za-z][A-Za-z_+-]*){0,2}")
_SOURCE_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,57}")


@dataclass(frozen=True)
class Sample:
    """The sample file button under /start."""


@dataclass(frozen=True)
class ShowSettings:
    """The Settings button under a summary."""


@dataclass(frozen=True)
class TopPage:
    """A category's page: `top:A:0`, or `top:A:10:10` with its page size."""

    letter: str
    offset: int
    count: int | None = None


@dataclass(frozen=True)
class ClientPick:
    """A client in a pick list: `client:ANALYSIS:POSITION`."""

    analysis_id: int
    position: int


@dataclass(frozen=True)
class Export:
    """A report button: `export:pdf`."""

    kind: Literal["xlsx", "pdf"]


@dataclass(frozen=True)
class Setting:
    """A settings choice: `set:crit:profit`, `set:cut:80:15`, `set:tz:Europe/Paris`."""

    kind: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Forget:
    """The answer to /forget's question."""

    confirmed: bool


@dataclass(frozen=True)
class SourcePick:
    """A source in /source's list (whether the chat may use it is the handler's question)."""

    name: str


@dataclass(frozen=True)
class ContractsPage:
    """A page of /contracts: `contracts:ANALYSIS:OFFSET`."""

    analysis_id: int
    offset: int


Button = (
    Sample
    | ShowSettings
    | TopPage
    | ClientPick
    | Export
    | Setting
    | Forget
    | SourcePick
    | ContractsPage
)


def top(letter: str, offset: int = 0, count: int | None = None) -> str:
    """A category's page: `top:A:0`, with the page size when it is not the default."""
    return f"{TOP}:{letter}:{offset}" + (f":{count}" if count is not None else "")


def client(analysis_id: int, position: int) -> str:
    return f"{CLIENT}:{analysis_id}:{position}"


def contracts(analysis_id: int, offset: int) -> str:
    return f"{CONTRACTS}:{analysis_id}:{offset}"


def export(kind: str) -> str:
    return f"{EXPORT}:{kind}"


def setting(kind: str, *values: object) -> str:
    """A settings choice: `set:crit:profit`, `set:cut:80:15`, `set:tz:Europe/Paris`."""
    return ":".join([SET, kind, *map(str, values)])


def forget(answer: str) -> str:
    return f"{FORGET}:{answer}"


def source(name: str) -> str:
    return f"{SOURCE}:{name}"


def _number(text: str, highest: int, lowest: int = 0) -> int | None:
    if not _NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if lowest <= value <= highest else None


def _top(fields: list[str]) -> TopPage | None:
    if len(fields) not in (2, 3) or fields[0] not in CATEGORIES:
        return None
    offset = _number(fields[1], MAX_OFFSET)
    count = _number(fields[2], MAX_PAGE, 1) if len(fields) == 3 else None
    if offset is None or (len(fields) == 3 and count is None):
        return None
    return TopPage(fields[0], offset, count)


def _client(fields: list[str]) -> ClientPick | None:
    if len(fields) != 2:
        return None
    analysis_id = _number(fields[0], 2**63 - 1, 1)
    position = _number(fields[1], MAX_OFFSET)
    if analysis_id is None or position is None:
        return None
    return ClientPick(analysis_id, position)


def _contracts(fields: list[str]) -> ContractsPage | None:
    if len(fields) != 2:
        return None
    analysis_id = _number(fields[0], 2**63 - 1, 1)
    offset = _number(fields[1], MAX_OFFSET)
    if analysis_id is None or offset is None:
        return None
    return ContractsPage(analysis_id, offset)


def _valid_setting(kind: str, values: list[str]) -> bool:
    if len(values) == 2 and kind == "cut":
        a, b = (_number(value, 100) for value in values)
        return a is not None and b is not None and a > 0 and a + b <= 100
    if len(values) != 1:
        return False
    value = values[0]
    if kind == "crit":
        return value in {criterion.value for criterion in Criterion}
    if kind == "per":
        return bool(_PERIOD.fullmatch(value))
    if kind == "lang":
        return value in available_languages()
    return kind == "tz" and bool(_ZONE.fullmatch(value))


def _setting(fields: list[str]) -> Setting | None:
    kind, values = fields[0], fields[1:]
    return Setting(kind, tuple(values)) if _valid_setting(kind, values) else None


def parse(data: object) -> Button | None:
    """The button `data` stands for, or None when it is not one this bot makes."""
    if not isinstance(data, str) or len(data.encode("utf-8", "surrogatepass")) > MAX_DATA_BYTES:
        return None
    if data == SAMPLE:
        return Sample()
    if data == SETTINGS:
        return ShowSettings()
    prefix, separator, rest = data.partition(":")
    if not separator:
        return None
    fields = rest.split(":")
    if prefix == TOP:
        return _top(fields)
    if prefix == CLIENT:
        return _client(fields)
    if prefix == EXPORT:
        return Export(rest) if rest in EXPORT_KINDS else None  # type: ignore[arg-type]
    if prefix == SET:
        return _setting(fields)
    if prefix == FORGET:
        return Forget(rest == "yes") if rest in ("yes", "no") else None
    if prefix == CONTRACTS:
        return _contracts(fields)
    if prefix == SOURCE:
        return SourcePick(rest) if _SOURCE_NAME.fullmatch(rest) else None
    return None


def pattern(kind: type[Button]) -> Callable[[object], bool]:
    """The pattern a handler is registered with: data that parses to a button of `kind`."""
    return lambda data: isinstance(parse(data), kind)
