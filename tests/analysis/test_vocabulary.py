"""The vocabulary files: every language found, and nothing in them the code would ignore."""

from __future__ import annotations

import tomllib
from importlib import resources

from analysis.ingest.columns import ROLES, match_roles
from analysis.ingest.vocabulary import FIELDS, vocabulary

KNOWN_TABLES = {"roles": None, "headers": {"units", "before_tax", "after_tax"}, "rows": {"totals"}}


def _files() -> dict[str, dict]:
    folder = resources.files("analysis.ingest") / "vocab"
    return {
        entry.name: tomllib.loads(entry.read_text("utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def test_every_language_file_is_read():
    assert set(vocabulary().languages) == {"fr", "en", "ru"}


def test_files_name_only_known_roles_fields_and_tables():
    for name, words in _files().items():
        assert set(words) <= set(KNOWN_TABLES), name
        for role, fields in words.get("roles", {}).items():
            assert role in ROLES, (name, role)
            assert set(fields) <= set(FIELDS), (name, role)
            assert all(isinstance(w, str) and w == w.casefold() for f in fields.values() for w in f)
        for table in ("headers", "rows"):
            assert set(words.get(table, {})) <= KNOWN_TABLES[table], (name, table)


def test_each_language_names_the_main_roles():
    headers = ["Code client", "Client", "Montant HT", "Date facture"]
    assert match_roles(headers) == {"client_id": 0, "client": 1, "sales": 2, "date": 3}
    english = ["Customer ID", "Customer", "Amount", "Invoice date"]
    assert match_roles(english) == {"client_id": 0, "client": 1, "sales": 2, "date": 3}
    russian = ["Код клиента", "Контрагент", "Сумма", "Дата"]
    assert match_roles(russian)["client"] == 1
