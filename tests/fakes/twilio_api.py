"""Local fake of Twilio's REST Messages API for end-to-end tests of the real twilio client.

POST .../Messages.json creates a message; GET .../Messages.json lists them as Twilio does: newest
first, filtered by To, From and DateSent (a GMT day, or on/before and on/after it), in pages with
next_page_uri. A message shows as queued, with no date_sent, for `sending_delay` seconds after it
is created, then as sent.
"""

import base64
import json
import math
import re
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional
from urllib.parse import parse_qs, urlencode

_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = set("^{}\\[~]|€\f")


def num_segments(body: str) -> int:
    """Return the SMS segment count Twilio would report for body (GSM-7 or UCS-2)."""
    if all(c in _GSM7 or c in _GSM7_EXT for c in body):
        length, single, multi = sum(2 if c in _GSM7_EXT else 1 for c in body), 160, 153
    else:
        length, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if length <= single else math.ceil(length / multi)


def _rfc2822(when: datetime) -> str:
    """Return a UTC time formatted like Twilio's date fields."""
    return format_datetime(when.astimezone(timezone.utc).replace(microsecond=0))


def _day(value: str) -> date:
    """The GMT day of a DateSent filter: YYYY-MM-DD, or the YYYY-MM-DDTHH:MM:SSZ twilio-python sends."""
    return date.fromisoformat(value[:10])


class _Failure:
    """A programmed error response."""

    def __init__(self, status: int, code: int, message: str, times: Optional[int]):
        """Store the error; times=None means unlimited."""
        self.status, self.code, self.message, self.times = status, code, message, times


