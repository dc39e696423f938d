"""Column roles (client, sales, date, ...) found from header names in French, English and Russian.

Roles are resolved once into a `ColumnRoles` mapping; later code never guesses column names again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from analysis.errors import InputError

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


_RULES: dict[str, RoleRule] = {
    "client_id": RoleRule(
        phrases=(
            "code client",
            "client code",
            "client id",
            "id client",
            "customer id",
            "customer code",
            "customer number",
            "customer no",
            "n client",
            "no client",
            "numero client",
            "numero de client",
            "num client",
            "ref client",
            "reference client",
            "siren",
            "siret",
            "account id",
            "account number",
            "код клиента",
            "инн",
            "код контрагента",
            "id клиента",
        ),
        exact_only=("id", "code", "код"),
    ),
    "contract_end": RoleRule(
        phrases=(
            "fin de contrat",
            "date de fin de contrat",
            "date fin contrat",
            "fin contrat",
            "echeance du contrat",
            "echeance contrat",
            "echeance de contrat",
            "contract end",
            "contract end date",
            "end of contract",
            "contract expiry",
            "contract expiration",
            "renewal date",
            "date de renouvellement",
            "renouvellement",
            "окончание договора",
            "дата окончания договора",
            "срок договора",
        ),
    ),
    "last_purchase": RoleRule(
        phrases=(
            "dernier achat",
            "date du dernier achat",
            "date dernier achat",
            "derniere commande",
            "date de derniere commande",
            "date derniere commande",
            "derniere facture",
            "last purchase",
            "last purchase date",
            "last order",
            "last order date",
            "last invoice",
            "последняя покупка",
            "дата последней покупки",
        ),
    ),
    "orders": RoleRule(
        phrases=(
            "nombre de commandes",
            "nb commandes",
            "nb de commandes",
            "nombre de factures",
            "nb factures",
            "nb de factures",
            "nombre d achats",
            "nb achats",
            "number of orders",
            "order count",
            "orders count",
            "nb orders",
            "number of transactions",
            "number of purchases",
            "количество заказов",
            "количество покупок",
            "число заказов",
        ),
        exact_only=("orders", "commandes", "transactions", "purchases", "achats", "factures"),
        numeric=True,
    ),
    "profit": RoleRule(
        phrases=(
            "benefice net",
            "benefice",
            "net profit",
            "profit",
            "marge",
            "marge brute",
            "marge nette",
            "margin",
            "gross margin",
            "net margin",
            "gross profit",
            "resultat net",
            "прибыль",
            "чистая прибыль",
            "валовая прибыль",
            "маржа",
        ),
        vetoes=("taux", "rate", "ratio", "pourcentage", "percent", "pct", "процент"),
        numeric=True,
    ),
    "sales": RoleRule(
        phrases=(
            "montant ht",
            "ca ht",
            "total ht",
            "ventes ht",
            "chiffre d affaires ht",
            "chiffre d affaires",
            "ca",
            "ventes",
            "vente",
            "montant",
            "montant total",
            "sales",
            "net sales",
            "sales amount",
            "revenue",
            "revenues",
            "turnover",
            "amount",
            "net amount",
            "total",
            "выручка",
            "сумма",
            "сумма продаж",
            "продажи",
            "оборот",
            "montant ttc",
            "total ttc",
            "ca ttc",
        ),
        vetoes=(
            "taux",
            "rate",
            "tva",
            "vat",
            "tax",
            "taxe",
            "remise",
            "discount",
            "cout",
            "cost",
            "achat",
            "prix unitaire",
            "unit price",
            "pu",
            "ндс",
            "скидка",
            "себестоимость",
            "marge",
            "margin",
            "profit",
            "benefice",
            "quantite",
            "quantity",
        ),
        numeric=True,
    ),
    "date": RoleRule(
        phrases=(
            "date",
            "date facture",
            "date de facture",
            "date de la facture",
            "invoice date",
            "order date",
            "date commande",
            "date de commande",
            "date de vente",
            "sale date",
            "sales date",
            "transaction date",
            "date operation",
            "date piece",
            "date document",
            "дата",
            "дата продажи",
            "дата документа",
            "дата заказа",
        ),
        vetoes=(
            "echeance",
            "due",
            "paiement",
            "payment",
            "reglement",
            "fin",
            "end",
            "contrat",
            "contract",
            "dernier",
            "derniere",
            "last",
            "creation",
            "naissance",
            "birth",
            "expiration",
            "renouvellement",
            "renewal",
            "окончания",
            "оплаты",
        ),
    ),
    "invoice": RoleRule(
        phrases=(
            "facture",
            "n facture",
            "no facture",
            "numero facture",
            "numero de facture",
            "num facture",
            "ref facture",
            "reference facture",
            "invoice",
            "invoice id",
            "invoice no",
            "invoice number",
            "commande",
            "n commande",
            "no commande",
            "numero de commande",
            "numero commande",
            "order id",
            "order no",
            "order number",
            "n piece",
            "numero de piece",
            "piece",
            "номер документа",
            "номер счета",
            "счет",
            "документ",
            "заказ",
            "номер заказа",
        ),
        vetoes=("date", "montant", "amount", "total", "ligne", "line", "nombre", "nb", "count"),
        exact_only=("order",),
    ),
    "quantity": RoleRule(
        phrases=("quantite", "qte", "qty", "quantity", "количество", "кол во", "units"),
        vetoes=("commandes", "orders", "factures", "achats"),
        numeric=True,
    ),
    "segment": RoleRule(
        phrases=(
            "segment",
            "industry",
            "industrie",
            "secteur",
            "secteur d activite",
            "activite",
            "type d activite",
            "branche",
            "sector",
            "type de client",
            "type client",
            "customer type",
            "client type",
            "famille client",
            "отрасль",
            "сегмент",
            "вид деятельности",
        ),
    ),
    "manager": RoleRule(
        phrases=(
            "manager",
            "commercial",
            "commerciale",
            "vendeur",
            "vendeuse",
            "sales rep",
            "salesperson",
            "account manager",
            "responsable",
            "responsable commercial",
            "charge d affaires",
            "менеджер",
            "ответственный",
        ),
    ),
    "client": RoleRule(
        phrases=(
            "client",
            "clients",
            "customer",
            "nom client",
            "nom du client",
            "client name",
            "customer name",
            "raison sociale",
            "contrepartie",
            "counterparty",
            "acheteur",
            "buyer",
            "societe",
            "company",
            "entreprise",
            "account name",
            "tiers",
            "клиент",
            "покупатель",
            "контрагент",
            "заказчик",
            "наименование клиента",
            "наименование контрагента",
        ),
        vetoes=(
            "code",
            "id",
            "numero",
            "num",
            "n",
            "no",
            "ref",
            "reference",
            "siren",
            "siret",
            "type",
            "categorie",
            "segment",
            "secteur",
            "ville",
            "city",
            "pays",
            "country",
            "adresse",
            "address",
            "email",
            "mail",
            "telephone",
            "phone",
            "tel",
            "depuis",
            "since",
            "код",
            "инн",
        ),
        exact_only=("nom", "name", "account", "наименование"),
    ),
}

_BRACKETS = re.compile(r"[\(\[\{].*?[\)\]\}]")
_NON_WORD = re.compile(r"[^\w]+")
_UNIT_TOKENS = frozenset(
    {"eur", "euro", "euros", "k", "keur", "ke", "usd", "rub", "руб", "тыс", "m", "meur", "кэ"}
)
_TAX_TOKENS = frozenset({"ht", "ttc"})


def fold(text: str) -> str:
    """Case-fold and strip accents: how names are compared, for headers and for clients."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def normalise_header(name: object) -> tuple[str, ...]:
    """Header words without case, accents, units or punctuation: `Montant HT (€)` -> montant ht."""
    text = fold(str(name))
    text = _BRACKETS.sub(" ", text)
    head, _, tail = text.partition(",")
    tail_words = _NON_WORD.sub(" ", tail).split()
    if tail_words and all(w in _UNIT_TOKENS | _TAX_TOKENS for w in tail_words):
        text = head + " " + " ".join(w for w in tail_words if w in _TAX_TOKENS)
    words = _NON_WORD.sub(" ", text.replace("_", " ")).split()
    return tuple(w for w in words if w not in _UNIT_TOKENS)


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
    rule = _RULES[role]
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
        best += 0.5 if "ht" in words else -0.5 if "ttc" in words else 0.0
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
