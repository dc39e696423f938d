"""The operator's sources file (TOML, CLIENTBASE_SOURCES) and the `Source` it describes: a file on
the server, an http(s) URL of a CSV or Excel file, or a database. Sources are defined there, never
in a chat, so credentials stay on the server; each names the chats that may use it. A file
source must lie, symlinks resolved, in one of the directories of the top-level `allowed_dirs`."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bot.sources.errors import SourceError

log = logging.getLogger(__name__)
KINDS = ("file", "url", "database")
DATABASE_ROLES = (
    "client",
    "client_id",
    "sales",
    "profit",
    "date",
    "segment",
    "manager",
    "contract_end",
)


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    chats: frozenset[int]
    label: str = ""
    path: Path | None = None
    url: str | None = None
    database: str | None = None
    table: str | None = None
    query: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    # Resolved when the file was loaded; a file source is read only inside them (none: never).
    allowed_dirs: tuple[Path, ...] = ()

    @property
    def title(self) -> str:
        return self.label or self.name


def resolve_within(path: Path, allowed_dirs: Iterable[Path]) -> Path | None:
    """`path` with its symlinks resolved, if that lies in one of the (resolved) allowed dirs."""
    try:
        resolved = path.resolve(strict=False)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return None
    return resolved if any(resolved.is_relative_to(d) for d in allowed_dirs) else None


def _allowed_dirs(value: object, path: Path) -> tuple[Path, ...]:
    if not isinstance(value, list) or not all(isinstance(d, str) and d for d in value):
        raise SourceError(f"{path}: allowed_dirs must be a list of directories")
    return tuple(Path(d).resolve(strict=False) for d in value)


def load_sources(path: Path) -> dict[str, Source]:
    """Read and check the operator's TOML file; a mistake is a SourceError naming it. A file
    source outside `allowed_dirs` is left out, with a warning in the log."""
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SourceError(f"{path}: {error}") from None
    allowed_dirs = _allowed_dirs(document.get("allowed_dirs", []), path)
    sources = {}
    for name, spec in document.get("sources", {}).items():
        kind = spec.get("kind")
        if kind not in KINDS:
            raise SourceError(
                f"source {name}: kind must be one of {', '.join(KINDS)}, not {kind!r}"
            )
        needed = {"file": ("path",), "url": ("url",), "database": ("database", "columns")}[kind]
        missing = [key for key in needed if not spec.get(key)]
        if kind == "database" and not (spec.get("table") or spec.get("query")):
            missing.append("table or query")
        if missing:
            raise SourceError(f"source {name}: missing {', '.join(missing)}")
        columns = dict(spec.get("columns", {}))
        has_client = "client" in columns or "client_id" in columns
        has_value = bool({"sales", "profit"} & set(columns))
        if kind == "database" and not (has_client and has_value):
            raise SourceError(
                f"source {name}: columns must name a client and a sales or profit column"
            )
        unknown = set(columns) - set(DATABASE_ROLES)
        if unknown:
            raise SourceError(f"source {name}: unknown column roles {', '.join(sorted(unknown))}")
        if kind == "database":
            try:
                sa.engine.make_url(spec["database"])
            except (sa.exc.ArgumentError, ValueError):
                # Not the URL itself in the message: it holds the password.
                raise SourceError(f"source {name}: database is not a SQLAlchemy URL") from None
        if kind == "file" and not allowed_dirs:
            log.warning(
                "Source %s refused: %s lists no allowed_dirs, the directories file sources may"
                " be read from",
                name,
                path,
            )
            continue
        if kind == "file" and resolve_within(Path(spec["path"]), allowed_dirs) is None:
            log.warning(
                "Source %s refused: its file %s lies outside allowed_dirs (symlinks resolved)",
                name,
                spec["path"],
            )
            continue
        sources[name] = Source(
            name=name,
            kind=kind,
            chats=frozenset(int(c) for c in spec.get("chats", [])),
            label=spec.get("label", ""),
            path=Path(spec["path"]) if spec.get("path") else None,
            url=spec.get("url"),
            database=spec.get("database"),
            table=spec.get("table"),
            query=spec.get("query"),
            sheet=spec.get("sheet"),
            columns=columns,
            allowed_dirs=allowed_dirs if kind == "file" else (),
        )
    return sources
