"""Reading a source: a file on the server or a URL goes through the same loading as an upload;
a database is aggregated per client where it lives (`bot.sources.database`)."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlparse

from analysis.cleaning import Transactions
from analysis.period import PeriodSpec
from analysis.pipeline import load
from analysis.settings import Limits, ReadOptions
from bot.sources.config import Source
from bot.sources.database import aggregate
from bot.sources.errors import SourceError, file_error


def fetch(source: Source, period: PeriodSpec, limits: Limits | None = None) -> Transactions:
    """Read a source into transactions (a database's already aggregated per client)."""
    options = ReadOptions(
        sheet=source.sheet,
        roles=dict(source.columns) if source.kind != "database" else {},
        limits=limits or Limits(),
    )
    if source.kind == "file":
        assert source.path is not None
        try:
            data = source.path.read_bytes()
        except OSError as error:
            raise file_error(source.path, error) from None
        return load(data, source.path.name, options)
    if source.kind == "url":
        assert source.url is not None
        return load(
            _download(source.url),
            PurePosixPath(urlparse(source.url).path).name or "source.csv",
            options,
        )
    return aggregate(source, period)


def _download(url: str) -> bytes:
    import httpx

    try:
        response = httpx.get(url, timeout=60.0, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise SourceError(f"{url}: {error}", "url_status", status=status) from None
    except httpx.TimeoutException as error:
        raise SourceError(f"{url}: {error!r}", "url_timeout") from None
    except httpx.HTTPError as error:
        raise SourceError(f"{url}: {error!r}", "url_unreachable") from None
    return response.content
