"""A service's monthly pack as a PDF: what it says (read back with a PDF text extractor), that it fetches
nothing from outside, and `yoursay reports pack` for one service or all."""
from __future__ import annotations

import io
from datetime import date

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlalchemy import update

from admin.reports import pack
from storage.models import Service
from tests.admin.conftest import seed  # noqa: F401  (fixtures reused here)
from tests.admin.test_service_pages import FLAGGED, NOW, month  # noqa: F401
from yoursay.cli import main

MARCH = date(2026, 3, 1)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pack_pdf_has_the_services_name_its_percent_positive_and_a_story(app, month):  # noqa: F811
    pdf = pack.pack_pdf(app, "OAKLANDS", MARCH, now=NOW)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert "Oaklands Ward, March 2026" in text and "Riverside NHS Foundation Trust" in text
    assert "60.0% positive" in text and "82.6%" in text  # the service, and the trust beside it
    assert "[NAME] and the nurses on Oaklands" in text and "Jo and the nurses" not in text  # redacted only
    assert FLAGGED not in text
    assert "Kinder discharge" in text and "We added a second phone line" in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Oaklands Ward: monthly feedback pack, March 2026"


def test_a_pack_for_an_unknown_service_is_none(app, month):  # noqa: F811
    assert pack.pack_pdf(app, "NOWHERE", MARCH, now=NOW) is None


def test_the_pdf_fetches_nothing_from_outside():
    html = ('<html><head><link rel="stylesheet" href="https://cdn.example.org/x.css">'
            '<style>@import url("https://fonts.example.org/f.css"); body { background: url(file:///etc/hostname) }'
            '</style></head><body><h1>Inside only</h1><img src="https://example.org/logo.png" alt="logo">'
            '<img src="file:///etc/passwd" alt="secret"></body></html>')
    assert "Inside only" in text_of(pack.html_to_pdf(html))  # the network guard (tests/conftest.py) never tripped
    fetcher = pack.local_files_only()
    for url in ("https://example.org/logo.png", "file:///etc/passwd", "ftp://example.org/x"):
        with pytest.raises(ValueError, match="fetches nothing from outside"):
            fetcher.fetch(url)
    assert b".app-story" in fetcher.fetch("file:///assets/admin.css").read()


@pytest.mark.parametrize("url, expected", [
    ("file:///assets/admin.css", pack.STATIC / "admin.css"),
    (f"{(pack.STATIC / 'admin.css').as_uri()}", pack.STATIC / "admin.css"),
    ("file:///assets/../../../../etc/passwd", None),
    ("file:///etc/passwd", None),
    ("https://example.org/assets/admin.css", None),
    ("http://localhost/assets/admin.css", None),
    ("file://elsewhere/assets/admin.css", None),
])
def test_only_the_admins_own_static_files_can_be_read(url, expected):
    assert pack.local_path(url) == expected


def cli(runtime, *args):
    env = {"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev",
           "YOURSAY_TRUST_NAME": "Riverside NHS Foundation Trust"}
    return CliRunner().invoke(main, ["reports", "pack", *args], env=env)


def test_the_cli_writes_one_services_pack(runtime, month, tmp_path):  # noqa: F811
    out = tmp_path / "oaklands.pdf"
    result = cli(runtime, "--service", "OAKLANDS", "--month", "2026-03", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    text = text_of(out.read_bytes())
    assert "Oaklands Ward, March 2026" in text and "60.0% positive" in text


def test_the_cli_writes_every_active_services_pack_into_a_folder(runtime, month, tmp_path):  # noqa: F811
    with runtime.factory.begin() as db:
        db.execute(update(Service).where(Service.code == "CRISIS").values(active=False))
    result = cli(runtime, "--all", "--month", "2026-03", "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CMHTNORTH-2026-03.pdf", "OAKLANDS-2026-03.pdf"]
    written = text_of((tmp_path / "CMHTNORTH-2026-03.pdf").read_bytes())
    assert "Community Mental Health Team North, March 2026" in written


@pytest.mark.parametrize("args, message", [
    (["--service", "NOWHERE", "--month", "2026-03"], "no service with the code NOWHERE"),
    (["--service", "OAKLANDS", "--month", "March"], "--month must be a month up to this one"),
    (["--service", "OAKLANDS", "--month", "2099-01"], "--month must be a month up to this one"),
    (["--month", "2026-03"], "give either --service CODE or --all"),
    (["--all", "--service", "OAKLANDS"], "give either --service CODE or --all"),
])
def test_the_cli_says_plainly_what_is_wrong(runtime, month, tmp_path, args, message):  # noqa: F811
    result = cli(runtime, *args, "--output", str(tmp_path / "pack.pdf"))
    assert result.exit_code != 0
    assert result.output.strip().startswith(f"Error: {message}")
    assert len(result.output.strip().splitlines()) == 1  # one line, no usage text
    assert not (tmp_path / "pack.pdf").exists()


def test_the_cli_refuses_a_missing_folder(runtime, month, tmp_path):  # noqa: F811
    missing = tmp_path / "not-there"
    for args in (["--all"], ["--service", "OAKLANDS"]):
        target = missing if args == ["--all"] else missing / "pack.pdf"
        result = cli(runtime, *args, "--month", "2026-03", "--output", str(target))
        assert result.exit_code != 0 and result.output.strip() == f"Error: no such folder: {missing}"
    assert not missing.exists()
