"""Column roles (client, sales, date, ...) found from header names, in every language of vocab/.

Roles are resolved once into a `ColumnRoles` mapping; later code never guesses column names again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from analysis.errors import InputError
from analysis.ingest.vocabulary import vocabulary

# Resolution order matters only for equal scores: more specific roles first, so that
# `Code client` is a client id before it could be a client name.
ROLES: tuple[str, ...] = (
    "client_id",
    "contract_end",
    "last_purchase",
    "orders",
    "profit",
    "sales",
    "date",
    "invoice",
    "quantity",
    "segment",
    "manager",
    "client",
)


@dataclass(frozen=True)
class RoleRule:
    """Phrases naming a role, and words that veto it (a payment due date is no contract end)."""

    phrases: tuple[str, ...]
    vetoes: tuple[str, ...] = ()
    exact_only: tuple[str, ...] = ()
    numeric: bool = False


# Roles whose column holds counts or amounts: a header with `%` is a rate, never one of them.
NUMERIC_ROLES = frozenset({"orders", "profit", "sales", "quantity"})


@cache
def _rules() -> dict[str, RoleRule]:
    """Each role's rule, its words from the vocabulary files."""
    words = vocabulary()
    return {
        role: RoleRule(
            phrases=words.words(role, "phrases"),
            vetoes=words.words(role, "vetoes"),
            exact_only=words.words(role, "exact_only"),
            numeric=role in NUMERIC_ROLES,
        )
        for role in ROLES
    }


_BRACKETS = re.compile(r"[\(\[\{].*?[\)\]\}]")
_NON_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Case-fold and strip accents: how names are compared, for headers and for clients."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def normalise_header(name: object) -> tuple[str, ...]:
    """Header words without case, accents, units or punctuation: `Montant HT (€)` -> montant ht."""
    words = vocabulary()
    units, taxes = words.units, words.before_tax | words.after_tax
    text = fold(str(name))
    text = _BRACKETS.sub(" ", text)
    head, _, tail = text.partition(",")
    tail_words = _NON_WORD.sub(" ", tail).split()
    if tail_words and all(w in units | taxes for w in tail_words):
        text = head + " " + " ".join(w for w in tail_words if w in taxes)
    return tuple(w for w in _NON_WORD.sub(" ", text.replace("_", " ")).split() if w not in units)


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> int:
    """Position of `phrase` as consecutive words in `words`, or -1."""
    size = len(phrase)
    for start in range(len(words) - size + 1):
        if words[start : start + size] == phrase:
            return start
    return -1


def role_score(role: str, header: object) -> float:
    """How well a header names a role: 3 exact, 2 at the start, 1 inside, 0 not at all."""
    return _score(role, str(header))


@cache
def _score(role: str, raw: str) -> float:
    rule = _rules()[role]
    words = normalise_header(raw)
    if not words:
        return 0.0
    if rule.numeric and ("%" in raw or "‰" in raw):
        return 0.0
    for veto in rule.vetoes:
        if _contains(words, tuple(veto.split())) >= 0:
            return 0.0
    best = 0.0
    for phrase in rule.phrases + rule.exact_only:
        tokens = tuple(phrase.split())
        if words == tokens:
            best = max(best, 3.0)
            continue
        if phrase in rule.exact_only:
            continue
        position = _contains(words, tokens)
        if position == 0:
            best = max(best, 2.0)
        elif position > 0:
            best = max(best, 1.0)
    if best and role == "sales":
        # Before tax is what a client brings; after tax only if nothing better is named.
        taxes = vocabulary()
        before = any(w in taxes.before_tax for w in words)
        after = any(w in taxes.after_tax for w in words)
        best += 0.5 if before else -0.5 if after else 0.0
    return best


def match_roles(headers: Sequence[object]) -> dict[str, int]:
    """Give each role the column naming it best; each column takes one role at most."""
    candidates = [
        (role_score(role, header), -priority, -index, role, index)
        for priority, role in enumerate(ROLES)
        for index, header in enumerate(headers)
    ]
    candidates = [c for c in candidates if c[0] > 0]
    candidates.sort(reverse=True)
    chosen: dict[str, int] = {}
    taken: set[int] = set()
    for _score, _priority, _index, role, index in candidates:
        if role not in chosen and index not in taken:
            chosen[role] = index
            taken.add(index)
    return chosen


@dataclass(frozen=True)
class ColumnRoles:
    """Which column of the table plays which role, and which came from the user."""

    mapping: dict[str, str]
    explicit: frozenset[str] = frozenset()

    def get(self, role: str) -> str | None:
        return self.mapping.get(role)

    def __contains__(self, role: str) -> bool:
        return role in self.mapping

    def carried(self, columns: Sequence[str]) -> list[str]:
        """Columns that play no role: kept and carried along per client."""
        used = set(self.mapping.values())
        return [c for c in columns if c not in used]


def resolve_roles(columns: Sequence[str], explicit: dict[str, str]) -> ColumnRoles:
    """Roles from header names, with the user's explicit choices taking precedence."""
    mapping: dict[str, str] = {}
    by_folded = {" ".join(normalise_header(c)): c for c in columns}
    for role, name in explicit.items():
        if name in columns:
            mapping[role] = name
            continue
        found = by_folded.get(" ".join(normalise_header(name)))
        if found is None:
            raise InputError("column_not_found", role=role, name=name, found=list(columns))
        mapping[role] = found
    taken = set(mapping.values())
    free = [c for c in columns if c not in taken]
    for role, index in match_roles(free).items():
        if role not in mapping:
            mapping[role] = free[index]
    return ColumnRoles(mapping, frozenset(explicit))
