"""The `clientbase` command line: `analyze` a file, run the `demo`, start the `bot`."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import stat
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.abc import analyze
from analysis.errors import InputError
from analysis.period import parse_period
from analysis.pipeline import load
from analysis.result import AnalysisResult
from analysis.settings import AnalysisSettings, Criterion, ReadOptions, Thresholds
from reports.messages import Messages, normalise_language

if TYPE_CHECKING:
    from bot.pool import WorkerLimits

ROLE_FLAGS = {
    "client_col": "client",
    "client_id_col": "client_id",
    "value_col": "sales",
    "profit_col": "profit",
    "date_col": "date",
    "segment_col": "segment",
}
DEMO_FOLDER = "clientbase-demo"
FORK = multiprocessing.get_context("fork")


def default_language(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """French when the locale is French, else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(name, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clientbase", description="ABC(D) analysis of a client base."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    analyze_cmd = commands.add_parser(
        "analyze", help="analyse a CSV, TXT, XLSX, XLSM, XLS or ODS file"
    )
    analyze_cmd.add_argument("file", type=Path)
    _add_analysis_options(analyze_cmd)
    analyze_cmd.add_argument("--sheet", help="the sheet to read in a workbook")
    for flag, role in ROLE_FLAGS.items():
        analyze_cmd.add_argument(
            "--" + flag.replace("_", "-"), dest=flag, metavar="NAME", help=f"the {role} column"
        )
    analyze_cmd.add_argument("--json", action="store_true", help="print one JSON document")
    analyze_cmd.add_argument("--out", type=Path, help="write summary, charts, Excel and PDF here")
    demo = commands.add_parser("demo", help="analyse the bundled sample and write its reports")
    _add_analysis_options(demo)
    demo.add_argument("--out", type=Path, default=Path(DEMO_FOLDER))
    commands.add_parser("bot", help="start the Telegram bot (long polling or webhook)")
    return parser


def _add_analysis_options(parser: argparse.ArgumentParser) -> None:
    # The defaults are the analysis's own: written once, in analysis.settings.
    defaults = AnalysisSettings()
    parser.add_argument(
        "--criterion",
        choices=[criterion.value for criterion in Criterion],
        default=defaults.criterion.value,
    )
    a, b = defaults.thresholds.a, defaults.thresholds.b
    parser.add_argument("--a", type=float, default=a, help=f"A share in percent ({a:g})")
    parser.add_argument("--b", type=float, default=b, help=f"B share in percent ({b:g})")
    parser.add_argument(
        "--period",
        default=defaults.period.label(),
        help="all, 12m, 2025 or FROM..TO (ISO dates)",
    )
    parser.add_argument("--lang", choices=("fr", "en"), default=None)
    parser.add_argument("--currency", default=None, help="currency when the file shows none (EUR)")


def _settings(args: argparse.Namespace) -> AnalysisSettings:
    return AnalysisSettings(
        criterion=args.criterion,
        thresholds=Thresholds(args.a, args.b),
        period=parse_period(args.period),
    )


def _write_reports(result: AnalysisResult, out: Path, language: str, currency: str | None) -> Path:
    from reports.bundle import write_reports

    return write_reports(result, out, language, date.today(), currency)


def read_input(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, reading at most `max_bytes` + 1 of them: a device (/dev/zero), a pipe or
    a sparse file is refused at the limit, never read whole first."""
    try:
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            if stat.S_ISREG(status.st_mode) and status.st_size > max_bytes:
                raise InputError(
                    "file_too_large", size_mb=status.st_size / 1e6, limit_mb=max_bytes / 1e6
                )
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise InputError("cannot_open", path=str(path), reason=error.strerror or "") from None
    if len(data) > max_bytes:
        raise InputError("input_too_large", limit_mb=max_bytes / 1e6)
    return data


@dataclass(frozen=True)
class AnalyzeJob:
    """What `analyze` does, as one picklable job for the limited worker."""

    path: Path
    options: ReadOptions
    settings: AnalysisSettings
    language: str
    as_json: bool
    out: Path | None
    currency: str | None


def run_analyze(job: AnalyzeJob) -> tuple[bytes, str]:
    """Run in the worker: read, analyse, render; what to print on stdout and on stderr."""
    import pyarrow

    # Arrow's own allocator reserves address space in large arenas, which the worker's limit
    # counts as used: the system allocator reserves only what it allocates.
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    data = read_input(job.path, job.options.limits.max_bytes)
    result = analyze(load(data, job.path.name, job.options), job.settings)
    if job.as_json:
        from reports.jsondoc import to_json

        out = to_json(result).encode("utf-8") + b"\n"
    else:
        from reports.text import as_plain, summary_sections

        text = as_plain(summary_sections(result, job.language, date.today(), job.currency))
        out = text.encode("utf-8")
    notes = ""
    if job.out:
        folder = _write_reports(result, job.out, job.language, job.currency)
        notes = Messages(job.language)("cli.written", path=folder) + "\n"
    return out, notes


def _may_fork(limits: WorkerLimits) -> bool:
    """Whether the worker may be forked from this process: it has done its imports, so a forked
    worker starts in milliseconds where a fork server's imports pandas again. Not from a process
    with threads (a test runner, say: its child could deadlock), nor from a large one (its child
    inherits the address space, which the memory limit counts)."""
    if threading.active_count() != 1:
        return False
    try:
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return False
    return size < limits.memory_mb * 2**20 // 4


def _analyze(args: argparse.Namespace, language: str) -> int:
    roles = {role: getattr(args, flag) for flag, role in ROLE_FLAGS.items() if getattr(args, flag)}
    job = AnalyzeJob(
        args.file,
        ReadOptions(sheet=args.sheet, roles=roles),
        _settings(args),
        language,
        args.json,
        args.out,
        args.currency,
    )
    from bot.config import ConfigError, worker_limits
    from bot.pool import FORKSERVER, run_limited_in

    # Read and analysed in a worker under the bot's limits (the same variables, read by the same
    # function): a reader that aborts or outgrows them costs the worker, and the user gets the
    # bot's sentence (JobTooLarge is an InputError).
    try:
        limits = worker_limits()
    except ConfigError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    context = FORK if _may_fork(limits) else FORKSERVER
    out, notes = run_limited_in(context, limits, run_analyze, job)
    if args.json:
        sys.stdout.flush()
        sys.stdout.buffer.write(out)
    else:
        sys.stdout.write(out.decode("utf-8"))
    sys.stderr.write(notes)
    return 0


def _demo(args: argparse.Namespace, language: str) -> int:
    from analysis.sample import SAMPLE_NAME, sample_bytes
    from reports.text import as_plain, summary_sections

    args.out.mkdir(parents=True, exist_ok=True)
    sample = args.out / SAMPLE_NAME
    sample.write_bytes(sample_bytes(date.today()))
    messages = Messages(language)
    sys.stdout.write(messages("cli.demo_intro", path=sample) + "\n\n")
    result = analyze(load(sample.read_bytes(), sample.name), _settings(args))
    sys.stdout.write(as_plain(summary_sections(result, language, date.today(), args.currency)))
    folder = _write_reports(result, args.out, language, args.currency)
    sys.stdout.write("\n" + messages("cli.written", path=folder) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    language = normalise_language(getattr(args, "lang", None) or default_language())
    if args.command == "bot":
        from bot.app import main as run_bot

        return run_bot()
    try:
        if args.command == "demo":
            return _demo(args, language)
        return _analyze(args, language)
    except InputError as error:
        sys.stderr.write(Messages(language).error(error) + "\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
