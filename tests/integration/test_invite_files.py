"""Invitation files that are wrong as a whole get a clear message and queue nothing."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from storage.models import Outbox
from yoursay.cli import main


def run_invite(runtime, tmp_path, content: bytes):
    path = tmp_path / "invites.csv"
    path.write_bytes(content)
    env = {"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev"}
    return CliRunner().invoke(main, ["invite", "--csv", str(path)], env=env)


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty"),
    (b"name,service\nSam,OAKLANDS\n", "no phone or telegram_chat_id column"),
    (b"phone\n07911123456\n", "no service column"),
    (b"phone,service\n\xff\xfe\x00junk", "not UTF-8"),
])
def test_a_bad_invitation_file_is_refused_with_a_clear_message(runtime, services, tmp_path, content, message):
    result = run_invite(runtime, tmp_path, content)
    assert result.exit_code == 1
    assert message in result.output
    with runtime.factory() as session:
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0


def test_a_file_saved_by_excel_with_a_byte_order_mark_and_capitalised_headers_works(runtime, services, tmp_path):
    result = run_invite(runtime, tmp_path, "\ufeffPhone,Service\r\n07911 123456,oaklands\r\n".encode())
    assert result.exit_code == 0, result.output
    assert "queued 1" in result.output


def test_the_outbox_status_shows_failures_without_showing_whole_numbers(runtime, services, tmp_path):
    run_invite(runtime, tmp_path, b"phone,service\n07911123456,OAKLANDS\n")
    with runtime.factory.begin() as session:
        row = session.scalar(select(Outbox))
        row.status, row.attempts, row.last_error = "failed", 5, "Twilio 400 error 21211: invalid To"
    env = {"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev"}
    result = CliRunner().invoke(main, ["outbox-status"], env=env)
    assert result.exit_code == 0, result.output
    assert "failed: 1" in result.output and "21211" in result.output
    assert "07911123456" not in result.output and "+447911123456" not in result.output
