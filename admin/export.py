"""CSV and XLSX downloads: every export's file is made here, and no cell ever runs as a formula.

Plain tables in, a download out; the caller checks the role and records the export in the audit
log. In CSV a text cell that starts like a formula gets a leading apostrophe; in XLSX every text
cell is stored as text.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Iterable, Iterator, Sequence

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHUNK_ROWS = 200  # rows of a streamed CSV sent at a time


@dataclass
class Table:
    """One sheet: a title, a header row, rows (any iterable, e.g. a generator), and notes under it."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    notes: list[str] = field(default_factory=list)


def csv_safe(value) -> str:
    """A CSV cell a spreadsheet will show as text, never run as a formula."""
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV in pieces: a BOM so Excel reads UTF-8, the header, rows, then notes as '# ...' lines."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in table.header])
    for n, row in enumerate(table.rows, start=1):
        writer.writerow([v if _is_number(v) else csv_safe(v) for v in row])
        if n % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    for note in table.notes:
        writer.writerow([csv_safe("# " + note)])
    yield out.getvalue()


def to_csv(table: Table) -> str:
    return "".join(csv_chunks(table))


def write_xlsx(tables: list[Table], out: IO[bytes]) -> None:
    """The tables as one workbook, a sheet each, streamed (write-only), text cells stored as text."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, book.sheetnames))
        header = []
        for name in table.header:
            cell = _cell(sheet, name)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_cell(sheet, v) for v in row])
        if table.notes:
            sheet.append([])
            for note in table.notes:
                sheet.append([_cell(sheet, note)])
    book.save(out)


def to_xlsx(tables: list[Table]) -> bytes:
    out = io.BytesIO()
    write_xlsx(tables, out)
    return out.getvalue()


EXCEL_DIGITS = 15  # Excel keeps 15 significant digits: a longer whole number (a random id) is written as text


def _cell(sheet, value) -> WriteOnlyCell:
    if _is_number(value) and not (isinstance(value, int) and abs(value) >= 10 ** EXCEL_DIGITS):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", _text(value)))
    cell.data_type = "s"  # never a formula, whatever it starts with
    return cell


def _sheet_name(title: str, taken: list[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    n = 2
    while name in taken:
        suffix = f" ({n})"
        name = name[:31 - len(suffix)] + suffix
        n += 1
    return name


def download(table: Table, name: str, kind: str, now: datetime) -> Response:
    """The table as an attachment named like name-20260331-0930.csv: CSV sent as it is written, XLSX once made."""
    body = to_xlsx([table]) if kind == "xlsx" else csv_chunks(table)
    return Response(body, mimetype=MIMETYPES[kind], headers={
        "Content-Disposition": f'attachment; filename="{name}-{now:%Y%m%d-%H%M}.{kind}"',
        "Cache-Control": "no-store"})
