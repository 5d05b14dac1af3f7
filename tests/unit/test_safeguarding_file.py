"""The safeguarding settings file: checked when it loads, so nobody runs with wording unchecked."""
from __future__ import annotations

import pytest
import yaml

from bot import gsm7, safeguarding
from bot.safeguarding import SafeguardingFileError


def shipped_data() -> dict:
    return yaml.safe_load(safeguarding.SHIPPED.read_text(encoding="utf-8"))


def test_the_shipped_file_has_every_reply_within_two_gsm7_segments():
    settings = safeguarding.load()
    assert settings.problems() == []
    for category in safeguarding.CATEGORIES:
        text = settings.reply(category)
        assert gsm7.fits(text) and "999" in text, category


def test_a_missing_reply_is_named(tmp_path):
    data = shipped_data()
    del data["replies"]["abuse"]
    path = tmp_path / "safeguarding.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SafeguardingFileError, match="replies.abuse is missing"):
        safeguarding.load(path)


def test_a_reply_over_the_sms_budget_is_refused_with_the_trusts_own_line_filled_in(tmp_path):
    path = tmp_path / "safeguarding.yaml"
    path.write_text(yaml.safe_dump(shipped_data()), encoding="utf-8")
    long_line = "Riverside and Northfield Partnership NHS Foundation Trust 24-hour Mental Health Crisis Line " * 2
    with pytest.raises(SafeguardingFileError, match="replies.suicide: 3 segments"):
        safeguarding.load(path, local_crisis_line=long_line)


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "safeguarding.yaml"
    path.write_text("replies: [unclosed", encoding="utf-8")
    with pytest.raises(SafeguardingFileError, match="cannot be read"):
        safeguarding.load(path)


@pytest.mark.parametrize("hours,words", [("24", "within 24 hours"), ("1", "within 1 hour"),
                                         ("1 working day", "within 1 working day"), ("", None)])
def test_review_hours_become_honest_words(hours, words):
    assert safeguarding.review_time(hours) == words


def test_the_server_refuses_to_start_with_a_bad_file(tmp_path, database_url):
    from dataclasses import replace

    from yoursay import config
    from yoursay.runtime import bot_config

    path = tmp_path / "bad.yaml"
    path.write_text("replies: {}\n", encoding="utf-8")
    settings = replace(config.load({"YOURSAY_MODE": "dev", "DATABASE_URL": database_url}), safeguarding_file=str(path))
    with pytest.raises(config.ConfigError, match="safeguarding settings are not usable"):
        bot_config(settings)
