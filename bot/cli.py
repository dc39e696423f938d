"""The `clientbase` command line: `analyze` a file, run the `demo`, start the `bot`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from analysis.abc import analyze
from analysis.errors import InputError
from analysis.period import parse_period
from analysis.pipeline import load
from analysis.result import AnalysisResult
from analysis.settings import AnalysisSettings, Criterion, ReadOptions, Thresholds
from reports.messages import Messages, normalise_language

ROLE_FLAGS = {
    "client_col": "client",
    "client_id_col": "client_id",
    "value_col": "sales",
    "profit_col": "profit",
    "date_col": "date",
    "segment_col": "segment",
}
DEMO_FOLDER = "clientbase-demo"


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


def _analyze(args: argparse.Namespace, language: str) -> int:
    roles = {role: getattr(args, flag) for flag, role in ROLE_FLAGS.items() if getattr(args, flag)}
    options = ReadOptions(sheet=args.sheet, roles=roles)
    settings = _settings(args)
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise InputError("cannot_open", path=str(args.file), reason=error.strerror or "") from None
    result = analyze(load(data, args.file.name, options), settings)
    if args.json:
        from reports.jsondoc import to_json

        sys.stdout.flush()
        sys.stdout.buffer.write(to_json(result).encode("utf-8") + b"\n")
    else:
        from reports.text import as_plain, summary_sections

        sys.stdout.write(as_plain(summary_sections(result, language, date.today(), args.currency)))
    if args.out:
        folder = _write_reports(result, args.out, language, args.currency)
        sys.stderr.write(Messages(language)("cli.written", path=folder) + "\n")
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
