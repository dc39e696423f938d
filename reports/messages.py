"""Message catalogues: one TOML file per language in `locales/`; a new language is a new file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from analysis.errors import InputError

DEFAULT_LANGUAGE = "fr"


def available_languages() -> tuple[str, ...]:
    folder = resources.files("reports") / "locales"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(language: str) -> dict[str, str]:
    """All strings of one language, keyed `section.name`."""
    text = (resources.files("reports") / "locales" / f"{language}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(text))


def normalise_language(language: str | None) -> str:
    """`fr-FR`, `fr_CA.UTF-8` -> fr; anything unknown -> the default language."""
    code = (language or "").split("_")[0].split("-")[0].split(".")[0].lower()
    return code if code in available_languages() else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Messages:
    """Strings of one language, filled in with str.format."""

    language: str

    def __call__(self, key: str, **values: Any) -> str:
        template = catalogue(self.language).get(key) or catalogue("en")[key]
        return template.format(**values)

    def plural(self, key: str, number: float, /, **values: Any) -> str:
        """A sentence whose words agree with `count`: the catalogue holds one entry per CLDR
        plural category (`one`, `other`, ...), chosen by Babel's rules for `number`."""
        from babel import Locale  # Babel's import costs the `--json` path for nothing.

        form = Locale.parse(self.language).plural_form(abs(number))
        strings = catalogue(self.language)
        template = strings.get(f"{key}.{form}") or strings[f"{key}.other"]
        return template.format(**values)

    def has(self, key: str) -> bool:
        return key in catalogue(self.language)

    def join_names(self, names: list[Any], limit: int = 15) -> str:
        quote = catalogue(self.language).get("language.quote", '"{name}"')
        shown = ", ".join(quote.format(name=n) for n in names[:limit])
        if len(names) > limit:
            hidden = len(names) - limit
            shown += " " + self.plural("error_part.more_columns", hidden, count=hidden)
        return shown

    def error(self, error: InputError) -> str:
        """One sentence saying what is wrong with the input and how to fix it."""
        params = dict(error.params)
        for key in ("found", "sheets"):
            if key in params:
                params[key] = self.join_names(list(params[key]))
        if "examples" in params:
            params["examples"] = "; ".join(
                self("error_part.example", row=row, column=column, value=value)
                for row, column, value in params["examples"]
            )
        from reports.formatting import Formatter

        formatter = Formatter(self.language)
        for key in ("cells", "max_cells", "max_columns", "columns"):
            if key in params:
                params[key] = formatter.number(params[key])
        for key in ("size_mb", "limit_mb", "unpacked_mb"):
            if key in params:
                size = float(params[key])
                decimals = 0 if size >= 10 else 1 if size >= 1 else 4
                params[key] = formatter.number(size, decimals)
        if self.has(f"format_kind.{params.get('kind')}"):  # a word, not a format's own name
            params["kind"] = self(f"format_kind.{params['kind']}")
        if "criterion" in params:
            params["criterion"] = self(f"criterion.{params['criterion']}")
        if "role" in params:
            params["role"] = self(f"role.{params['role']}")
        key = f"error.{error.code}"
        if self.has(f"{key}.other"):
            count = int(params["count"])
            for name in ("count", "rows"):
                if name in params:
                    params[name] = formatter.number(params[name])
            return self.plural(key, count, **params)
        if not self.has(key):
            key = "error.unknown"
        return self(key, **params)
