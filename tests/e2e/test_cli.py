"""The command line as a newcomer meets it: demo, chat and serve."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from yoursay.cli import main

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_chat_runs_the_whole_fft_in_the_terminal(runtime, services):
    env = {"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev"}
    result = CliRunner().invoke(main, ["chat"], input="FEEDBACK OAKLANDS\nv good\nLovely staff\n", env=env)
    assert result.exit_code == 0, result.output
    assert "Overall, how was your experience of our service?" in result.output
    assert "Please can you tell us why you gave your answer?" in result.output
    assert "Thank you for your feedback" in result.output


@pytest.mark.slow
def test_serve_on_default_sqlite_migrates_itself_and_answers_health(tmp_path):
    port = free_port()
    env = {**os.environ, "YOURSAY_MODE": "demo", "YOURSAY_SCHEDULER": "off"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([str(BIN / "yoursay"), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    assert json.load(response) == {"status": "ok", "database": "ok"}
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        assert (tmp_path / "instance" / "yoursay.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()


def test_serve_refuses_to_start_in_production_without_secret_key(tmp_path):
    env = {**os.environ, "YOURSAY_MODE": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([str(BIN / "yoursay"), "serve", "--port", str(free_port())], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_telegram_poll_refuses_to_start_in_production_with_a_short_secret_key(tmp_path):
    env = {**os.environ, "YOURSAY_MODE": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
           "SECRET_KEY": "too-short", "TELEGRAM_BOT_TOKEN": "123456:TEST-token",
           "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}/bot"}  # nothing listens: it must not get that far
    result = subprocess.run([str(BIN / "yoursay"), "telegram-poll"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 32 characters" in result.stderr


def test_db_upgrade_reports_success(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/y.db", "YOURSAY_MODE": "dev"}
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0 and "up to date" in result.output
