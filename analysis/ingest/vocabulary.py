"""The words of spreadsheets, per language, read from `vocab/<language>.toml`.

Every file found is used: a language is added by adding its file, with no change of code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

FIELDS = ("phrases", "vetoes", "exact_only")


@dataclass(frozen=True)
class Vocabulary:
    """All languages' words merged: phrases per role and field, header units, total rows."""

    languages: tuple[str, ...]
    roles: Mapping[str, Mapping[str, tuple[str, ...]]]
    units: frozenset[str]
    before_tax: frozenset[str]
    after_tax: frozenset[str]
    totals: tuple[str, ...]

    def words(self, role: str, field: str) -> tuple[str, ...]:
        """The phrases of one field (`phrases`, `vetoes`, `exact_only`) of a role."""
        return self.roles.get(role, {}).get(field, ())


def _files() -> dict[str, dict[str, Any]]:
    folder = resources.files("analysis.ingest") / "vocab"
    found = sorted(
        (entry.name.removesuffix(".toml"), entry)
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )
    return {language: tomllib.loads(entry.read_text("utf-8")) for language, entry in found}


@cache
def vocabulary() -> Vocabulary:
    """The merged vocabulary of every language file (read once)."""
    files = _files()
    roles: dict[str, dict[str, tuple[str, ...]]] = {}
    for words in files.values():
        for role, fields in words.get("roles", {}).items():
            merged = roles.setdefault(role, {})
            for field in FIELDS:
                merged[field] = merged.get(field, ()) + tuple(fields.get(field, ()))

    def union(table: str, key: str) -> frozenset[str]:
        return frozenset(w for words in files.values() for w in words.get(table, {}).get(key, ()))

    totals = tuple(w for words in files.values() for w in words.get("rows", {}).get("totals", ()))
    return Vocabulary(
        languages=tuple(files),
        roles=roles,
        units=union("headers", "units"),
        before_tax=union("headers", "before_tax"),
        after_tax=union("headers", "after_tax"),
        totals=totals,
    )
