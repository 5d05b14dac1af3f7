"""Small-number suppression for published counts, so no one can be picked out.

Primary: a count from 1 to threshold-1 is hidden. Secondary: in every line of the table
(a row or a column with its total, and the totals with the grand total) either nothing is
hidden, or at least two entries are, and when the line's total is shown the hidden cells
add up to at least the threshold. So a hidden cell can never be worked out by subtracting
the shown cells from a total, and the hidden cells together never form a small group.
Cells are hidden in order of size, the smallest first, preferring one whose other line
needs a hidden cell too (so fewer cells are lost). Hidden entries read SUPPRESSED ("*").
"""
from __future__ import annotations

from dataclasses import dataclass

SUPPRESSED = "*"
THRESHOLD = 5


@dataclass
class Suppressed:
    """The published table: each entry an int or SUPPRESSED. Totals are None when not shown."""

    cells: list[list[int | str]]
    row_totals: list[int | str] | None
    col_totals: list[int | str] | None
    total: int | str | None


def suppress(grid: list[list[int]], threshold: int = THRESHOLD, *, row_totals: bool = True,
             col_totals: bool = True) -> Suppressed:
    """Suppress a table of counts; grid[r][c] is a count. The grand total is shown with both margins."""
    rows, cols = len(grid), len(grid[0]) if grid else 0
    value: dict[tuple, int] = {("c", r, c): grid[r][c] for r in range(rows) for c in range(cols)}
    lines: list[tuple[list[tuple], tuple]] = []
    if row_totals:
        for r in range(rows):
            value[("r", r)] = sum(grid[r])
            lines.append(([("c", r, c) for c in range(cols)], ("r", r)))
    if col_totals:
        for c in range(cols):
            value[("k", c)] = sum(grid[r][c] for r in range(rows))
            lines.append(([("c", r, c) for r in range(rows)], ("k", c)))
    if row_totals and col_totals:
        value[("g",)] = sum(map(sum, grid))
        lines.append(([("r", r) for r in range(rows)], ("g",)))
        lines.append(([("k", c) for c in range(cols)], ("g",)))
    hidden = {key for key, v in value.items() if 0 < v < threshold}
    lines_of: dict[tuple, list] = {}
    for line in lines:
        for key in (*line[0], line[1]):
            lines_of.setdefault(key, []).append(line)

    def also_needed(key, line) -> bool:
        """Hiding key would also help another line that is not yet safe."""
        return any(other is not line and _unsafe(*other, hidden, value, threshold) for other in lines_of[key])

    changed = True
    while changed:
        changed = False
        for line in lines:
            members, total = line
            while _unsafe(members, total, hidden, value, threshold):
                pick = _next_to_hide(members, total, hidden, value, lambda key: also_needed(key, line))
                if pick is None:
                    break
                hidden.add(pick)
                changed = True

    def show(key):
        return SUPPRESSED if key in hidden else value[key]

    return Suppressed(
        cells=[[show(("c", r, c)) for c in range(cols)] for r in range(rows)],
        row_totals=[show(("r", r)) for r in range(rows)] if row_totals else None,
        col_totals=[show(("k", c)) for c in range(cols)] if col_totals else None,
        total=show(("g",)) if row_totals and col_totals else None)


def _unsafe(members, total, hidden, value, threshold) -> bool:
    """One line: exactly one unknown can be worked out; hidden cells under a shown total must not be small."""
    unknown = [m for m in members if m in hidden] + ([total] if total in hidden else [])
    if len(unknown) == 1:
        return True
    return bool(unknown) and total not in hidden and sum(value[m] for m in unknown) < threshold


def _next_to_hide(members, total, hidden, value, helps_elsewhere):
    """The smallest shown non-zero cell, preferring one another unsafe line needs too; else the total; else a zero."""
    nonzero = [m for m in members if m not in hidden and value[m] > 0]
    if nonzero:
        return min(nonzero, key=lambda m: (not helps_elsewhere(m), value[m], m))
    if total not in hidden:
        return total
    zeros = [m for m in members if m not in hidden]
    return min(zeros) if zeros else None


def suppress_column(counts: list[int], threshold: int = THRESHOLD) -> tuple[list[int | str], int | str]:
    """One column of counts with its total, suppressed: (entries, total)."""
    table = suppress([[n] for n in counts], threshold, row_totals=False, col_totals=True)
    return [row[0] for row in table.cells], table.col_totals[0]
