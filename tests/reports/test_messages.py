"""The message catalogues and the per-language formatting of numbers, money and dates."""

from __future__ import annotations

import datetime as dt
import string

from analysis.errors import InputError
from reports.formatting import Formatter
from reports.messages import Messages, available_languages, catalogue, normalise_language


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_exists_in_every_catalogue_with_the_same_placeholders():
    languages = available_languages()
    assert {"fr", "en"} <= set(languages)
    reference = catalogue("en")
    for language in languages:
        strings = catalogue(language)
        assert set(strings) == set(reference), language
        for key, template in reference.items():
            assert placeholders(strings[key]) == placeholders(template), (language, key)


def test_plural_entries_have_an_other_form_and_agree():
    for language in available_languages():
        keys = {k.rsplit(".", 1)[0] for k in catalogue(language) if k.endswith((".one", ".other"))}
        assert all(f"{k}.other" in catalogue(language) for k in keys)
    fr, en = Messages("fr"), Messages("en")
    assert fr.plural("count.clients", 1, count="1") == "1 client"
    assert fr.plural("count.clients", 0, count="0") == "0 client"
    assert fr.plural("count.clients", 2, count="2") == "2 clients"
    assert en.plural("count.clients", 0, count="0") == "0 clients"


def test_counted_sentences_agree_with_one():
    """ "1 ligne sur 3 a", "et 1 autre", "chaque mois": never "1 lignes" or "tous les 1 mois"."""
    fr, en = Messages("fr"), Messages("en")
    bad = InputError("unreadable_values", count=1, rows=1200, examples=[(6, "Date", "31 févr.")])
    assert fr.error(bad).startswith("1 ligne sur 1\u202f200 a une valeur illisible")
    assert en.error(bad).startswith("1 of 1,200 rows has an unreadable value")
    many = InputError("unreadable_values", count=25, rows=1200, examples=[(6, "Date", "x")])
    assert fr.error(many).startswith("25 lignes sur 1\u202f200 ont une valeur illisible")
    assert fr.join_names([f"c{i}" for i in range(16)], limit=15).endswith("et 1 autre")
    assert fr.join_names([f"c{i}" for i in range(17)], limit=15).endswith("et 2 autres")
    assert fr.plural("source.every_months", 1, count=1) == "chaque mois"
    assert fr.plural("source.every_months", 3, count=3) == "tous les 3 mois"
    assert en.plural("remind.days", 1, count=1) == "1 day"


def test_language_codes():
    assert normalise_language("fr-FR") == "fr"
    assert normalise_language("en_GB.UTF-8") == "en"
    assert normalise_language("de") == "fr"
    assert normalise_language(None) == "fr"


def test_numbers_money_and_dates_per_language():
    fr, en = Formatter("fr"), Formatter("en", "EUR")
    assert fr.money(1234.56, decimals=2) == "1\u202f234,56\u00a0€"
    assert en.money(1234.56, decimals=2) == "€1,234.56"
    assert fr.money(1234567.8) == "1\u202f234\u202f568\u00a0€"
    assert Formatter("en", "USD").money(-12.5) == "-US$12.50"  # British English
    assert fr.percent(0.1234) == "12,3\u00a0%"
    assert en.percent(0.1234) == "12.3%"
    assert fr.percent(-0.00001) == "0,0\u00a0%"
    assert fr.date(dt.date(2026, 3, 5)) == "5 mars 2026"
    assert en.date(dt.date(2026, 3, 5)) == "5 Mar 2026"
