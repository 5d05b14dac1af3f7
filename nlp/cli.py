"""`yoursay nlp`: tag a CSV, evaluate and train the shipped model."""
from __future__ import annotations

import contextlib
import csv
import sys
from collections.abc import Callable
from pathlib import Path

import click

from nlp.data import DEFAULT_DATA

BATCH = 256
NEW_COLUMNS = ["themes", "sentiment", "risk", "redacted"]


def nlp_commands(database_url: Callable[[], str]) -> click.Group:
    """The `nlp` commands; database_url() is the configured database, asked for only when corrections are."""
    group = click.Group("nlp", help="Themes, sentiment, safeguarding flags and redaction for free text.")
    for command in (tag, evaluate, _train(database_url)):
        group.add_command(command)
    return group


def _read_csv(path: str) -> tuple[list[str], list[list[str]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError as exc:
        raise click.ClickException(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise click.ClickException(f"{path}: is a directory, not a CSV file") from exc
    except PermissionError as exc:
        raise click.ClickException(f"{path}: cannot read the file (permission denied)") from exc
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path}: the file is not UTF-8 text; save it as CSV UTF-8") from exc
    except (OSError, csv.Error) as exc:
        raise click.ClickException(f"{path}: cannot read the file as CSV ({exc})") from exc
    if not rows:
        raise click.ClickException(f"{path}: the file is empty (no header row)")
    return rows[0], rows[1:]


def _column(header: list[str], name: str | None, option: str, path: str) -> int | None:
    if name is None:
        return None
    if name not in header:
        raise click.ClickException(f"{path}: no column {name!r} (for {option}); columns are: "
                                   + ", ".join(repr(h) for h in header))
    return header.index(name)


@click.command("tag")
@click.argument("input_csv", metavar="INPUT.csv")
@click.option("--text-column", required=True, help="The column with the free text.")
@click.option("--question-column", help="The column with the question that was asked, if any.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the CSV with four added columns.")
def tag(input_csv: str, text_column: str, question_column: str | None, output: str) -> None:
    """Add themes, sentiment, risk and redacted columns to every row of a CSV, in order.

    The risk column is a screening flag for staff to review, not a clinical assessment.
    """
    from nlp.pipeline import analyse_batch, load

    header, rows = _read_csv(input_csv)
    t = _column(header, text_column, "--text-column", input_csv)
    q = _column(header, question_column, "--question-column", input_csv)
    try:
        tagger = load()
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    width = len(header)
    try:
        out = open(output, "w", newline="", encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write ({exc.strerror})") from exc
    bar = (click.progressbar(length=len(rows), label="tagging", file=sys.stderr) if sys.stderr.isatty()
           else contextlib.nullcontext())
    with out, bar:
        writer = csv.writer(out)
        writer.writerow(header + NEW_COLUMNS)
        for start in range(0, len(rows), BATCH):
            chunk = [r + [""] * (width - len(r)) for r in rows[start:start + BATCH]]
            texts = [r[t] for r in chunk]
            questions = [r[q] for r in chunk] if q is not None else None
            for row, a in zip(chunk, analyse_batch(texts, questions, tagger)):
                risk = a.risk.category if a.risk is not None and a.risk.alert else ""
                writer.writerow(row + ["; ".join(name for name, _ in a.themes), a.sentiment, risk, a.redacted])
            if bar is not None and hasattr(bar, "update"):
                bar.update(len(chunk))
    click.echo(f"tagged {len(rows)} rows into {output}", err=True)


@click.command("evaluate")
@click.option("--data", default=str(DEFAULT_DATA), show_default=True, help="A labelled CSV like qdc_v6_train.csv.")
def evaluate(data: str) -> None:
    """Per-label precision, recall and F1, macro/micro F1 and sentiment accuracy of the shipped model."""
    from nlp.data import load_csv
    from nlp.labels import THEMES
    from nlp.pipeline import analyse_batch, load

    try:
        examples = load_csv(data)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {data}: {exc}") from exc
    results = analyse_batch([e.text for e in examples], [e.question for e in examples], load())
    click.echo(f"{'label':60} {'n':>5} {'prec':>6} {'recall':>6} {'F1':>6}")
    f1s, TP, FP, FN = [], 0, 0, 0
    for label in THEMES:
        tp = fp = fn = 0
        for e, a in zip(examples, results):
            pred, gold = any(n == label for n, _ in a.themes), label in e.themes
            tp, fp, fn = tp + (pred and gold), fp + (pred and not gold), fn + (gold and not pred)
        TP, FP, FN = TP + tp, FP + fp, FN + fn
        if tp + fn == 0 and fp == 0:
            continue
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        if tp + fn:
            f1s.append(f)
        click.echo(f"{label[:60]:60} {tp + fn:5d} {p:6.3f} {r:6.3f} {f:6.3f}")
    micro = 2 * TP / (2 * TP + FP + FN) if TP else 0.0
    click.echo(f"macro-F1 {sum(f1s) / len(f1s):.3f} (over {len(f1s)} labels with positives)")
    click.echo(f"micro-F1 {micro:.3f}")
    pairs = [(a.sentiment, e.sentiment) for e, a in zip(examples, results) if e.sentiment]
    if pairs:
        click.echo(f"sentiment accuracy {sum(p == g for p, g in pairs) / len(pairs):.3f} (n={len(pairs)})")


def _train(configured_database: Callable[[], str]) -> click.Command:
    """The `train` command, handed how to find the configured database."""

    @click.command("train")
    @click.option("--data", default=str(DEFAULT_DATA), show_default=True, help="The labelled training CSV.")
    @click.option("--include-corrections", is_flag=True, help="Also learn from staff corrections in the database.")
    @click.option("--database-url", help="Where the corrections are (default: the configured database).")
    @click.option("--output", type=click.Path(file_okay=False), help="Model folder (default: the shipped nlp/model).")
    def train_cmd(data: str, include_corrections: bool, database_url: str | None, output: str | None) -> None:
        """Train the theme and sentiment model from the CSV, with a fixed seed."""
        from nlp.train import MODEL_DIR, train

        if not Path(data).is_file():
            raise click.ClickException(f"{data}: no such file (give the training CSV with --data)")
        extra = []
        if include_corrections:
            from nlp.corrections import CorrectionsUnavailable, load_corrections

            try:
                extra = load_corrections(database_url or configured_database())
            except CorrectionsUnavailable as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"including {len(extra)} corrections")
        try:
            train(data, output or MODEL_DIR, extra=extra, log=click.echo)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc

    return train_cmd
