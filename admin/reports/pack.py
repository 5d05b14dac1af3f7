"""A service's monthly pack: its data, the printable page's HTML, and the same page as a PDF.

Usable outside a request (the CLI, the monthly e-mail): give it the Flask app the composition
root built (yoursay.app.create_app), for its templates and runtime. The PDF is drawn by
WeasyPrint from the same template and data; its stylesheets are read from the package's
files, and it fetches nothing else: no URL, no network.
"""
from __future__ import annotations

import logging
import mimetypes
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, render_template

from admin.reports import rising, spc
from admin.reports.service_month import last_complete_month, service_month

STATIC = Path(__file__).resolve().parent.parent / "static"
STYLESHEETS = ("nhsuk/nhsuk-frontend.min.css", "admin.css")  # the first only if `make frontend` copied it
ASSETS = "/assets/"  # where the app serves STATIC (admin.assets)


def pack_context(db, settings, code: str, month: date, *, now: datetime) -> dict | None:
    """Everything the service page and the pack show for one month; None if there is no such service."""
    data = service_month(db, code, month, tz=settings.timezone, now=now)
    if data is None:
        return None
    # the chart ends with the last complete month: a month under way would sit in it as a low-count point
    last = min(month, last_complete_month(now, settings.timezone))
    data["chart"] = spc.fft_chart(db, settings, code, last, now=now, name=data["service"]["name"])
    data["rising_test"] = rising.TEST
    data["trust_name"] = settings.trust_name
    data["generated_at"] = now
    return data


def render_pack_html(app: Flask | None, context: dict, *, pdf: bool = False) -> str:
    """The printable pack's HTML; pdf=True leaves out the page's header, links to assets and scripts.

    app: the app to render it in, outside a request (CLI, mail job); None inside one of its requests.
    """
    if app is None:
        return render_template("admin/service_pack.html", title=title(context), pdf=pdf, **context)
    base = app.extensions["yoursay"].settings.public_url or "http://localhost"
    with app.test_request_context("/", base_url=base):
        return render_template("admin/service_pack.html", title=title(context), pdf=pdf, **context)


def pack_pdf(app: Flask, code: str, month: date, *, now: datetime | None = None) -> bytes | None:
    """The pack as a PDF; None if there is no such service."""
    runtime = app.extensions["yoursay"]
    now = now or runtime.now()
    with runtime.factory() as db:
        context = pack_context(db, runtime.settings, code, month, now=now)
    if context is None:
        return None
    return html_to_pdf(render_pack_html(app, context, pdf=True), title=title(context))


def html_to_pdf(html: str, *, title: str = "") -> bytes:
    """HTML to PDF with the admin's stylesheets from disk; nothing is fetched from anywhere else."""
    from weasyprint import HTML  # loaded on first use: it takes a moment

    document = HTML(string=html, base_url=STATIC.as_uri() + "/", url_fetcher=local_files_only()).render(
        stylesheets=_stylesheets())
    document.metadata.title = title
    return document.write_pdf()


@lru_cache(maxsize=1)
def _stylesheets() -> list:
    """The admin's stylesheets, parsed once per process (the NHS one takes a moment).

    WeasyPrint's warnings about the NHS stylesheet's screen-only rules (media queries, @supports) are
    quietened: hundreds a pack, none of them ours to fix. Its errors still show.
    """
    from weasyprint import CSS

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = local_files_only()
    return [CSS(filename=str(STATIC / name), url_fetcher=fetcher) for name in STYLESHEETS if (STATIC / name).is_file()]


def title(context: dict) -> str:
    return f"{context['service']['name']}: monthly feedback pack, {context['month']:%B %Y}"


def file_name(code: str, month: date) -> str:
    """OAKLANDS-2026-03.pdf (anything but letters, digits, - and _ in the code becomes -)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in code)
    return f"{safe}-{month:%Y-%m}.pdf"


def local_files_only():
    """A WeasyPrint fetcher that refuses every URL but data: and the admin's own static files (see local_path)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):  # an image written into the stylesheet itself: nothing to fetch
                return super().fetch(url, headers)
            path = local_path(url)
            if path is None:
                raise ValueError(f"the pack fetches nothing from outside: {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

    return LocalFilesOnly()


def local_path(url: str) -> Path | None:
    """The file in STATIC a URL means, or None: a file: URL inside STATIC, or /assets/... (as the app serves it)."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = unquote(parts.path)
    if path.startswith(ASSETS):
        path = str(STATIC / path[len(ASSETS):])
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(STATIC) or not resolved.is_file():
        return None
    return resolved
