"""The one place that builds and runs the Telegram application: handlers, jobs, start-up."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
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
from bot.request import RetryingRequest
from bot.services import Services
from bot.sources import SourceError, load_sources
from bot.storage import Storage
from reports.messages import Messages, available_languages

log = logging.getLogger(__name__)
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


def configure_logging(token: str, level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _request(pool_size: int, timeout: float) -> RetryingRequest:
    return RetryingRequest(
        connection_pool_size=pool_size,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        media_write_timeout=max(60.0, timeout),
    )


def build_application(
    config: Config, *, request_timeout: float = 20.0
) -> Application[Any, BotContext, Any, Any, Any, Any]:
    """The bot with every handler wired, storage and worker pool attached."""
    storage = Storage(config.database_url)
    pool = ProcessPoolExecutor(
        max_workers=config.workers, mp_context=multiprocessing.get_context("forkserver")
    )
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
            CallbackQueryHandler(start.sample, pattern=callbacks.SAMPLE_PATTERN),
            CallbackQueryHandler(browse.top_button, pattern=callbacks.TOP_PATTERN),
            CallbackQueryHandler(browse.client_button, pattern=callbacks.CLIENT_PATTERN),
            CallbackQueryHandler(browse.export_button, pattern=callbacks.EXPORT_PATTERN),
            CallbackQueryHandler(settings.settings_button, pattern=callbacks.SETTINGS_PATTERN),
            CallbackQueryHandler(admin.forget_button, pattern=callbacks.FORGET_PATTERN),
            CallbackQueryHandler(sources.source_button, pattern=callbacks.SOURCE_PATTERN),
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
    loop = asyncio.get_running_loop()
    for _ in range(services.config.workers):
        loop.run_in_executor(services.pool, work.warm_up)
    assert application.job_queue is not None
    application.job_queue.run_once(upload.resume, 0, name="resume-uploads")


async def _post_shutdown(application: Application) -> None:
    services: Services = application.bot_data["services"]
    services.pool.shutdown(wait=False, cancel_futures=True)
    services.storage.close()


async def serve(application: Application, stop: asyncio.Event, poll_timeout: float = 10.0) -> None:
    """Long polling until `stop` is set, with the same start-up and shutdown as run_polling;
    for callers that own the event loop (the end-to-end tests, an embedding program)."""
    await application.initialize()
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
        if config.sources_file:
            load_sources(config.sources_file)  # a mistake in the file stops the start, clearly
    except (ConfigError, SourceError) as error:
        sys.stderr.write(f"{error}\n")
        return 2
    configure_logging(config.token)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    application = build_application(config)
    if config.webhook_url:
        secret = hashlib.sha256(config.token.encode()).hexdigest()
        application.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            url_path=secret[:32],
            webhook_url=config.webhook_url.rstrip("/") + "/" + secret[:32],
            secret_token=secret[32:],
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
