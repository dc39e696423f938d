"""The bundled sample: a seeded, realistic French sales log of a few hundred clients.

Run `python -m analysis.sample` to write `analysis/data/sample_ventes.csv` again. Dates are placed
relative to an anchor day (today for the demo), so the demo always has contracts ending soon.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240601
ANCHOR = date(2026, 11, 1)
SAMPLE_NAME = "sample_ventes.csv"
_SECTORS = ("BTP", "Industrie", "Commerce de détail", "Santé", "Transport", "Services")
_MANAGERS = ("Claire Martin", "Hugo Bernard", "Inès Petit", "Lucas Moreau")
_FORMS = ("SARL", "SAS", "SA", "EURL")
_STEMS = (
    "Boulangerie",
    "Garage",
    "Pharmacie",
    "Transports",
    "Menuiserie",
    "Atelier",
    "Cabinet",
    "Clinique",
    "Hôtel",
    "Brasserie",
    "Imprimerie",
    "Électricité",
    "Plomberie",
    "Distribution",
    "Logistique",
    "Métallerie",
    "Fromagerie",
    "Librairie",
    "Bâtiment",
    "Élevage",
)
_PLACES = (
    "Dupont",
    "Lefèvre",
    "du Rhône",
    "de Provence",
    "Mercier",
    "Rousseau",
    "des Alpes",
    "Girard",
    "Bonnet",
    "de l'Étang",
    "Fournier",
    "Lambert",
    "du Vieux Port",
    "Chevalier",
    "Garnier",
    "Faure",
    "André",
    "Bretonne",
    "Gauthier",
    "Perrin",
)


def _names(rng: np.random.Generator, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        stem, place, form = rng.choice(_STEMS), rng.choice(_PLACES), rng.choice(_FORMS)
        names.add(f"{stem} {place} {form}")
    return sorted(names)


def generate(anchor: date = ANCHOR, clients: int = 320, seed: int = SEED) -> pd.DataFrame:
    """A two-year log ending the day before `anchor`: heavy-tailed clients, one-off buyers,
    credit notes, a loss-making client, a client typed three ways, sectors and contract ends."""
    rng = np.random.default_rng(seed)
    names = _names(rng, clients)
    size = rng.pareto(1.16, clients) + 0.05
    frequency = np.where(rng.random(clients) < 0.45, 1, rng.integers(2, 40, clients))
    start = anchor - timedelta(days=730)
    rows = []
    invoice = 1000
    for index, name in enumerate(names):
        for _ in range(int(frequency[index])):
            day = start + timedelta(days=int(rng.integers(0, 730)))
            amount = round(float(size[index] * rng.lognormal(7.0, 0.6)), 2)
            margin = round(amount * float(rng.uniform(0.08, 0.35)), 2)
            invoice += 1
            rows.append((day, f"F{invoice}", name, amount, margin))
    frame = pd.DataFrame(rows, columns=["day", "invoice", "client", "amount", "margin"])
    # A loss-making client (sold below cost) and a client with a refund only.
    loser = names[int(np.argsort(frequency)[-2])]
    frame.loc[frame["client"] == loser, "margin"] = (
        -frame.loc[frame["client"] == loser, "amount"] * 0.12
    )
    refunds = frame.sample(n=max(3, len(frame) // 60), random_state=seed).copy()
    refunds["amount"] = -(refunds["amount"] * 0.3).round(2)
    refunds["margin"] = -(refunds["margin"] * 0.3).round(2)
    refunds["invoice"] = ["AV" + i[1:] for i in refunds["invoice"]]
    refund_only = pd.DataFrame(
        [(start + timedelta(days=400), "AV9001", "Quincaillerie Morel SARL", -480.0, -96.0)],
        columns=frame.columns,
    )
    frame = pd.concat([frame, refunds, refund_only]).sort_values(["day", "invoice"], kind="stable")
    # The same client typed three ways, as people do.
    regular = names[int(np.argmax(frequency))]
    typed = frame["client"] == regular
    variants = np.array([regular, regular.upper(), "  " + regular.lower().replace(" ", "  ")])
    frame.loc[typed, "client"] = variants[rng.integers(0, 3, int(typed.sum()))]
    sector = dict(zip(names, rng.choice(_SECTORS, clients), strict=True))
    manager = dict(zip(names, rng.choice(_MANAGERS, clients), strict=True))
    ends = {
        n: anchor + timedelta(days=int(d))
        for n, d in zip(names, rng.integers(-60, 540, clients), strict=True)
    }
    canonical = frame["client"].str.strip().str.replace(r"\s+", " ", regex=True).str.lower()
    lookup = {n.lower(): n for n in names}
    base = canonical.map(lookup)
    frame["sector"] = base.map(sector).fillna("Commerce de détail")
    frame["manager"] = base.map(manager).fillna(_MANAGERS[0])
    frame["contract_end"] = base.map(ends)
    return frame.reset_index(drop=True)


def _french_number(value: float) -> str:
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return text.replace(" ", "\u00a0")


def to_french_csv(frame: pd.DataFrame, title: str = "Export des ventes — Exemple SA") -> bytes:
    """The log as a French ERP exports it: a title row, `;`, decimal commas, cp1252."""
    out = pd.DataFrame(
        {
            "Date facture": frame["day"].map(lambda d: d.strftime("%d/%m/%Y")),
            "N° facture": frame["invoice"],
            "Client": frame["client"],
            "Secteur": frame["sector"],
            "Commercial": frame["manager"],
            "Montant HT (€)": frame["amount"].map(_french_number),
            "Marge (€)": frame["margin"].map(_french_number),
            "Fin de contrat": frame["contract_end"].map(
                lambda d: d.strftime("%d/%m/%Y") if pd.notna(d) else ""
            ),
        }
    )
    total = frame["amount"].sum()
    body = out.to_csv(sep=";", index=False, lineterminator="\r\n")
    body += f"Total général;;;;;{_french_number(total)};;\r\n"
    return (f"{title}\r\n\r\n" + body).encode("cp1252")


def sample_bytes(anchor: date = ANCHOR) -> bytes:
    return to_french_csv(generate(anchor))


def bundled_sample() -> bytes:
    """The shipped copy, generated for `ANCHOR`."""
    return (resources.files("analysis") / "data" / SAMPLE_NAME).read_bytes()


def main() -> None:
    target = Path(__file__).parent / "data" / SAMPLE_NAME
    target.write_bytes(sample_bytes())
    sys.stdout.write(f"{target}\n")


if __name__ == "__main__":
    main()
