"""The one place that builds and runs the Telegram application: handlers, jobs, start-up."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks, jobs, work
from bot.config import Config, ConfigError
from bot.context import BotContext
from bot.handlers import admin, browse, errors, reminders, settings, sources, start, upload
from bot.pool import WorkerPool
from bot.request import RetryingRequest
from bot.services import Services
from bot.sources import Source, SourceError, load_sources
from bot.storage import Storage
from reports.messages import Messages, available_languages

log = logging.getLogger(__name__)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Waiting for Telegram at start: 1 s, then half as long again each time, at most a minute.
CONNECT_FIRST_DELAY = 1.0
CONNECT_MAX_DELAY = 60.0
COMMANDS = (
    "start",
    "help",
    "top",
    "client",
    "summary",
    "export",
    "settings",
    "history",
    "remind",
    "contracts",
    "source",
    "forget",
)


def redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


class RedactToken(logging.Filter):
    """Keeps the bot token out of every log line (httpx logs request URLs, which contain it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token and self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


class RedactingFormatter(logging.Formatter):
    """Formats a record whole (message, exception text, traceback), then hides the token in all
    of it: python-telegram-bot's InvalidToken carries the token in its text, which a filter on
    the message alone never sees."""

    def __init__(self, token: str, fmt: str = LOG_FORMAT) -> None:
        super().__init__(fmt)
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.token)


