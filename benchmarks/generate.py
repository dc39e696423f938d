"""Synthetic transaction logs for the benchmarks: heavy-tailed, French-style, reproducible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SECTORS = np.array(["BTP", "Industrie", "Commerce", "Santé", "Transport", "Services"])


def transaction_log(rows: int, clients: int | None = None, seed: int = 7) -> pd.DataFrame:
    """`rows` sales of about rows/10 clients whose sizes follow a Pareto law."""
    rng = np.random.default_rng(seed)
    clients = clients or max(rows // 10, 10)
    weights = rng.pareto(1.2, clients) + 0.01
    # Every client buys at least once; the other rows follow the heavy tail.
    extra = rng.choice(clients, size=max(rows - clients, 0), p=weights / weights.sum())
    client = rng.permutation(np.concatenate([np.arange(min(clients, rows)), extra]))
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730, rows), unit="D")
    amount = np.round(rng.lognormal(5.5, 1.0, rows), 2)
    amount[rng.random(rows) < 0.01] *= -1
    return pd.DataFrame(
        {
            "Date facture": days,
            "N° facture": np.char.add("F", np.arange(rows).astype(str)),
            "Client": np.char.add("Client ", client.astype(str)),
            "Secteur": SECTORS[client % len(SECTORS)],
            "Montant HT": amount,
            "Marge": np.round(amount * rng.uniform(0.05, 0.3, rows), 2),
        }
    )


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """As a French export: `;`, decimal comma, dd/mm/yyyy."""
    out = frame.assign(
        **{
            "Date facture": frame["Date facture"].dt.strftime("%d/%m/%Y"),
            "Montant HT": frame["Montant HT"]
            .map("{:.2f}".format)
            .str.replace(".", ",", regex=False),
            "Marge": frame["Marge"].map("{:.2f}".format).str.replace(".", ",", regex=False),
        }
    )
    out.to_csv(path, sep=";", index=False)
    return path


def plain_log(rows: int, clients: int | None = None, seed: int = 7) -> pd.DataFrame:
    """The same log reduced to `client,date,amount`: what our own overhead is measured on."""
    frame = transaction_log(rows, clients, seed)
    return pd.DataFrame(
        {"client": frame["Client"], "date": frame["Date facture"], "amount": frame["Montant HT"]}
    )


def write_plain_csv(frame: pd.DataFrame, path: Path) -> Path:
    """As a program writes it: `,`, decimal point, ISO dates."""
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Ventes")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, list(frame.columns))
    columns = [frame[c].to_numpy() for c in frame.columns]
    dates = frame["Date facture"].dt.to_pydatetime()
    for r in range(len(frame)):
        sheet.write_datetime(r + 1, 0, dates[r], date_format)
        sheet.write_string(r + 1, 1, columns[1][r])
        sheet.write_string(r + 1, 2, columns[2][r])
        sheet.write_string(r + 1, 3, columns[3][r])
        sheet.write_number(r + 1, 4, columns[4][r])
        sheet.write_number(r + 1, 5, columns[5][r])
    book.close()
    return path


def main() -> None:
    """`python generate.py ROWS PATH [--plain]`: write a log as CSV or XLSX (by PATH's suffix);
    `--plain` writes the three-column `client,date,amount` CSV."""
    import sys

    rows, path = int(sys.argv[1]), Path(sys.argv[2])
    if "--plain" in sys.argv[3:]:
        write_plain_csv(plain_log(rows), path)
        return
    writer = write_xlsx if path.suffix == ".xlsx" else write_csv
    writer(transaction_log(rows), path)


if __name__ == "__main__":
    main()