class FakeTwilioAPI:
    """In-process HTTP server imitating POST /2010-04-01/Accounts/{sid}/Messages.json."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "test-auth-token"):
        """Configure the credentials the fake accepts."""
        self.account_sid, self.auth_token = account_sid, auth_token
        self._cond = threading.Condition()
        self._messages: List[Dict[str, object]] = []
        self._attempts: List[Dict[str, object]] = []
        self._fail_next: List[_Failure] = []
        self._fail_numbers: Dict[str, _Failure] = {}
        self._fail_lists: List[_Failure] = []
        self._resources: List[Dict[str, object]] = []  # what GET lists, with "_created" (a datetime)
        self.sending_delay = 0.0  # seconds a new message stays queued before Twilio sends it
        self.clock = lambda: datetime.now(timezone.utc)
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # lifecycle

    def start(self) -> "FakeTwilioAPI":
        """Start serving on 127.0.0.1 at an ephemeral port."""
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> "FakeTwilioAPI":
        """Start the server."""
        return self.start()

    def __exit__(self, *exc) -> None:
        """Stop the server."""
        self.stop()

    @property
    def base_url(self) -> str:
        """Base URL replacing https://api.twilio.com, e.g. http://127.0.0.1:PORT."""
        if self._server is None:
            raise RuntimeError("FakeTwilioAPI is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # inspection

    def messages(self) -> List[Dict[str, object]]:
        """Return copies of successfully created messages (form params plus 'sid')."""
        with self._cond:
            return [dict(m) for m in self._messages]

    def attempts(self) -> List[Dict[str, object]]:
        """Return copies of all authenticated create requests' params, including failed ones."""
        with self._cond:
            return [dict(a) for a in self._attempts]

    def wait_for_messages(self, count: int, timeout: float = 5.0) -> List[Dict[str, object]]:
        """Block until at least count messages exist and return them; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"FakeTwilioAPI: expected at least {count} message(s) within {timeout}s, "
                        f"got {len(self._messages)}: {[m.get('To') for m in self._messages]}"
                    )
                self._cond.wait(remaining)
            return [dict(m) for m in self._messages]

    # programming failures

    def fail_next(self, status: int, code: int, message: str, times: int = 1) -> None:
        """Make the next `times` creates return Twilio error JSON with this HTTP status and code."""
        with self._cond:
            self._fail_next.append(_Failure(status, code, message, times))

    def fail_for_number(self, to: str, status: int, code: int, message: str) -> None:
        """Make every create to recipient `to` fail with this error."""
        with self._cond:
            self._fail_numbers[to] = _Failure(status, code, message, None)

    def fail_next_list(self, status: int, code: int, message: str, times: int = 1) -> None:
        """Make the next `times` list requests return Twilio error JSON."""
        with self._cond:
            self._fail_lists.append(_Failure(status, code, message, times))

    def reset(self) -> None:
        """Forget recorded messages, attempts and programmed failures."""
        with self._cond:
            self._messages.clear()
            self._attempts.clear()
            self._fail_next.clear()
            self._fail_numbers.clear()
            self._fail_lists.clear()
            self._resources.clear()

    # request handling

    @staticmethod
    def error_body(status: int, code: int, message: str) -> Dict[str, object]:
        """Return Twilio's legacy error JSON payload."""
        return {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    def _authorized(self, header: Optional[str]) -> bool:
        """Check an HTTP Basic Authorization header against the account credentials."""
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    def _create(self, account_sid: str, params: Dict[str, object]):
        """Apply validation and programmed failures; return (status, payload)."""
        to, sender, service = params.get("To"), params.get("From"), params.get("MessagingServiceSid")
        with self._cond:
            self._attempts.append(dict(params))
            failure = self._fail_next[0] if self._fail_next else self._fail_numbers.get(to)
            if self._fail_next:
                failure.times -= 1
                if failure.times <= 0:
                    self._fail_next.pop(0)
        if failure is not None:
            return failure.status, self.error_body(failure.status, failure.code, failure.message)
        if not to:
            return 400, self.error_body(400, 21604, "A 'To' phone number is required.")
        if not sender and not service:
            return 400, self.error_body(400, 21603, "A 'From' phone number is required.")
        if not params.get("Body") and not params.get("MediaUrl") and not params.get("ContentSid"):
            return 400, self.error_body(400, 21602, "Message body is required.")
        sid = "SM" + uuid.uuid4().hex
        created = self.clock()
        now = _rfc2822(created)
        body = str(params.get("Body", ""))
        media = params.get("MediaUrl") or []
        uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json"
        payload = {
            "account_sid": account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender,
            "messaging_service_sid": service,
            "num_media": str(len(media) if isinstance(media, list) else 1),
            "num_segments": str(num_segments(body) if sender else 0),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued" if sender else "accepted",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": to,
            "uri": uri,
        }
        with self._cond:
            self._messages.append({**params, "sid": sid})
            self._resources.append({**payload, "_created": created})
            self._cond.notify_all()
        return 201, payload

    def _as_now(self, resource: Dict[str, object]) -> Dict[str, object]:
        """A message as Twilio shows it now: sent once sending_delay has passed since it was created."""
        shown = {k: v for k, v in resource.items() if k != "_created"}
        sent_at = resource["_created"] + timedelta(seconds=self.sending_delay)
        if self.clock() >= sent_at:
            shown.update(status="sent", date_sent=_rfc2822(sent_at), date_updated=_rfc2822(sent_at))
        return shown

    def _list(self, account_sid: str, query: Dict[str, str]):
        """Apply filters and paging to the messages; return (status, payload)."""
        with self._cond:
            failure = self._fail_lists[0] if self._fail_lists else None
            if failure is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self._fail_lists.pop(0)
            shown = [self._as_now(r) for r in self._resources]
        if failure is not None:
            return failure.status, self.error_body(failure.status, failure.code, failure.message)
        try:
            size = min(int(query.get("PageSize", 50)), 1000)
            page = int(query.get("Page", 0))
            days = {op: _day(query[key]) for op, key in (("=", "DateSent"), (">=", "DateSent>"), ("<=", "DateSent<"))
                    if key in query}
        except ValueError:
            return 400, self.error_body(400, 20001, "Invalid query parameters")
        if query.get("To"):
            shown = [m for m in shown if m["to"] == query["To"]]
        if query.get("From"):
            shown = [m for m in shown if m["from"] == query["From"]]
        for op, day in days.items():
            keep = {"=": day.__eq__, ">=": day.__le__, "<=": day.__ge__}[op]
            shown = [m for m in shown if m["date_sent"] and keep(parsedate_to_datetime(m["date_sent"]).date())]
        shown.sort(key=lambda m: parsedate_to_datetime(m["date_sent"] or m["date_created"]), reverse=True)
        chunk = shown[page * size:(page + 1) * size]
        base = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def uri(n: int) -> str:
            return f"{base}?{urlencode({**filters, 'PageSize': size, 'Page': n, 'PageToken': f'PA{n}'})}"

        more = (page + 1) * size < len(shown)
        return 200, {"messages": chunk, "end": page * size + max(len(chunk) - 1, 0), "first_page_uri": uri(0),
                     "next_page_uri": uri(page + 1) if more else None, "page": page, "page_size": size,
                     "previous_page_uri": uri(page - 1) if page else None, "start": page * size,
                     "uri": uri(page)}

    def _handler_class(self):
        """Build a request handler class bound to this fake."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            """Serves the fake Twilio endpoints."""

            def log_message(self, *args) -> None:
                """Silence request logging."""

            def _send(self, status: int, payload: Dict[str, object]) -> None:
                """Write a JSON response."""
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Twilio-Request-Id", "RQ" + uuid.uuid4().hex)
                self.end_headers()
                self.wfile.write(data)

            def _not_found(self) -> None:
                """Send Twilio's 404 error."""
                path = self.path.split("?")[0]
                msg = f"The requested resource {path} was not found"
                self._send(404, fake.error_body(404, 20404, msg))

            def _unauthorized(self) -> bool:
                """Send a 401 and return True if credentials are wrong."""
                if fake._authorized(self.headers.get("Authorization")):
                    return False
                self._send(401, fake.error_body(401, 20003, "Authenticate"))
                return True

            def do_GET(self) -> None:
                """List messages; everything else is 404."""
                if self._unauthorized():
                    return
                path, _, query = self.path.partition("?")
                match = _MESSAGES_PATH.match(path)
                if not match or match.group(1) != fake.account_sid:
                    return self._not_found()
                params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
                self._send(*fake._list(match.group(1), params))

            def do_POST(self) -> None:
                """Handle message creation."""
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self._unauthorized():
                    return
                match = _MESSAGES_PATH.match(self.path.split("?")[0])
                if not match or match.group(1) != fake.account_sid:
                    return self._not_found()
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
                params = {k: v[0] if len(v) == 1 else v for k, v in form.items()}
                self._send(*fake._create(match.group(1), params))

        return Handler
