"""Browser tests: the admin on a real server on 127.0.0.1, driven in Debian's headless chromium by Playwright.

No browser is downloaded: Playwright launches /usr/bin/chromium (apt-get install chromium). Without it
these tests are skipped on a developer's machine, and fail in CI (CI=true), where .ci/run installs it.
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.admin.conftest import as_role, cheap_hashing, seed, staff  # noqa: F401  (fixtures reused here)
from tests.admin.factories import PASSWORD

CHROMIUM = Path(os.environ.get("YOURSAY_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ASSETS = ROOT / "admin" / "static" / "nhsuk" / "nhsuk-frontend.min.css"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    if not AXE.exists() or not ASSETS.exists():
        return "the front end is not installed (make frontend)"
    return None


@pytest.fixture(scope="package")  # Playwright runs an event loop in this thread: stop it when the browser tests end
def browser():
    problem = _missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def server(app):
    """The app on a free port of 127.0.0.1, in a thread, for this test."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="admin-test-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)
    httpd.server_close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/admin/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


def serious_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated, not a <script>, so our CSP does not block it
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def assert_accessible(page, name: str) -> None:
    found = serious_violations(page)
    assert not found, f"{name} ({page.url}) has serious accessibility problems:\n" + json.dumps(found, indent=1)
