"""Serving: the secret-key rule, health, and scheduled jobs running once across workers."""
from __future__ import annotations

from dataclasses import replace

import pytest

from yoursay import config, scheduler
from yoursay.runtime import build
from yoursay.serve import prepare


def test_serve_refuses_to_start_in_production_without_a_secret_key(settings):
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        prepare(replace(settings, mode="production", secret_key=None))


def test_serve_refuses_a_secret_key_shorter_than_32_characters_in_production(settings):
    with pytest.raises(config.ConfigError, match="at least 32 characters"):
        prepare(replace(settings, mode="production", secret_key="x" * 31))
    replace(settings, mode="production", secret_key="x" * 32).check_can_serve()


def test_trusted_proxies_is_a_small_count_and_off_unless_set():
    assert config.load({}).trusted_proxies == 0
    assert config.load({"YOURSAY_TRUSTED_PROXIES": "1"}).trusted_proxies == 1
    for bad in ("-1", "6", "nginx"):
        with pytest.raises(config.ConfigError, match="YOURSAY_TRUSTED_PROXIES"):
            config.load({"YOURSAY_TRUSTED_PROXIES": bad})


def test_demo_and_dev_modes_start_without_a_secret_key(settings):
    app = prepare(replace(settings, mode="demo", secret_key=None))
    assert app.test_client().get("/health").json == {"status": "ok", "database": "ok"}
    app.extensions["yoursay"].engine.dispose()


def test_the_admin_is_served_behind_its_sign_in_page(client):
    assert client.get("/admin/").headers["Location"].startswith("/admin/login")
    page = client.get("/admin/login")
    assert page.status_code == 200 and b"YourSay" in page.data


def test_scheduled_jobs_run_in_one_worker_process_only(runtime):
    other = build(runtime.settings)
    other.worker = "another-worker:2"
    try:
        assert scheduler.tick(runtime) is True
        assert scheduler.tick(other) is False, "a second worker must not run the same jobs"
        assert scheduler.tick(runtime) is True, "the holder renews its lease"
    finally:
        other.engine.dispose()


def test_quiet_hours_are_parsed_and_can_be_turned_off():
    quiet = config.parse_quiet_hours("21:00-09:00")
    from datetime import time

    assert quiet.contains(time(23, 0)) and quiet.contains(time(8, 59)) and not quiet.contains(time(9, 0))
    assert config.parse_quiet_hours("off") is None
    with pytest.raises(config.ConfigError):
        config.parse_quiet_hours("late")
