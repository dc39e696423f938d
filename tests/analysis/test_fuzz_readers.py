"""The readers fuzzed: small valid files of every format, mutated with a fixed seed, each read in a
worker under small limits. Each case must end with a table or one InputError, in bounded time:
never another exception, an abort, or a hang."""

from __future__ import annotations

import asyncio
import io
import random
import time
import zipfile

from bot.pool import JobTooLarge, WorkerLimits, WorkerPool

from ..conftest import FileMaker
from . import hostile_files as hostile

SEED = 20261128
CASES = 300
CASE_LIMITS = WorkerLimits(memory_mb=2048, job_timeout_s=5)
TOTAL_S = 60


def _seeds() -> list[tuple[bytes, str]]:
    files = FileMaker()
    rows = [
        ["Client", "Date facture", "Montant HT", "Marge"],
        *(
            [f"Client {i}", f"{1 + i % 28:02d}/0{1 + i % 9}/2025", 100.5 * i, 10 * i]
            for i in range(1, 30)
        ),
    ]
    return [
        (files.xlsx({"Ventes": rows}), "ventes.xlsx"),
        (files.xls({"Ventes": rows}), "ventes.xls"),
        (files.ods({"Ventes": rows}), "ventes.ods"),
        (files.csv(rows), "ventes.csv"),
    ]


def _flip(data: bytes, rng: random.Random) -> bytes:
    """A few bytes replaced at random: what a damaged download or disk does."""
    mutated = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(mutated))
        mutated[position] = rng.choice((0, 0xFF, rng.randrange(256), mutated[position] ^ 0x80))
    return bytes(mutated)


def _rezipped(data: bytes, rng: random.Random) -> bytes:
    """One part of a workbook's ZIP mutated and the archive written again with true checksums,
    so that the damage reaches the XML parsers behind the ZIP checks."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = [(info, source.read(info)) for info in source.infolist()]
    target = rng.choice([i for i, (info, _) in enumerate(parts) if info.filename.endswith(".xml")])
    info, content = parts[target]
    text = bytearray(content)
    for _ in range(rng.randint(1, 6)):
        position = rng.randrange(len(text))
        if rng.random() < 0.5 and text[position : position + 1].isdigit():
            # Numbers are where sizes, references and indexes live: make one large.
            text[position : position + 1] = str(rng.choice((9, 99999, 4294967295, 10**12))).encode()
        else:
            text[position] = rng.randrange(256)
    parts[target] = (info, bytes(text))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, body in parts:
            archive.writestr(part.filename, body)
    return out.getvalue()


def cases() -> list[tuple[bytes, str]]:
    rng = random.Random(SEED)
    seeds = _seeds()
    made = []
    for index in range(CASES):
        data, name = seeds[index % len(seeds)]
        zipped = name.endswith((".xlsx", ".ods"))
        mutated = _rezipped(data, rng) if zipped and rng.random() < 0.6 else _flip(data, rng)
        made.append((mutated, name))
    return made


def test_mutated_files_end_in_a_table_or_one_sentence():
    made = cases()
    failures: list[str] = []
    outcomes: list[str] = []

    async def run_all() -> None:
        pool = WorkerPool(2, CASE_LIMITS)
        try:
            await pool.warm_up(_ready)

            async def one(index: int, data: bytes, name: str) -> None:
                try:
                    outcomes.append(await pool.run(hostile.read_case, data, name))
                except JobTooLarge as error:
                    failures.append(f"seed {SEED} case {index} ({name}): {error.reason} limit")
                except Exception as error:  # the failure this test exists to find
                    failures.append(f"seed {SEED} case {index} ({name}): {error!r}"[:300])

            await asyncio.gather(*(one(i, data, name) for i, (data, name) in enumerate(made)))
        finally:
            pool.shutdown()

    started = time.monotonic()
    asyncio.run(run_all())
    elapsed = time.monotonic() - started
    assert not failures, "\n".join(failures)
    assert elapsed < TOTAL_S
    assert len(outcomes) == CASES
    # The mutations reach the readers: some files are still read, most are refused.
    assert any(o == "read" for o in outcomes) and any(o.startswith("refused:") for o in outcomes)


def _ready() -> None:
    import analysis.pipeline  # noqa: F401
