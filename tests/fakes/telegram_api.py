"""Local fake of the Telegram Bot API HTTP server for end-to-end tests of python-telegram-bot."""

from __future__ import annotations

import itertools
import json
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "YourSay",
    "username": "yoursay_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}

# Parameters whose value is free text: never JSON-decode these (a text of "42" stays "42").
_TEXT_PARAMS = frozenset({
    "text", "caption", "callback_query_id", "inline_message_id", "parse_mode", "url",
    "secret_token", "query", "description", "short_description", "title", "name",
    "language_code", "emoji", "business_connection_id", "message_effect_id", "question",
    "explanation", "phone_number", "first_name", "last_name", "vcard", "address", "payload",
})


def _decode_value(key: str, value: Any) -> Any:
    """Decode a JSON-encoded form value (PTB sends ints, bools and objects as JSON strings)."""
    if not isinstance(value, str) or key in _TEXT_PARAMS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return value if isinstance(decoded, str) else decoded


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Parse a multipart/form-data body; file parts become their raw bytes."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        params[name] = payload if part.get_filename() else payload.decode("utf-8")
    return params


def _command_entities(text: str) -> list[dict[str, Any]]:
    """Return the bot_command entity Telegram attaches to a text starting with '/'."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]


def _user(chat_id: int, first_name: str) -> dict[str, Any]:
    """Build a private-chat human User dict."""
    return {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def _private_chat(chat_id: Any, first_name: str | None = None) -> dict[str, Any]:
    """Build a private Chat dict."""
    chat: dict[str, Any] = {"id": chat_id, "type": "private"}
    if first_name:
        chat["first_name"] = first_name
    return chat


def _chat(chat_id: Any) -> dict[str, Any]:
    """The Chat for an id: negative ids are groups (supergroups and channels start -100), the rest private."""
    if isinstance(chat_id, int) and chat_id < 0:
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": "Ward staff"}
    return _private_chat(chat_id)


def group_update(update_id: int, chat_id: int, text: str, chat_type: str = "group", sender_id: int = 555000111,
                 first_name: str = "Sam") -> dict[str, Any]:
    """Build an Update dict for a text in a group or supergroup (a post, for a channel, has no sender)."""
    message: dict[str, Any] = {"message_id": update_id, "date": int(time.time()), "text": text,
                               "chat": {"id": chat_id, "type": chat_type, "title": "Ward staff"}}
    entities = _command_entities(text)
    if entities:
        message["entities"] = entities
    if chat_type == "channel":
        return {"update_id": update_id, "channel_post": message}
    message["from"] = _user(sender_id, first_name)
    return {"update_id": update_id, "message": message}


def added_to_group_update(update_id: int, chat_id: int, chat_type: str = "group",
                          by: int = 555000111) -> dict[str, Any]:
    """Build the my_chat_member Update Telegram sends when someone adds the bot to a group."""
    bot = {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}
    return {"update_id": update_id, "my_chat_member": {
        "chat": {"id": chat_id, "type": chat_type, "title": "Ward staff"},
        "from": _user(by, "Sam"), "date": int(time.time()),
        "old_chat_member": {"user": bot, "status": "left"},
        "new_chat_member": {"user": bot, "status": "member"},
    }}


def message_update(
    update_id: int, chat_id: int, text: str, first_name: str = "Sam", message_id: int | None = None
) -> dict[str, Any]:
    """Build an Update dict for a private text message from a user (commands get entities)."""
    message: dict[str, Any] = {
        "message_id": update_id if message_id is None else message_id,
        "date": int(time.time()),
        "chat": _private_chat(chat_id, first_name),
        "from": _user(chat_id, first_name),
        "text": text,
    }
    entities = _command_entities(text)
    if entities:
        message["entities"] = entities
    return {"update_id": update_id, "message": message}


def callback_update(
    update_id: int, chat_id: int, data: str, message_id: int = 1, first_name: str = "Sam"
) -> dict[str, Any]:
    """Build an Update dict for an inline-button press on a bot message in a private chat."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cbq-{update_id}",
            "from": _user(chat_id, first_name),
            "chat_instance": f"ci-{chat_id}",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": _private_chat(chat_id, first_name),
                "from": dict(BOT_USER),
                "text": "…",
            },
        },
    }


