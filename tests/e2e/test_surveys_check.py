"""`yoursay surveys check` as a trust runs it: a survey that claims a reserved word is refused."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from yoursay.cli import main

BIN = Path(sys.executable).parent
CARERS = """\
id: carers
version: 1
title: Carers' experience
keywords: [{keywords}]
questions:
  - id: support
    type: text
    text: What one thing would have helped you most as a carer?
"""
CLAIMED = ("GET INVOLVED", "SIGN ME UP", "DELETE ME")


def env(tmp_path) -> dict:
    out = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "YOURSAY_MODE": "dev"}
    out.pop("YOURSAY_SURVEY_DIR", None)
    return out


def test_a_survey_claiming_reserved_words_is_refused_naming_each_word(tmp_path):
    path = tmp_path / "carers.yaml"
    path.write_text(CARERS.format(keywords=", ".join(["CARERS", *CLAIMED])), encoding="utf-8")
    result = subprocess.run([str(BIN / "yoursay"), "surveys", "check", str(path)], cwd=tmp_path, env=env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    for word in CLAIMED:
        assert f"{path}: keyword {word!r} is a reserved word, kept for getting involved" in result.stderr
    assert "Error: 3 error(s) in survey files" in result.stderr
    assert "ok:" not in result.stdout and "Traceback" not in result.stderr


def test_the_same_survey_with_its_own_keyword_only_is_ok(tmp_path):
    path = tmp_path / "carers.yaml"
    path.write_text(CARERS.format(keywords="CARERS"), encoding="utf-8")
    result = CliRunner().invoke(main, ["surveys", "check", str(path)], env=env(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"ok: carers version 1 (1 questions) from {path}" in result.output


SUPPORT = """\
id: support
version: 1
title: Support
questions:
  - id: helpful
    type: choice
    text: How helpful was the support?
    options:
      - {{label: Helpful, synonyms: [useful], maybe: [{helpful_maybe}]}}
      - {{label: Not helpful, maybe: [thumbs down, ok]}}
"""


def test_synonyms_and_maybe_words_are_checked_and_a_clash_is_named(tmp_path):
    path = tmp_path / "support.yaml"
    path.write_text(SUPPORT.format(helpful_maybe="thumbs up, OK"), encoding="utf-8")
    result = CliRunner().invoke(main, ["surveys", "check", str(path)], env=env(tmp_path))
    assert result.exit_code == 1
    assert f"{path}: question helpful: 'ok' is given for both 'helpful' and 'not_helpful'" in result.output

    path.write_text(SUPPORT.format(helpful_maybe="thumbs up"), encoding="utf-8")
    result = CliRunner().invoke(main, ["surveys", "check", str(path)], env=env(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"ok: support version 1 (1 questions) from {path}" in result.output
