"""Roles from header names, and one identity per client however its name was typed."""

from __future__ import annotations

import pytest

from analysis.ingest.columns import match_roles, normalise_header
from analysis.pipeline import load, run
from analysis.settings import AnalysisSettings, ReadOptions


def roles(headers: list[str]) -> dict[str, str]:
    return {role: headers[index] for role, index in match_roles(headers).items()}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Client", "Montant HT (€)", "Date facture"],
            {"client": "Client", "sales": "Montant HT (€)", "date": "Date facture"},
        ),
        (["Raison sociale", "CA, k€"], {"client": "Raison sociale", "sales": "CA, k€"}),
        (
            ["Contrepartie", "Chiffre d'affaires"],
            {"client": "Contrepartie", "sales": "Chiffre d'affaires"},
        ),
        (["Acheteur", "Ventes"], {"client": "Acheteur", "sales": "Ventes"}),
        (
            ["Customer", "Revenue", "Order date", "Net profit"],
            {
                "client": "Customer",
                "sales": "Revenue",
                "date": "Order date",
                "profit": "Net profit",
            },
        ),
        (
            ["Клиент", "Выручка", "Дата", "Прибыль"],
            {"client": "Клиент", "sales": "Выручка", "date": "Дата", "profit": "Прибыль"},
        ),
        (["Покупатель", "Сумма"], {"client": "Покупатель", "sales": "Сумма"}),
        (["CLIENT", "MONTANT"], {"client": "CLIENT", "sales": "MONTANT"}),
    ],
)
def test_roles_from_names_in_three_languages(headers, expected):
    found = roles(headers)
    assert {k: v for k, v in found.items() if k in expected} == expected


def test_near_misses():
    found = roles(
        [
            "Code client",
            "Nom du client",
            "Montant HT",
            "Montant TTC",
            "Taux de marge %",
            "Marge",
            "Date d'échéance",
            "Date facture",
            "Échéance du contrat",
            "SIREN",
        ]
    )
    assert found["client_id"] == "Code client"
    assert found["client"] == "Nom du client"
    assert found["sales"] == "Montant HT"
    assert found["profit"] == "Marge"
    assert found["date"] == "Date facture"
    assert found["contract_end"] == "Échéance du contrat"
    assert "Date d'échéance" not in found.values()
    assert "Taux de marge %" not in found.values()


def test_ttc_is_used_when_it_is_the_only_amount():
    assert roles(["Client", "Montant TTC"])["sales"] == "Montant TTC"


def test_headers_ignore_units_case_and_accents():
    assert normalise_header("Montant HT (€)") == ("montant", "ht")
    assert normalise_header("CA, k€") == ("ca",)
    assert normalise_header("  BÉNÉFICE   NET ") == ("benefice", "net")


def test_explicit_roles_win_and_are_reported(files):
    rows = [["Nom", "Total A", "Total B"], ["x", "1", "100"], ["y", "2", "1"]]
    result = run(
        files.csv(rows),
        "f.csv",
        AnalysisSettings(),
        ReadOptions(roles={"client": "Nom", "sales": "total b"}),
    )
    assert result.columns["sales"] == "Total B"
    assert result.clients["client"].tolist() == ["x", "y"]


def test_the_same_client_typed_three_ways_is_one_client(files):
    rows = [
        ["Client", "Montant"],
        ["Société Dupont", "10"],
        ["SOCIETE  DUPONT", "20"],
        ["\u00a0société dupont ", "5"],
        ["Société Dupont", "1"],
        ["Autre", "3"],
    ]
    result = run(files.csv(rows), "f.csv", AnalysisSettings())
    by_client = result.clients.set_index("client")["value"]
    assert by_client.to_dict() == {"Société Dupont": 36.0, "Autre": 3.0}
    assert result.spellings == 4
    assert result.merged_spellings


def test_tie_between_spellings_shows_the_first_seen(files):
    rows = [["Client", "Montant"], ["ACME", "1"], ["Acme", "1"]]
    assert run(files.csv(rows), "f.csv", AnalysisSettings()).clients["client"].tolist() == ["ACME"]


def test_client_id_wins_over_names(files):
    rows = [
        ["Code client", "Client", "Montant"],
        ["C1", "Dupont", "10"],
        ["C1", "Dupont SA", "5"],
        ["C1", "Dupont SA", "5"],
        ["C2", "Dupont", "3"],
    ]
    result = run(files.csv(rows), "f.csv", AnalysisSettings())
    assert sorted(result.clients["client"]) == ["Dupont", "Dupont SA"]
    assert result.clients.set_index("client")["value"].to_dict() == {
        "Dupont SA": 20.0,
        "Dupont": 3.0,
    }


def test_two_client_ids_may_share_a_name(files):
    rows = [
        ["Code client", "Client", "Montant"],
        ["C1", "Zed", "10"],
        ["C2", "Zed", "20"],
        ["C2", "Zed & Co", "1"],
        ["C3", "Abc", "5"],
        ["C1", "Zed SA", "1"],
    ]
    clients = run(files.csv(rows), "f.csv", AnalysisSettings()).clients
    assert clients[["client", "value"]].values.tolist() == [
        ["Zed", 21.0],
        ["Zed", 11.0],
        ["Abc", 5.0],
    ]


def test_numeric_client_ids_from_a_workbook_do_not_grow_decimals(files):
    rows = [["Code client", "Montant"], [1001, 10.0], [1002, 5.0]]
    tx = load(files.xlsx({"S": rows}), "ids.xlsx")
    assert tx.frame["client"].tolist() == ["1001", "1002"]


def test_extra_columns_are_carried_per_client(files):
    rows = [
        ["Client", "Montant", "Taille", "Commercial", "Fin de contrat"],
        ["A", "10", "PME", "Inès", "31/12/2026"],
        ["A", "5", "PME", "Inès", ""],
        ["B", "3", "ETI", "Hugo", ""],
    ]
    clients = run(files.csv(rows), "f.csv", AnalysisSettings()).clients.set_index("client")
    assert clients.loc["A", "Taille"] == "PME"
    assert clients.loc["B", "manager"] == "Hugo"
    assert str(clients.loc["A", "contract_end"].date()) == "2026-12-31"


def test_blank_cells_in_a_mixed_workbook_column_are_not_clients_named_nan(files):
    rows = [["Client", "Montant"], [1001, 10.0], ["Dupont", 5.0], [None, None], ["Martin", 2.0]]
    tx = load(files.xlsx({"S": rows}), "mixed.xlsx")
    assert sorted(tx.frame["client"].astype(str)) == ["1001", "Dupont", "Martin"]


FOLD_CASES = [
    "Acme",
    "ACME  SARL",
    "acme\tsarl",
    "Acme:",
    " total : ",
    "Société Générale",
    "Ｆｕｌｌ width",
    "Éric\u00a0Dupont",
    "ООО «Ромашка»",
    "a\x0bb",
    "",
]


def _reference_fold(text: str) -> str:
    """The rule `fold_names` implements, one name at a time."""
    import re
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[\t\n\x0b\f\r\x85 \u00a0\u202f\u2009]+", " ", kept).strip(" :")


@pytest.mark.parametrize("names", [FOLD_CASES, [n for n in FOLD_CASES if n.isascii()]])
def test_folded_names_follow_the_rule_on_both_paths(names):
    import pyarrow as pa

    from analysis.ingest.identity import fold_names

    folded = fold_names(pa.array(names, type=pa.string())).to_pylist()
    assert folded == [_reference_fold(n) for n in names]
