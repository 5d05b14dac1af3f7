"""`yoursay nlp tag` end to end, and the shipped model without the shared data."""
import csv
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from nlp import pipeline
from yoursay.cli import main

ROWS = [
    {"id": "1", "answer": "The nurse was kind and listened to me", "question": "What was good?"},
    {"id": "2", "answer": "Nothing", "question": "What was good?"},
    {"id": "3", "answer": "", "question": "What could we do better?"},
    {"id": "4", "answer": "I want to kill myself", "question": "What could we do better?"},
    {"id": "5", "answer": "Dr Okafor rang me on 07700 900123", "question": "What was good?"},
    {"id": "6", "answer": "Waited four hours for the ambulance", "question": "How could we improve?"},
]


def write(path: Path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_tag_keeps_rows_in_order_with_four_columns(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write(src, ROWS)
    result = CliRunner().invoke(main, ["nlp", "tag", str(src), "--text-column", "answer",
                                       "--question-column", "question", "--output", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert [r["id"] for r in got] == [r["id"] for r in ROWS]
    assert list(got[0]) == ["id", "answer", "question", "themes", "sentiment", "risk", "redacted"]
    assert all(r["sentiment"] in ("positive", "neutral", "negative") for r in got)
    assert all(r["risk"] in ("", "suicide", "self-harm", "harm-to-others", "abuse", "unsafe") for r in got)
    assert got[2]["themes"] == "Labelling not possible"
    assert got[1]["sentiment"] == "negative"
    assert got[3]["risk"] == "suicide"
    assert got[0]["risk"] == ""
    assert "Okafor" not in got[4]["redacted"] and "900123" not in got[4]["redacted"]
    assert "Timeliness of care" in got[5]["themes"].split("; ")


def test_tag_without_question_column(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write(src, [{"text": "Lovely staff"}, {"text": "Did not answer"}])
    result = CliRunner().invoke(main, ["nlp", "tag", str(src), "--text-column", "text", "--output", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 2


def test_missing_column_is_a_clear_error(tmp_path):
    src = tmp_path / "in.csv"
    write(src, ROWS)
    result = CliRunner().invoke(main, ["nlp", "tag", str(src), "--text-column", "comment",
                                       "--output", str(tmp_path / "o.csv")])
    assert result.exit_code != 0
    assert "comment" in result.output and "no column" in result.output
    result = CliRunner().invoke(main, ["nlp", "tag", str(src), "--text-column", "answer",
                                       "--question-column", "q", "--output", str(tmp_path / "o.csv")])
    assert result.exit_code != 0 and "'q'" in result.output


def test_unreadable_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "nope.csv"
    result = CliRunner().invoke(main, ["nlp", "tag", str(missing), "--text-column", "a", "--output", str(tmp_path / "o.csv")])
    assert result.exit_code != 0 and "no such file" in result.output
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x9a garbage")
    result = CliRunner().invoke(main, ["nlp", "tag", str(binary), "--text-column", "a", "--output", str(tmp_path / "o.csv")])
    assert result.exit_code != 0 and "UTF-8" in result.output


def test_shipped_model_loads_and_tags_without_shared_data(tmp_path):
    """In a fresh process where the shared data is unreachable, the shipped model tags."""
    assert (pipeline.MODEL_DIR / "themes.npz").exists()
    size = sum(p.stat().st_size for p in pipeline.MODEL_DIR.iterdir())
    assert size < 25 * 1024 * 1024
    code = ("import nlp.data as d, pathlib; d.DEFAULT_DATA = pathlib.Path('/nonexistent.csv');"
            "from nlp import analyse; a = analyse('The staff were lovely', 'What was good?');"
            "assert a.themes and a.sentiment == 'positive', a; print('ok')")
    env = {**os.environ, "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_loader_is_cached():
    assert pipeline.load() is pipeline.load()


def test_include_corrections_without_storage_module_is_clear(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "storage.corrections":
            raise ModuleNotFoundError("No module named 'storage.corrections'", name="storage.corrections")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    data = tmp_path / "d.csv"
    data.write_text("FFT answer,FFT question\nGood,What was good?\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["nlp", "train", "--data", str(data), "--include-corrections",
                                       "--database-url", "sqlite://", "--output", str(tmp_path / "m")])
    assert result.exit_code != 0
    assert "storage.corrections" in result.output


def test_extra_examples_are_checked():
    import pytest

    from nlp.train import as_examples

    ex = as_examples([("Lovely food", "What was good?", ["Food & drink provision & facilities"])])
    assert ex[0].themes == ["Food & drink provision & facilities"] and ex[0].question == "What was good?"
    with pytest.raises(ValueError):
        as_examples([("x", None, ["Not a theme"])])


def test_include_corrections_reads_the_configured_database_by_default(tmp_path, monkeypatch):
    from nlp import corrections

    asked = []

    def load_corrections(database_url):
        asked.append(database_url)
        raise corrections.CorrectionsUnavailable("no corrections here")

    monkeypatch.setattr(corrections, "load_corrections", load_corrections)
    data = tmp_path / "d.csv"
    data.write_text("FFT answer,FFT question\nGood,What was good?\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'configured.db'}"
    result = CliRunner().invoke(main, ["nlp", "train", "--data", str(data), "--include-corrections",
                                       "--output", str(tmp_path / "m")],
                                env={"DATABASE_URL": url, "YOURSAY_MODE": "dev"})
    assert asked == [url]
    assert result.exit_code != 0 and "no corrections here" in result.output


def test_include_corrections_with_bad_settings_says_which_setting(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("FFT answer,FFT question\nGood,What was good?\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["nlp", "train", "--data", str(data), "--include-corrections",
                                       "--output", str(tmp_path / "m")],
                                env={"YOURSAY_MODE": "dev", "YOURSAY_QUIET_HOURS": "whenever"})
    assert result.exit_code != 0 and "YOURSAY_QUIET_HOURS must look like 21:00-09:00" in result.output
    assert not (tmp_path / "m").exists()

