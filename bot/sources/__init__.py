"""Configured data sources: a file on the server, an http(s) URL, or a database, named by the
operator in a TOML file. One module per concern: `config` (the file and the `Source` type),
`fetching` (reading a file or URL), `database` and `client_totals_sql` (the per-client
aggregation pushed down to a database), `schedule` (when a scheduled source runs next),
`errors` (`SourceError`, `without_content`). The names callers use are re-exported here."""

from __future__ import annotations

from bot.sources.config import Source, load_sources
from bot.sources.database import aggregate
from bot.sources.errors import SourceError, without_content
from bot.sources.fetching import fetch
from bot.sources.schedule import MAX_RETRIES, RETRY_AFTER, next_run

__all__ = [
    "MAX_RETRIES",
    "RETRY_AFTER",
    "Source",
    "SourceError",
    "aggregate",
    "fetch",
    "load_sources",
    "next_run",
    "without_content",
]