def configure_logging(token: str, level: int = logging.INFO) -> None:
    """Log lines on stderr with the token hidden everywhere, uncaught exceptions included."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactToken(token))
        handler.setFormatter(RedactingFormatter(token))
    logging.getLogger("httpx").setLevel(logging.WARNING)

    def uncaught(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        sys.stderr.write(redact("".join(traceback.format_exception(kind, error, trace)), token))

    def uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            uncaught(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = uncaught
    threading.excepthook = uncaught_in_thread


def _request(pool_size: int, timeout: float) -> RetryingRequest:
    return RetryingRequest(
        connection_pool_size=pool_size,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        media_write_timeout=max(60.0, timeout),
    )


def build_application(
    config: Config,
    *,
    configured: dict[str, Source] | None = None,
    request_timeout: float = 20.0,
) -> Application[Any, BotContext, Any, Any, Any, Any]:
    """The bot with every handler wired, storage and worker pool attached; the sources as
    loaded by the caller, else read from the configured file."""
    storage = Storage(config.database_url)
    # work.warm_up is the initializer, so a worker that replaces a dead one is warm as well.
    pool = WorkerPool(config.workers, config.worker_limits, initializer=work.warm_up)
    if configured is None:
        configured = load_sources(config.sources_file) if config.sources_file else {}
    services = Services(config=config, storage=storage, pool=pool, sources=configured)

    application = (
        Application.builder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(config.api_file_url)
        .local_mode(config.local_mode)
        .request(_request(32, request_timeout))
        .get_updates_request(_request(2, request_timeout))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(True)  # one chat's long analysis must not hold up the others
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    application.add_handler(TypeHandler(Update, admin.guard), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", start.start),
            CommandHandler("help", start.help_command),
            CommandHandler("top", browse.top),
            CommandHandler("client", browse.client),
            CommandHandler("summary", browse.summary),
            CommandHandler("export", browse.export),
            CommandHandler("settings", settings.settings_command),
            CommandHandler("history", browse.history),
            CommandHandler("forget", admin.forget),
            CommandHandler("remind", reminders.remind),
            CommandHandler("contracts", reminders.contracts),
            CommandHandler("source", sources.source),
            CommandHandler("allow", admin.allow),
            CommandHandler("deny", admin.deny),
            MessageHandler(filters.Document.ALL, upload.document),
            # Every button's data is checked against the allow-list (callbacks.parse) by the
            # patterns; anything else reaches the last handler, which says it is no longer valid.
            CallbackQueryHandler(start.sample, pattern=callbacks.pattern(callbacks.Sample)),
            CallbackQueryHandler(browse.top_button, pattern=callbacks.pattern(callbacks.TopPage)),
            CallbackQueryHandler(
                browse.client_button, pattern=callbacks.pattern(callbacks.ClientPick)
            ),
            CallbackQueryHandler(browse.export_button, pattern=callbacks.pattern(callbacks.Export)),
            CallbackQueryHandler(
                settings.settings_button, pattern=callbacks.pattern(callbacks.ShowSettings)
            ),
            CallbackQueryHandler(
                settings.settings_button, pattern=callbacks.pattern(callbacks.Setting)
            ),
            CallbackQueryHandler(admin.forget_button, pattern=callbacks.pattern(callbacks.Forget)),
            CallbackQueryHandler(
                sources.source_button, pattern=callbacks.pattern(callbacks.SourcePick)
            ),
            CallbackQueryHandler(
                reminders.contracts_button, pattern=callbacks.pattern(callbacks.ContractsPage)
            ),
            CallbackQueryHandler(start.stale_button),
        ]
    )
    application.add_error_handler(errors.on_error)
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        jobs.sweep_job, interval=jobs.SWEEP_EVERY_SECONDS, first=1.0, name="reminder-sweep"
    )
    return application


async def _post_init(application: Application) -> None:
    """Start-up: migrate the database, load the runtime access list, register the commands,
    warm the worker processes up, and resume the uploads a stopped bot left."""
    services: Services = application.bot_data["services"]
    await asyncio.to_thread(services.storage.migrate)
    services.runtime_allowed = await asyncio.to_thread(services.storage.access.allowed)
    for language in available_languages():
        m = Messages(language)
        commands = [BotCommand(name, m(f"bot.commands.{name}")) for name in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=language)
        if language == services.config.default_language:
            await application.bot.set_my_commands(commands)
    application.bot_data["warming"] = asyncio.ensure_future(_warm_up(services.pool))
    assert application.job_queue is not None
    application.job_queue.run_once(upload.resume, 0, name="resume-uploads")


async def _warm_up(pool: WorkerPool) -> None:
    """Start every worker now (its initializer imports the heavy modules), not at first use."""
    try:
        await pool.warm_up(work.ready)
    except Exception:  # a worker that cannot start is started again by the first job
        log.warning("The workers could not be warmed up", exc_info=True)


async def _post_shutdown(application: Application) -> None:
    services: Services = application.bot_data["services"]
    services.pool.shutdown()
    services.storage.close()


async def connect(
    application: Application,
    first_delay: float = CONNECT_FIRST_DELAY,
    max_delay: float = CONNECT_MAX_DELAY,
) -> None:
    """Initialize the application (its first call to Telegram), trying again with growing delays
    while Telegram cannot be reached (a network that comes up after the bot's container), with one
    log line per attempt. A refused token raises InvalidToken at once."""
    delay = first_delay
    attempt = 1
    while True:
        try:
            await application.initialize()
            return
        except (NetworkError, RetryAfter) as error:
            if isinstance(error, BadRequest):
                raise
            log.warning(
                "Telegram cannot be reached (attempt %d: %s); trying again in %.0f s",
                attempt,
                error,
                delay,
            )
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, max_delay)
        attempt += 1


async def serve(application: Application, stop: asyncio.Event, poll_timeout: float = 10.0) -> None:
    """Long polling until `stop` is set, with the same start-up and shutdown as run_polling;
    for callers that own the event loop (the end-to-end tests, an embedding program)."""
    await connect(application)
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            timeout=int(poll_timeout), poll_interval=0.0, allowed_updates=Update.ALL_TYPES
        )
        await stop.wait()
        await application.updater.stop()
        await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def main() -> int:
    """`clientbase bot`: long polling, or a webhook when WEBHOOK_URL is set."""
    try:
        config = Config.from_env()
    except ConfigError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    # Logging first, so the sources' warnings (a refused file source) go through it, once.
    configure_logging(config.token)
    try:
        configured = load_sources(config.sources_file) if config.sources_file else {}
    except SourceError as error:
        sys.stderr.write(f"{error}\n")  # a mistake in the file stops the start, clearly
        return 2
    config.data_dir.mkdir(parents=True, exist_ok=True)
    messages = Messages(config.default_language)
    application = build_application(config, configured=configured)
    try:
        _run(application, config)
    except InvalidToken:
        sys.stderr.write(messages("config.token_refused") + "\n")
        return 2
    except DBAPIError:
        url = make_url(config.database_url).render_as_string(hide_password=True)
        log.debug("The database cannot be reached", exc_info=True)
        sys.stderr.write(messages("config.database_unreachable", url=url) + "\n")
        return 2
    return 0


def _run(application: Application, config: Config) -> None:
    """Connect to Telegram (as long as it takes), then long polling or the webhook."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # the loop run_polling and run_webhook then use
    loop.run_until_complete(connect(application))
    if config.webhook_url:
        secret = hashlib.sha256(config.token.encode()).hexdigest()
        application.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            url_path=secret[:32],
            webhook_url=config.webhook_url.rstrip("/") + "/" + secret[:32],
            secret_token=secret[32:],
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=-1,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
