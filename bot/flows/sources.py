"""Running a configured source for a chat: now (`/source run`) or on its schedule (the sweep).
A scheduled run that fails tells the chat and is retried an hour later, three times at most
before the next scheduled run; the last good analysis stays in place throughout."""

from __future__ import annotations

import html
import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

from analysis.errors import InputError
from bot import work
from bot.chat_settings import ChatSettings
from bot.flows.analyses import job_for, publish
from bot.flows.reply import Reply
from bot.reminders import parse_hour
from bot.sending import shorten, units
from bot.sources import MAX_RETRIES, RETRY_AFTER, Source, SourceError, next_run, without_content
from reports.formatting import Formatter
from reports.messages import Messages

log = logging.getLogger(__name__)
DEFAULT_HOUR = time(9, 0)


def schedule_text(m: Messages, settings: ChatSettings, timezone: str) -> str:
    if not settings.source_every or settings.source_next_at is None:
        return m("source.schedule_off")
    every = settings.source_every.split("/")[0]
    count = int(every[:-1])
    key = "source.every_months" if every.endswith("m") else "source.every_days"
    label = m.plural(key, count, count=count)
    local = settings.source_next_at.astimezone(ZoneInfo(settings.timezone or timezone))
    return m(
        "source.schedule_on",
        every=label,
        date=Formatter(m.language).date(local.date()),
        hour=local.strftime("%H:%M"),
    )


def next_scheduled(settings: ChatSettings, after: datetime, timezone: str) -> datetime | None:
    """The next run of the chat's schedule (`1m/31`: monthly on the 31st, clamped; `7d`)."""
    if not settings.source_every:
        return None
    every, _, anchor = settings.source_every.partition("/")
    hour = parse_hour(settings.remind_at) or DEFAULT_HOUR
    zone = settings.timezone or timezone
    return next_run(every, after, hour, zone, int(anchor or after.astimezone(ZoneInfo(zone)).day))


def failure_reason(m: Messages, error: SourceError | InputError) -> str:
    """Why a source could not be read, in the chat's language; the details go to the log."""
    if isinstance(error, InputError):
        error = without_content(error, "source")
        if isinstance(error, InputError):
            return m.error(error)
    log.warning("source failed: %s", error)
    key = f"source_error.{error.code}"
    # Never the error's own text: it can hold a path or an address with credentials.
    return m(key, **error.params) if m.has(key) else m("source_error.unknown")


async def run_source(reply: Reply, settings: ChatSettings, source: Source) -> None:
    """Analyse the source, store it as a new analysis, send the report and the A changes.
    Raises SourceError or InputError when the source cannot be read. The callers keep a status
    message (`source.running`) and end it with ✅ or ❌ and the reason."""
    services = reply.services
    m = reply.messages(settings)
    chat_id = reply.chat_id
    job = job_for(reply, settings, m)
    outcome = await services.work(work.run_source, source, job)
    previous = await services.db(services.storage.analyses.latest, chat_id)
    before = (
        await services.db(services.storage.analyses.members, previous.id, "A") if previous else None
    )
    await publish(reply, m, job, outcome, source.title)
    if before is not None:
        clients = outcome.result.clients
        after = dict(
            zip(
                clients.loc[clients["category"] == "A", "client_key"],
                clients.loc[clients["category"] == "A", "client"],
                strict=True,
            )
        )
        await reply.html(changes_text(m, before, after))


async def run_source_now(reply: Reply, settings: ChatSettings, source: Source) -> None:
    """`/source run`: as the schedule would, but a failure is only told, never retried."""
    m = reply.messages(settings)
    status = await reply.status(m("source.running", name=source.title))
    try:
        await run_source(reply, settings, source)
    except (SourceError, InputError) as error:
        reason = failure_reason(m, error)
        await status.update(m("bot.status_failed", name=source.title, reason=reason))
        return
    except Exception:  # the status says it, instead of hanging above the apology
        log.exception("/source run failed unexpectedly for chat %s", reply.chat_id)
        reason = m("bot.apology")
        await status.update(m("bot.status_failed", name=source.title, reason=reason))
        return
    await status.update(m("source.done", name=source.title))


CHANGES_NAMES = 30  # names listed for those who entered (and left) A; the rest are counted
CHANGES_ROOM = 1700  # units of each of the two lists of names: the message stays one message


def changes_text(m: Messages, before: dict[str, str], after: dict[str, str]) -> str:
    entered = sorted(after[k] for k in set(after) - set(before))
    left = sorted(before[k] for k in set(before) - set(after))
    lines = [f"<b>{html.escape(m('source.changes_title'))}</b>"]
    if entered:
        lines.append(html.escape(m("source.entered", names=_names(m, entered))))
    if left:
        lines.append(html.escape(m("source.left", names=_names(m, left))))
    if not entered and not left:
        lines.append(html.escape(m("source.no_change")))
    return "\n".join(lines)


def _names(m: Messages, names: list[str]) -> str:
    """The first names, shortened, then how many more: one message whatever the count."""
    listed: list[str] = []
    for name in names[:CHANGES_NAMES]:
        if units(html.escape(", ".join([*listed, shorten(name)]))) > CHANGES_ROOM:
            break
        listed.append(shorten(name))
    hidden = len(names) - len(listed)
    if hidden <= 0:
        return ", ".join(listed)
    count = Formatter(m.language).number(hidden)
    return m.plural("source.names_more", hidden, names=", ".join(listed), count=count)


async def run_scheduled_source(reply: Reply, settings: ChatSettings) -> None:
    """The sweep's part: run a due source once (claimed by its slot), then plan the next run."""
    assert settings.source_next_at is not None
    services, now = reply.services, reply.now()
    source = services.sources_for(settings.chat_id).get(settings.source_name or "")
    storage = services.storage
    if source is None:
        await services.db(storage.chats.update, settings.chat_id, now, source_next_at=None)
        return
    claim = await services.db(
        storage.reminders.claim,
        settings.chat_id,
        (f"source:{source.name}:{settings.source_next_at.isoformat()}",),
        now,
    )
    if claim is None:
        return  # another instance runs this slot
    await services.db(claim.commit)
    timezone = services.config.default_timezone
    m = reply.messages(settings)
    status = await reply.status(m("source.running", name=source.title))
    try:
        await run_source(reply, settings, source)
    except Exception as error:
        # Any failure plans the next try (the slot is claimed: without a new date the schedule
        # would stop for good); an unexpected one is raised again for the sweep's log.
        expected = isinstance(error, SourceError | InputError)
        reason = (
            failure_reason(m, error)
            if isinstance(error, SourceError | InputError)
            else m("bot.apology")
        )
        failures = settings.source_failures + 1
        if failures <= MAX_RETRIES:
            await services.db(
                storage.chats.update,
                settings.chat_id,
                now,
                source_failures=failures,
                source_next_at=now + RETRY_AFTER,
            )
            await status.update(m("source.failed", name=source.title, reason=reason))
        else:
            following = next_scheduled(settings, now, timezone)
            await services.db(
                storage.chats.update,
                settings.chat_id,
                now,
                source_failures=0,
                source_next_at=following,
            )
            local = (
                following.astimezone(ZoneInfo(settings.timezone or timezone)) if following else now
            )
            date_text = Formatter(m.language).date(local.date())
            await status.update(
                m("source.failed_final", name=source.title, reason=reason, date=date_text)
            )
        if not expected:
            raise
        return
    await status.update(m("source.done", name=source.title))
    await services.db(
        storage.chats.update,
        settings.chat_id,
        now,
        source_failures=0,
        source_next_at=next_scheduled(settings, now, timezone),
    )
