"""The NHS England FFT monthly return per site, ready to submit: ODS codes, the six counts, modes, a trust total.

Built from admin.reports.fft.fft_return (the counts the dashboard shows) for one calendar month in
the trust's time zone. Services that share an ODS site code are added together in that site's
row: the return has one row per site. The counts are exact, never suppressed: NHS England needs
them so and applies its own rules for small numbers when it publishes. Our own public figures
are suppressed here instead (admin.reports.suppression, admin.reports.public).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from admin.export import Table
from admin.reports.fft import COUNTS, UNKNOWN_SERVICE, fft_return, summarise
from admin.reports.periods import month_bounds
from service.conversations import MODES
from storage.models import Service

BOT_MODES = tuple(dict.fromkeys(MODES.values()))  # the collection modes the bot records, in NHS England's words
NO_SERVICE = "No service given"
TRUST_TOTAL = "Trust total"
_ODS = re.compile(r"[A-Z0-9]{3,10}")


def normalise_ods(text: str | None) -> str | None:
    """An ODS code as typed, upper-cased with spaces taken out; None if it is not 3 to 10 letters and digits."""
    code = "".join((text or "").split()).upper()
    return code if _ODS.fullmatch(code) else None


@dataclass
class SiteReturn:
    """One month's return: a row per site, the trust's total, and what to check before submitting."""

    month: date
    trust_ods_code: str | None
    modes: list[str]
    rows: list[dict]  # ods_code, service_codes, services, no_service, the six counts, total, percents, modes
    total: dict  # the trust's row, in the same shape
    no_responses: list[dict]  # active services with no answers this month: code, name, ods_code
    missing_ods: list[dict]  # services in the return with no ODS site code: code, name, known (a service here)

    @property
    def no_service_answers(self) -> int:
        """Answers that named no service: in the trust total, but at no site."""
        return sum(r["total"] for r in self.rows if r["no_service"])


def _blank_row(ods: str, modes: list[str]) -> dict:
    return {"ods_code": ods, "service_codes": [], "services": [], "no_service": False, **{k: 0 for k in COUNTS},
            "modes": {m: 0 for m in modes}}


def _add(row: dict, counts: dict) -> None:
    for k in COUNTS:
        row[k] += counts[k]
    for mode, n in counts["modes"].items():
        row["modes"][mode] = row["modes"].get(mode, 0) + n


def site_return(db, month: date, *, tz: str = "Europe/London", trust_ods_code: str | None = None) -> SiteReturn:
    """The month's return from the answers and each service's ODS site code."""
    services = {s.code: s for s in db.scalars(select(Service))}
    answered: dict[str, dict] = {}
    for line in fft_return(db, *month_bounds(month, tz)):
        if not line["total"]:
            continue  # only answers that are no FFT rating
        counts = answered.setdefault(line["service"], {**{k: 0 for k in COUNTS}, "modes": {}})
        _add(counts, {**line, "modes": {line["mode"]: line["total"]}})
    modes = list(BOT_MODES) + sorted({m for c in answered.values() for m in c["modes"]} - set(BOT_MODES))
    sites: dict[tuple, dict] = {}
    missing = []
    for code, counts in answered.items():
        service = services.get(code)
        ods = service.ods_code if service and service.ods_code else ""
        row = sites.setdefault(("site", ods) if ods else ("service", code), _blank_row(ods, modes))
        row["service_codes"].append(code)
        row["no_service"] = code == UNKNOWN_SERVICE
        row["services"].append(service.name if service else NO_SERVICE if code == UNKNOWN_SERVICE else code)
        _add(row, counts)
        if not ods and code != UNKNOWN_SERVICE:
            missing.append({"code": code, "name": row["services"][-1], "known": service is not None})
    rows = sorted(sites.values(), key=lambda r: (r["no_service"], not r["ods_code"],
                                                  r["ods_code"], sorted(r["services"])))
    total = _blank_row(trust_ods_code or "", modes)
    total["services"] = [TRUST_TOTAL]
    for row in rows:
        _add(total, row)
    idle = [{"code": s.code, "name": s.name, "ods_code": s.ods_code or ""}
            for s in sorted(services.values(), key=lambda s: s.name) if s.active and s.code not in answered]
    return SiteReturn(month, trust_ods_code, modes, [summarise(r) for r in rows], summarise(total), idle,
                      sorted(missing, key=lambda m: m["name"]))


def mode_column(mode: str) -> str:
    """A mode's column in the files: "SMS/text message" is mode_sms_text_message."""
    return "mode_" + re.sub(r"[^a-z0-9]+", "_", mode.lower()).strip("_")


def header(modes: list[str]) -> tuple[str, ...]:
    return ("ods_code", "service_code", "service", *COUNTS, "total", *map(mode_column, modes),
            "percent_positive", "percent_negative")


def _cells(row: dict, modes: list[str]) -> tuple:
    codes = "" if row["no_service"] else "; ".join(row["service_codes"])
    return (row["ods_code"], codes, "; ".join(row["services"]), *(row[k] for k in COUNTS), row["total"],
            *(row["modes"].get(m, 0) for m in modes),
            *("" if row[k] is None else row[k] for k in ("percent_positive", "percent_negative")))


def notes(ret: SiteReturn) -> list[str]:
    """What the files say under the figures: what they are, and what to fix before submitting."""
    out = [f"FFT answers given in {ret.month:%B %Y} (UK calendar month). One row per ODS site code: services "
           "that share a site are added together. The last row is the trust total.",
           "Counts are exact, not suppressed: NHS England needs exact counts and applies its own rules for small "
           "numbers when it publishes. Do not publish this file as it stands.",
           "% positive = (Very good + Good) / all answers including Don't know; "
           "% negative = (Poor + Very poor) / all answers."]
    if not ret.trust_ods_code:
        out.append("Fix before submitting: the trust's ODS code is not set (YOURSAY_TRUST_ODS_CODE).")
    if ret.missing_ods:
        out.append("Fix before submitting: no ODS site code for " + ", ".join(m["name"] for m in ret.missing_ods))
    if ret.no_service_answers:
        out.append(f"{ret.no_service_answers} answers named no service: they are in the trust total but at no site.")
    if ret.no_responses:
        out.append("No responses this month: " + ", ".join(
            f"{s['name']} ({s['ods_code'] or 'no ODS code'})" for s in ret.no_responses))
    return out


def as_table(ret: SiteReturn) -> Table:
    """The return as a CSV or XLSX sheet (admin.export)."""
    rows = [_cells(r, ret.modes) for r in ret.rows] + [_cells(ret.total, ret.modes)]
    return Table(f"FFT return {ret.month:%Y-%m}", header(ret.modes), rows, notes(ret))


def as_dict(ret: SiteReturn) -> dict:
    """The return as plain data (the CLI's JSON)."""
    return {"month": f"{ret.month:%Y-%m}", "trust_ods_code": ret.trust_ods_code, "modes": ret.modes,
            "rows": ret.rows, "total": ret.total, "no_responses": ret.no_responses, "missing_ods": ret.missing_ods}
