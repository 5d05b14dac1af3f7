"""`yoursay serve` as deployed: signed SMS webhooks over HTTP, answered by its receiver process."""
from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from storage.models import PendingResponse
from tests.conftest import TWILIO_SID, TWILIO_TOKEN
from tests.e2e.test_cli import BIN, free_port

QUESTION = "Overall, how was your experience of our service?"
FOLLOWUP = "Please can you tell us why you gave your answer?"


def receivers(pid: int) -> list[int]:
    """The server's receiver processes (not multiprocessing's resource tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in command and alive(int(child)):
                found.append(int(child))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def server(runtime, services):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev",
           "YOURSAY_SCHEDULER": "off", "YOURSAY_PUBLIC_URL": url, "TWILIO_ACCOUNT_SID": TWILIO_SID,
           "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_FROM_NUMBER": "+447700900000", "TELEGRAM_BOT_TOKEN": ""}
    process = subprocess.Popen([str(BIN / "yoursay"), "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/health", timeout=2).close()
            break
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.2)
    yield process, url
    process.kill()
    process.wait(timeout=10)


def text(url: str, sid: str, body: str, sender: str = "+447700900601") -> tuple[int, str]:
    params = {"MessageSid": sid, "From": sender, "To": "+447700900000", "Body": body}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url + "/sms/inbound", params)
    request = urllib.request.Request(url + "/sms/inbound", data=urllib.parse.urlencode(params).encode(),
                                     headers={"X-Twilio-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, "\n".join(m.text or "" for m in ET.fromstring(response.read()))
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.mark.slow
def test_serve_answers_through_its_receiver_and_carries_on_if_it_dies(runtime, server):
    process, url = server
    [receiver] = receivers(process.pid)  # the receiver process
    status, reply = text(url, "SMserve1", "FEEDBACK OAKLANDS")
    assert status == 200 and QUESTION in reply

    os.kill(receiver, signal.SIGKILL)
    while alive(receiver):
        time.sleep(0.05)
    # The web process handles what its receiver cannot, and the next messages start a new receiver.
    status, reply = text(url, "SMserve2", "1")
    assert status == 200 and FOLLOWUP in reply
    for n in range(3, 20):
        if receivers(process.pid):
            break
        assert text(url, f"SMserve{n}", "FEEDBACK OAKLANDS", sender=f"+4477009006{n:02d}")[0] == 200
    assert len(receivers(process.pid)) == 1 and receivers(process.pid) != [receiver]
    with runtime.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(PendingResponse)) == 1, "the answer is kept once"


@pytest.mark.slow
def test_the_receiver_goes_when_the_server_goes(server):
    process, _ = server
    [receiver] = receivers(process.pid)
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while alive(receiver) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(receiver), "the receiver outlived its server"
