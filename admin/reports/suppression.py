"""Small-number suppression for published counts, so no one can be picked out.

Primary: a count from 1 to threshold-1 is hidden. Secondary: in every line of the table
(a row or a column with its total, and the totals with the grand total) either nothing is
hidden, or at least two entries are, and when the line's total is shown the hidden cells
add up to at least the threshold. So a hidden cell can never be worked out by subtracting
the shown cells from a total, and the hidden cells together never form a small group.
Cells are hidden in order of size, the smallest first, preferring one whose other line
needs a hidden cell too (so fewer cells are lost). Hidden entries read SUPPRESSED ("*").

Lines alone are not enough: a hidden count can also be worked out by combining lines (add
two row totals, take a column total and the grand total away, ...). So the whole table is
then checked as a network: nodes S, one per row, one per column, T; an edge S->row for each
row total, row->column for each cell, column->T for each column total and T->S for the grand
total, the true counts being a circulation on it. Another table fits everything published
exactly when it differs by a circulation that is zero on the shown entries and keeps every
count >= 0, and such a difference is a sum of simple cycles that each fit on their own. So a
hidden entry can be worked out exactly when no cycle of hidden (or unpublished) edges passes
through it, each edge used forwards (the count goes up) or, when its count is above zero,
backwards. While some hidden entry has no such cycle, the cheapest cycle through it is found
(each shown entry on it costing its count plus one, so small counts and zeros go first) and
the shown entries on that cycle are hidden too, until every hidden entry lies on a cycle.
"""
from __future__ import annotations

import heapq
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

    edges, flow = _network(grid, rows, cols)
    while True:
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
        free = {key for key in edges if key not in value or key in hidden}
        stuck = _first_determined(edges, flow, free, hidden)
        if stuck is None:
            break
        hidden |= _cheapest_cycle(edges, flow, free, stuck)

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


def _network(grid, rows, cols):
    """Every entry as an edge (tail, head) of the table's network, and its true count."""
    edges: dict[tuple, tuple] = {("g",): ("T", "S")}
    flow: dict[tuple, int] = {("g",): sum(map(sum, grid))}
    for r in range(rows):
        edges[("r", r)] = ("S", ("R", r))
        flow[("r", r)] = sum(grid[r])
        for c in range(cols):
            edges[("c", r, c)] = (("R", r), ("K", c))
            flow[("c", r, c)] = grid[r][c]
    for c in range(cols):
        edges[("k", c)] = (("K", c), "T")
        flow[("k", c)] = sum(grid[r][c] for r in range(rows))
    return edges, flow


def _arcs(edges, flow, keys):
    """Ways the counts can move along these edges: forwards always, backwards while above zero."""
    out: dict = {}
    for key in sorted(keys):
        tail, head = edges[key]
        out.setdefault(tail, []).append((head, key))
        if flow[key] > 0:
            out.setdefault(head, []).append((tail, key))
    return out


def _reaches(arcs, start, goal, skip) -> bool:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for nxt, key in arcs.get(node, ()):
            if key != skip and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def _first_determined(edges, flow, free, hidden):
    """The first hidden entry that no cycle of free edges passes through (so it can be worked out)."""
    arcs = _arcs(edges, flow, free)
    for key in sorted(hidden):
        tail, head = edges[key]
        if not (_reaches(arcs, head, tail, key) or flow[key] > 0 and _reaches(arcs, tail, head, key)):
            return key
    return None


def _cheapest_cycle(edges, flow, free, key) -> set:
    """The shown entries to hide so a cycle passes through key: free edges cost nothing, a shown one its count + 1."""
    arcs = _arcs(edges, flow, edges)
    tail, head = edges[key]
    best = None
    for start, goal in ((head, tail), (tail, head)) if flow[key] > 0 else ((head, tail),):
        done: set = set()
        order = 0
        heap = [(0, order, start, frozenset())]
        while heap:
            cost, _, node, opened = heapq.heappop(heap)
            if node in done:
                continue
            done.add(node)
            if node == goal:
                if best is None or cost < best[0]:
                    best = (cost, opened)
                break
            for nxt, via in arcs.get(node, ()):
                if via == key or nxt in done:
                    continue
                order += 1
                if via in free:
                    heapq.heappush(heap, (cost, order, nxt, opened))
                else:
                    heapq.heappush(heap, (cost + flow[via] + 1, order, nxt, opened | {via}))
    return set(best[1])


def suppress_column(counts: list[int], threshold: int = THRESHOLD) -> tuple[list[int | str], int | str]:
    """One column of counts with its total, suppressed: (entries, total)."""
    table = suppress([[n] for n in counts], threshold, row_totals=False, col_totals=True)
    return [row[0] for row in table.cells], table.col_totals[0]
