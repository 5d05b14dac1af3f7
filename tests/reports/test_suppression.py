"""Small-number suppression: nothing under 5 is shown, and nothing hidden can be worked back out."""
import itertools

from hypothesis import example, given, settings
from hypothesis import strategies as st

from admin.reports.suppression import SUPPRESSED, suppress, suppress_column

T = 5


def test_a_small_count_is_hidden_with_the_next_smallest():
    assert suppress_column([3, 10, 20, 8]) == ([SUPPRESSED, 10, 20, SUPPRESSED], 41)


def test_hidden_cells_that_add_up_to_a_small_group_take_another_with_them():
    assert suppress_column([1, 2, 50, 60]) == ([SUPPRESSED, SUPPRESSED, SUPPRESSED, 60], 113)


def test_zeros_and_large_counts_are_shown():
    assert suppress_column([0, 0, 12, 5]) == ([0, 0, 12, 5], 17)


def test_a_small_total_is_hidden_too():
    assert suppress_column([2, 0, 1]) == ([SUPPRESSED, 0, SUPPRESSED], SUPPRESSED)


def test_a_lone_small_count_next_to_zeros_hides_the_total():
    assert suppress_column([0, 3, 0, 0]) == ([0, SUPPRESSED, 0, 0], SUPPRESSED)


def test_a_table_hides_across_rows_and_columns():
    table = suppress([[3, 10, 12], [9, 20, 30], [15, 7, 40]])
    assert table.cells == [[SUPPRESSED, SUPPRESSED, 12], [SUPPRESSED, SUPPRESSED, 30], [15, 7, 40]]
    assert table.row_totals == [25, 59, 62] and table.col_totals == [27, 37, 82] and table.total == 146


# An attacker sees every shown cell and total and knows the hidden ones are whole numbers >= 0.
# For every hidden cell and total, look for another table that fits all of that but differs there.

def _published(grid, table):
    rows, cols = len(grid), len(grid[0])
    shown = {}
    for r in range(rows):
        for c in range(cols):
            if table.cells[r][c] != SUPPRESSED:
                shown[("c", r, c)] = table.cells[r][c]
    for name, totals in (("r", table.row_totals), ("k", table.col_totals)):
        for i, v in enumerate(totals or []):
            if v != SUPPRESSED:
                shown[(name, i)] = v
    if table.total not in (None, SUPPRESSED):
        shown[("g",)] = table.total
    return shown


def _entries(grid, values):
    rows, cols = len(grid), len(grid[0])
    out = {("c", r, c): values[r][c] for r in range(rows) for c in range(cols)}
    out.update({("r", r): sum(values[r]) for r in range(rows)})
    out.update({("k", c): sum(values[r][c] for r in range(rows)) for c in range(cols)})
    out[("g",)] = sum(map(sum, values))
    return out


def _entries_that_can_change(grid, table):
    """Hidden entries that another table, consistent with everything published, has different.

    The published lines are row and column sums, so the constraints form a bipartite incidence
    matrix (totally unimodular): if any consistent table differs at an entry, one that differs
    from the truth by -1, 0 or +1 in each hidden cell does too. So trying those moves is complete.
    """
    rows, cols = len(grid), len(grid[0])
    shown = _published(grid, table)
    truth = _entries(grid, grid)
    unknown = [(r, c) for r in range(rows) for c in range(cols) if ("c", r, c) not in shown]
    changeable = set()
    for move in itertools.product((-1, 0, 1), repeat=len(unknown)):
        if not any(move) or any(grid[r][c] + d < 0 for (r, c), d in zip(unknown, move)):
            continue
        values = [row[:] for row in grid]
        for (r, c), d in zip(unknown, move):
            values[r][c] += d
        entries = _entries(grid, values)
        if all(entries[k] == v for k, v in shown.items()):
            changeable |= {k for k in entries if entries[k] != truth[k]}
    return changeable


def _check(grid, **margins):
    table = suppress(grid, T, **margins)
    published = _published(grid, table)
    truth = _entries(grid, grid)
    for key, value in published.items():
        assert truth[key] == value
        assert not 0 < value < T, f"{key}={value} shown"
    changeable = _entries_that_can_change(grid, table)
    for key in truth:
        if key in published or (key[0] == "r" and not margins.get("row_totals", True)) or (
                key[0] == "k" and not margins.get("col_totals", True)) or (
                key[0] == "g" and table.total is None):
            continue
        assert key in changeable, f"{key} can be worked out from {table}"


def test_no_hidden_count_in_a_column_can_be_worked_out_exhaustively():
    for counts in itertools.chain.from_iterable(itertools.product(range(8), repeat=n) for n in range(1, 5)):
        _check([[n] for n in counts], row_totals=False, col_totals=True)


small_counts = st.one_of(st.integers(0, 6), st.integers(0, 14))


@settings(max_examples=300, deadline=None)
@example([[0, 0, 2], [0, 0, 3], [1, 4, 1]])
@given(st.integers(1, 3).flatmap(lambda cols: st.lists(st.lists(small_counts, min_size=cols, max_size=cols),
                                                       min_size=1, max_size=3)))
def test_no_hidden_count_in_a_table_can_be_worked_out(grid):
    _check(grid)


def test_a_hidden_count_cannot_be_worked_out_by_combining_lines():
    # Every line on its own hid two or more, but rows 0 and 1 and column 2 with the grand total
    # gave away cell (2, 2): row 0 = c02, row 1 = c12, and 11 = r0 + r1 + 6 with c02 + c12 + c22 = 6.
    grid = [[0, 0, 2], [0, 0, 3], [1, 4, 1]]
    _check(grid)
    assert suppress(grid, T).cells[2][2] == SUPPRESSED


def test_hidden_cells_under_a_shown_total_never_make_a_small_group():
    for counts in itertools.product(range(9), repeat=3):
        cells, total = suppress_column(list(counts))
        if total != SUPPRESSED:
            hidden = [n for n, shown in zip(counts, cells) if shown == SUPPRESSED]
            assert not hidden or sum(hidden) >= T
