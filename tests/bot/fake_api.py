"""A stand-in Telegram Bot API server on 127.0.0.1, for driving the real bot over real HTTP.

It serves the methods the bot uses, records every call, keeps updates until they are confirmed
by offset (as Telegram does), serves file downloads, and can answer an error on request: flood
control (429 with retry_after), 500 or 502, a timeout, or any refusal (400, 403) with its
description; or refuse the token (401) for good. It enforces Telegram's limits on texts: a text
over 4096 characters once its HTML is parsed is refused ("Bad Request: message is too long"), a
caption over 1024 likewise, so are unbalanced or unknown HTML ("Bad Request: can't parse
entities: ...") and an empty text; a chat in `blocked` answers 403 ("Forbidden: bot was blocked
by the user") to everything.

A test checks what one step made the bot send, never "some text somewhere in the history", which
an earlier step could have sent: every user action returns a mark (so does `mark()`), and
`wait_text` only looks at the calls recorded after the mark it is given.
"""

from __future__ import annotations

import email
import email.policy
import html
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

TOKEN = "123456:TEST-secret-token"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "ClientBase",
    "username": "clientbase_test_bot",
}


@dataclass
class Call:
    """One request the bot made, with its parameters (JSON decoded) and attached files."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    answered: str = "ok"

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        """The text as the user reads it: HTML entities decoded (tags are left in place)."""
        return html.unescape(str(self.params.get("text") or self.params.get("caption") or ""))


@dataclass
class Fault:
    """Answer the next `times` calls of `method` with `kind`: '429', '500', '502', 'timeout', or
    another error code ('400', '403') with `description`."""

    method: str
    kind: str
    times: int = 1
    description: str = ""


TEXT_LIMIT = 4096  # characters of a message's text once its entities are parsed (UTF-16 units)
CAPTION_LIMIT = 1024  # characters of a caption, likewise
_HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    ]
)
_HTML_TOKEN = re.compile(r"<(/?)([^<>\s/]*)[^<>]*>|&([^;&<>\s]*);|[<>&]")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def parse_html(text: str) -> str:
    """The text Telegram shows for HTML markup, or ValueError as Telegram refuses it."""
    shown: list[str] = []
    open_tags: list[str] = []
    position = 0
    for match in _HTML_TOKEN.finditer(text):
        shown.append(text[position : match.start()])
        position = match.end()
        closing, tag, entity = match.group(1), match.group(2), match.group(3)
        if tag is not None:
            name = tag.lower()
            if name not in _HTML_TAGS:
                raise ValueError(f'unsupported start tag "{name}" at byte offset {match.start()}')
            if closing:
                if not open_tags or open_tags[-1] != name:
                    raise ValueError(f"unmatched end tag at byte offset {match.start()}")
                open_tags.pop()
            else:
                open_tags.append(name)
        elif entity is not None:
            if entity in _ENTITIES:
                shown.append(_ENTITIES[entity])
            elif re.fullmatch(r"#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}", entity):
                shown.append(html.unescape(f"&{entity};"))
            else:
                raise ValueError(f'unsupported entity "{entity}" at byte offset {match.start()}')
        else:
            raise ValueError(f"unexpected {match.group()!r} at byte offset {match.start()}")
    if open_tags:
        raise ValueError(f'can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    shown.append(text[position:])
    return "".join(shown)


def refusal(method: str, params: dict[str, Any]) -> str | None:
    """Why Telegram would refuse this text or caption with 400, or None."""
    media = params.get("media") if method == "sendMediaGroup" else None
    captions = [params] + (media if isinstance(media, list) else [])
    for item in captions:
        if isinstance(item, dict) and item.get("caption") is not None:
            caption = str(item["caption"])
            if str(item.get("parse_mode") or params.get("parse_mode") or "").upper() == "HTML":
                try:
                    caption = parse_html(caption)
                except ValueError as error:
                    return f"Bad Request: can't parse entities: {error}"
            if len(caption.encode("utf-16-le")) // 2 > CAPTION_LIMIT:
                return "Bad Request: message caption is too long"
    if method not in ("sendMessage", "editMessageText"):
        return None
    text = str(params.get("text") or "")
    if str(params.get("parse_mode") or "").upper() == "HTML":
        try:
            text = parse_html(text)
        except ValueError as error:
            return f"Bad Request: can't parse entities: {error}"
    if not text.strip():
        return "Bad Request: message text is empty"
    if len(text.encode("utf-16-le")) // 2 > TEXT_LIMIT:
        return "Bad Request: message is too long"
    return None


class FakeTelegram:
    def __init__(self, timeout_delay: float = 3.0, port: int = 0) -> None:
        self.condition = threading.Condition()
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.faults: list[Fault] = []
        self.polls = 0  # getUpdates calls answered (not recorded as calls)
        self.timeout_delay = timeout_delay
        self.refuse_token = False  # every method answers 401 Unauthorized, as for a revoked token
        self.blocked: set[int] = set()  # chats whose user blocked the bot: 403 to everything
        self._ids = itertools.count(1)
        self._messages = itertools.count(1000)
        handler = type("Handler", (_Handler,), {"api": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/file/bot"

    # --- what users do ------------------------------------------------------------------------

    def _user(self, user_id: int, language: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "language_code": language,
        }

    def _chat(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private" if chat_id > 0 else "group", "title": "Sales"}

    def _push(self, update: dict[str, Any]) -> int:
        """Queue an update for the bot; returns the mark of the moment it was sent."""
        with self.condition:
            update["update_id"] = next(self._ids)
            self.updates.append(update)
            self.condition.notify_all()
            return len(self.calls)

    def _message(
        self, chat_id: int, user_id: int | None, language: str, **content: Any
    ) -> dict[str, Any]:
        return {
            "message_id": next(self._messages),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._user(user_id or chat_id, language),
            **content,
        }

    def text(
        self, chat_id: int, text: str, user_id: int | None = None, language: str = "fr"
    ) -> int:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._push({"message": self._message(chat_id, user_id, language, **content)})

    def document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        caption: str | None = None,
        user_id: int | None = None,
        language: str = "fr",
        file_size: int | None = None,
    ) -> int:
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = data
        doc = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": file_name,
            "file_size": len(data) if file_size is None else file_size,
        }
        content: dict[str, Any] = {"document": doc}
        if caption:
            content["caption"] = caption
        return self._push({"message": self._message(chat_id, user_id, language, **content)})

    def press(
        self,
        chat_id: int,
        data: str,
        user_id: int | None = None,
        language: str = "fr",
        message_id: int = 1,
    ) -> int:
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": BOT_USER,
            "text": "…",
        }
        query = {
            "id": str(next(self._messages)),
            "from": self._user(user_id or chat_id, language),
            "chat_instance": "instance",
            "data": data,
            "message": message,
        }
        return self._push({"callback_query": query})

    # --- what the bot did ---------------------------------------------------------------------

    def mark(self) -> int:
        """The present point of the bot's history: what it sends next comes after the mark."""
        with self.condition:
            return len(self.calls)

    def wait_for(
        self, predicate: Callable[[list[Call]], bool], timeout: float = 60.0
    ) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self.condition:
            while not predicate(self.calls):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out; calls: {[(c.method, c.text[:60]) for c in self.calls[-15:]]}"
                    )
                self.condition.wait(remaining)
            return list(self.calls)

    def calls_to(self, chat_id: int, *methods: str, since: int = 0) -> list[Call]:
        """The calls to one chat answered with success, after the mark `since`."""
        with self.condition:
            return [
                c
                for c in self.calls[since:]
                if c.chat_id == chat_id
                and (not methods or c.method in methods)
                and c.answered == "ok"
            ]

    def texts(self, chat_id: int, since: int = 0) -> list[str]:
        calls = self.calls_to(chat_id, "sendMessage", "editMessageText", since=since)
        return [c.text for c in calls]

    def wait_text(
        self,
        chat_id: int,
        needle: str,
        *,
        since: int,
        method: str | None = None,
        timeout: float = 60.0,
    ) -> Call:
        """The first call to the chat after the mark `since` whose text holds `needle`."""

        def matching() -> Call | None:
            calls = self.calls_to(chat_id, *([method] if method else []), since=since)
            return next((c for c in calls if needle in c.text), None)

        self.wait_for(lambda calls: matching() is not None, timeout)
        call = matching()
        assert call is not None
        return call

    # --- serving ------------------------------------------------------------------------------

    def fault_for(self, method: str) -> Fault | None:
        with self.condition:
            for fault in self.faults:
                if fault.method == method and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def refused(self, call: Call) -> tuple[int, str] | None:
        """The error Telegram answers to this call for good: a blocked chat, a text it refuses."""
        if call.chat_id is not None and call.chat_id in self.blocked:
            return 403, "Forbidden: bot was blocked by the user"
        reason = refusal(call.method, call.params)
        return (400, reason) if reason else None

    def record(self, call: Call) -> None:
        with self.condition:
            self.calls.append(call)
            self.condition.notify_all()

    def polled(self) -> None:
        """A getUpdates call arrived: the bot is polling (its start-up is over)."""
        with self.condition:
            self.polls += 1
            self.condition.notify_all()

    def wait_polling(self, timeout: float = 30) -> None:
        with self.condition:
            if not self.condition.wait_for(lambda: self.polls > 0, timeout):
                raise AssertionError("the bot never polled")

    def answer(self, call: Call) -> Any:
        method, params = call.method, call.params
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return self._get_updates(
                int(params.get("offset") or 0), float(params.get("timeout") or 0)
            )
        if method == "getFile":
            file_id = params["file_id"]
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        chat = self._chat(int(params["chat_id"])) if "chat_id" in params else None
        if method in ("sendMessage", "editMessageText"):
            return self._sent(chat, text=params.get("text", ""))
        if method == "sendDocument":
            name = next(iter(call.files), "document")
            return self._sent(
                chat, document={"file_id": f"out-{name}", "file_unique_id": name, "file_name": name}
            )
        if method == "sendPhoto":
            return self._sent(chat, photo=[_photo()])
        if method == "sendMediaGroup":
            return [self._sent(chat, photo=[_photo()]) for _ in params.get("media", [])]
        return True

    def _sent(self, chat: dict[str, Any] | None, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._messages),
            "date": int(time.time()),
            "chat": chat or self._chat(1),
            "from": BOT_USER,
            **content,
        }

    def _get_updates(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + min(timeout, 2.0)
        with self.condition:
            self.updates = [
                u for u in self.updates if u["update_id"] >= offset
            ]  # confirmed by offset
            while not self.updates and time.monotonic() < deadline:
                self.condition.wait(deadline - time.monotonic())
            return list(self.updates)


def _photo() -> dict[str, Any]:
    return {"file_id": "photo", "file_unique_id": "photo", "width": 1200, "height": 700}


class _Handler(BaseHTTPRequestHandler):
    api: FakeTelegram

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = unquote(urlparse(self.path).path)
        prefix = f"/file/bot{TOKEN}/documents/"
        if path.startswith(prefix) and path[len(prefix) :] in self.api.files:
            body = self.api.files[path[len(prefix) :]]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def do_POST(self) -> None:
        path = urlparse(self.path).path
        prefix = f"/bot{TOKEN}/"
        if not path.startswith(prefix):
            self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        method = path[len(prefix) :]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        params, files = _parse(self.headers.get("Content-Type", ""), body)
        call = Call(method, params, files)
        if self.api.refuse_token:
            call.answered = "401"
            self.api.record(call)
            self._json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        fault = self.api.fault_for(method)
        kind = fault.kind if fault is not None else None
        if kind == "timeout":
            time.sleep(self.api.timeout_delay)  # the client gives up first; the call still lands
        elif fault is not None and fault.description:
            self._error(call, int(fault.kind), fault.description)
            return
        elif fault is not None:
            call.answered = fault.kind
            self.api.record(call)
            if kind == "429":
                self._json(
                    429,
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": "Too Many Requests: retry after 1",
                        "parameters": {"retry_after": 1},
                    },
                )
            else:
                self._json(
                    int(fault.kind),
                    {
                        "ok": False,
                        "error_code": int(fault.kind),
                        "description": "Bad Gateway" if kind == "502" else "Internal Server Error",
                    },
                )
            return
        if (refused := self.api.refused(call)) is not None:
            self._error(call, *refused)
            return
        if method != "getUpdates":
            self.api.record(call)
        else:
            self.api.polled()
        self._json(200, {"ok": True, "result": self.api.answer(call)})

    def _error(self, call: Call, code: int, description: str) -> None:
        call.answered = str(code)
        self.api.record(call)
        self._json(code, {"ok": False, "error_code": code, "description": description})

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _decode(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parse(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    if content_type.startswith("multipart/form-data"):
        message = email.message_from_bytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body, policy=email.policy.HTTP
        )
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                files[part.get_filename() or str(name)] = payload
                params.setdefault("_attachments", []).append(str(name))
            else:
                params[str(name)] = _decode(payload.decode())
        return params, files
    if content_type.startswith("application/json"):
        return json.loads(body or b"{}"), {}
    return {key: _decode(value) for key, value in parse_qsl(body.decode())}, {}
