"""Requests to the Bot API that survive transient failures.

python-telegram-bot retries neither 5xx answers nor timeouts, and the rate limiter only handles
flood control: this request class retries those with exponential backoff, so a reply is not
silently lost when Telegram (or the network) hiccups.

Which sends may repeat: a request whose answer timed out may still have been delivered, so after
a retry the chat can see a message, a photo group or a document twice. That is the lesser evil
for this bot: a duplicate summary or report is harmless, a lost one is not. Edits and callback
answers repeat idempotently. getUpdates and getMe are never retried here: their callers do it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)


class RetryingRequest(HTTPXRequest):
    """HTTPXRequest retrying timeouts, connection errors and 5xx answers."""

    def __init__(self, *args: Any, attempts: int = 4, backoff: float = 0.5, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attempts = attempts
        self.backoff = backoff

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        # getUpdates: the updater's own loop retries it; getMe (the start): app.connect does, with
        # one log line per attempt.
        retry = not url.endswith(("/getUpdates", "/getMe"))
        last_attempt = self.attempts - 1 if retry else 0
        for attempt in range(self.attempts):
            try:
                code, payload = await super().do_request(url, method, *args, **kwargs)
            except (TimedOut, NetworkError) as error:
                if isinstance(error, BadRequest) or attempt >= last_attempt:
                    raise
                log.warning(
                    "Bot API request failed (%s), retry %d", type(error).__name__, attempt + 1
                )
            else:
                if code < 500 or attempt >= last_attempt:
                    return code, payload
                log.warning("Bot API answered %d, retry %d", code, attempt + 1)
            await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover
