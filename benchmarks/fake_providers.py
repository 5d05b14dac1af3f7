"""The local fakes of the Telegram Bot API and Twilio, in a process of their own, noting when each message came.

    python benchmarks/fake_providers.py --out received.jsonl [--latency 0.1]

prints one JSON line with both base URLs once they listen, then appends a JSON line for every
message accepted: {"channel", "to", "text", "t"} (t from time.time()). With --latency, each send
is answered that many seconds after it was accepted, as over a real provider's round trip. It
stops on SIGTERM or when its standard input closes. Shared by fanout.py and kill_test.py.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes import telegram_api  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramAPI  # noqa: E402
from tests.fakes.twilio_api import FakeTwilioAPI  # noqa: E402

# Answer at once: without TCP_NODELAY a response written as headers then body waits ~40 ms for
# the client's delayed ACK, and the fakes, not the sender, would set the pace.
telegram_api._Handler.disable_nagle_algorithm = True

TWILIO_SID = "AC" + "b" * 32
TWILIO_TOKEN = "bench-auth-token"
TELEGRAM_TOKEN = "123456:BENCH-token"


class Recorder:
    def __init__(self, path: Path):
        self.file = path.open("a", buffering=1, encoding="utf-8")
        self.lock = threading.Lock()

    def note(self, channel: str, to, text: str) -> None:
        line = json.dumps({"channel": channel, "to": str(to), "text": text, "t": time.time()})
        with self.lock:
            self.file.write(line + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds between accepting a send and answering")
    args = parser.parse_args()
    recorder = Recorder(args.out)

    class Telegram(FakeTelegramAPI):
        def _handle(self, method, params):
            status, body = super()._handle(method, params)
            if method == "sendMessage" and status == 200:
                recorder.note("telegram", params.get("chat_id"), params.get("text", ""))
                time.sleep(args.latency)
            return status, body

    class Twilio(FakeTwilioAPI):
        def _handler_class(self):
            handler = super()._handler_class()
            handler.disable_nagle_algorithm = True
            return handler

        def _create(self, account_sid, params):
            status, payload = super()._create(account_sid, params)
            if status == 201:
                recorder.note("sms", params.get("To"), params.get("Body", ""))
                time.sleep(args.latency)
            return status, payload

    telegram, twilio = Telegram().start(), Twilio(TWILIO_SID, TWILIO_TOKEN).start()
    # The fakes keep every call in memory; a benchmark's worth is fine.
    print(json.dumps({"telegram": telegram.base_url.removesuffix("/bot"), "twilio": twilio.base_url}), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    telegram.stop()
    twilio.stop()


if __name__ == "__main__":
    main()