class FakeTelegramAPI:
    """In-process fake Telegram Bot API server; use with ``Bot(token, base_url=fake.base_url)``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Prepare (but do not start) a server on host:port (0 = ephemeral)."""
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self._updates: list[dict[str, Any]] = []
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._results: dict[str, Any] = {}
        self._message_ids = itertools.count(1)
        self._last_sent: dict[str, int] = {}
        self._left: set[str] = set()  # chats the bot has left: it can no longer send there

    # ----- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeTelegramAPI:
        """Start serving in a daemon thread and return self."""
        fake = self

        class Handler(_Handler):
            api = fake

        self._server = ThreadingHTTPServer(self._address, Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="FakeTelegramAPI", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeTelegramAPI:
        """Start on context entry."""
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        """Stop on context exit."""
        self.stop()

    @property
    def base_url(self) -> str:
        """Base URL for PTB's ``base_url`` (PTB appends the token)."""
        if self._server is None:
            raise RuntimeError("FakeTelegramAPI is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/bot"

    # ----- inspection ------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Return recorded ``(method, params)`` calls, optionally only those of one method."""
        with self._cond:
            return [c for c in self._calls if method is None or c[0] == method]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[tuple[str, dict[str, Any]]]:
        """Block until at least ``count`` calls of ``method`` arrived; return them."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.calls(method)) >= count, timeout):
                seen = [name for name, _ in self._calls]
                raise AssertionError(
                    f"expected {count} call(s) of {method!r} within {timeout}s, "
                    f"got {len(self.calls(method))}; all calls so far: {seen}"
                )
            return self.calls(method)

    def reset(self) -> None:
        """Forget recorded calls, queued updates, programmed failures and results."""
        with self._cond:
            self._calls.clear()
            self._updates.clear()
            self._failures.clear()
            self._results.clear()
            self._left.clear()

    # ----- programming -----------------------------------------------------------------------

    def last_message_id(self, chat_id: int) -> int:
        """The id of the last message sent to a chat: where a person's next button press lands."""
        return self._last_sent.get(str(chat_id), 1)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an Update dict to be returned by getUpdates."""
        with self._cond:
            self._updates.append(update)
            self._cond.notify_all()

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with this HTTP status and error."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        with self._cond:
            self._failures.setdefault(method, []).extend([(status, body)] * times)

    def set_result(self, method: str, result: Any) -> None:
        """Make every later successful call of ``method`` return ``result``."""
        with self._cond:
            self._results[method] = result

    # ----- request handling (called from server threads) -----------------------------------

    def _handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Record a call and compute its (HTTP status, JSON body)."""
        with self._cond:
            self._calls.append((method, params))
            self._cond.notify_all()
            failures = self._failures.get(method)
            if failures:
                return failures.pop(0)
            if method in self._results:
                return 200, {"ok": True, "result": self._results[method]}
            chat = str(params.get("chat_id"))
            if method == "leaveChat":
                self._left.add(chat)
            elif method == "sendMessage" and chat in self._left:
                return 403, {"ok": False, "error_code": 403,
                             "description": "Forbidden: bot is not a member of the group chat"}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        return 200, {"ok": True, "result": self._result_for(method, params)}

    def _result_for(self, method: str, params: dict[str, Any]) -> Any:
        """Return a realistic result for a successful call."""
        if method == "getMe":
            return dict(BOT_USER)
        if method == "sendMessage":
            message_id = next(self._message_ids)
            self._last_sent[str(params.get("chat_id"))] = message_id
            return self._message(params, message_id)
        if method in ("editMessageText", "editMessageReplyMarkup") and "chat_id" in params:
            return self._message(params, params.get("message_id", 0))
        return True

    @staticmethod
    def _message(params: dict[str, Any], message_id: int) -> dict[str, Any]:
        """Build the Message the bot would have sent with these parameters."""
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(params.get("chat_id")),
            "from": dict(BOT_USER),
        }
        if "text" in params:
            message["text"] = params["text"]
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Return pending updates, honouring offset/limit and briefly long-polling."""
        offset = params.get("offset")
        limit = params.get("limit") or 100
        wait = min(float(params.get("timeout") or 0), 0.5)
        with self._cond:
            if isinstance(offset, int) and offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._cond.wait_for(lambda: self._updates, timeout=wait)
            if isinstance(offset, int) and offset < 0:
                return list(self._updates[offset:])
            return list(self._updates[:limit])


class _Handler(BaseHTTPRequestHandler):
    """HTTP handler routing /bot<token>/<method> to the owning FakeTelegramAPI."""

    api: FakeTelegramAPI
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        """Handle a GET request."""
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        """Handle a POST request."""
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet."""

    def _dispatch(self) -> None:
        """Parse the request, delegate to the fake and write the JSON response."""
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        params = {k: _decode_value(k, v) for k, v in self._params(url.query).items()}
        self._reply(*self.api._handle(parts[1], params))

    def _params(self, query: str) -> dict[str, Any]:
        """Collect parameters from the query string and a JSON, form or multipart body."""
        params: dict[str, Any] = dict(parse_qsl(query))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        if not body:
            return params
        if content_type.startswith("application/json"):
            params.update(json.loads(body))
        elif content_type.startswith("multipart/form-data"):
            params.update(_parse_multipart(content_type, body))
        else:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return params

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        """Write a JSON response."""
        data = json.dumps(body).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except ConnectionError:  # client gave up (e.g. a cancelled long poll)
            self.close_connection = True
