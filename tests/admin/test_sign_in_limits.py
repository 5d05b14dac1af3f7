"""Failed sign-ins are limited per username, and per address only behind a trusted proxy, in the database."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from admin import auth, security
from storage import throttle
from storage.models import AuditEntry, SignInThrottle
from tests.admin.conftest import csrf_token, sign_in
from tests.admin.factories import PASSWORD
from yoursay.app import create_app
from yoursay.runtime import build


def attempt(client, username: str, password: str = PASSWORD, address: str | None = None):
    """Sign in through the form, from address as a proxy in front would report it."""
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post("/admin/login", data={"username": username, "password": password,
                                             "csrf_token": csrf_token(client)}, headers=headers)


def said(response) -> str:
    page = response.get_data(as_text=True)
    return "locked" if auth.LOCKED in page else "wrong" if auth.BAD_CREDENTIALS in page else str(response.status_code)


def test_an_unknown_name_is_locked_like_a_real_one_with_the_same_message(client, staff):
    real = [said(sign_in(client, "reviewer", "a wrong guess")) for _ in range(security.MAX_FAILURES + 1)]
    unknown = [said(sign_in(client, "no.such.person", "a wrong guess")) for _ in range(security.MAX_FAILURES + 1)]
    assert unknown == real == ["wrong"] * (security.MAX_FAILURES - 1) + ["locked", "locked"]


def test_a_right_password_starts_the_count_of_failures_again(app, client, staff):
    for _ in range(2):
        for _ in range(security.MAX_FAILURES - 1):
            assert said(sign_in(client, "viewer", "a wrong guess")) == "wrong"
        assert sign_in(app.test_client(), "viewer").status_code == 302


def test_the_count_is_shared_by_every_worker_and_kept_across_a_restart(runtime, staff):
    workers = [build(runtime.settings) for _ in range(3)]
    try:
        first, second, restarted = (create_app(rt.settings, rt).test_client() for rt in workers)
        for n in range(security.MAX_FAILURES):
            sign_in(first if n % 2 else second, "admin", "a wrong guess")
        assert said(sign_in(restarted, "admin")) == "locked"
    finally:
        for rt in workers:
            rt.close()


def test_guesses_made_at_the_same_moment_cannot_pass_the_limit(app, staff, runtime):
    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf_token(c) for c in clients]
    start = threading.Barrier(len(clients))

    def guess(client, token):
        start.wait()
        return client.post("/admin/login", data={"username": "reviewer", "password": "a wrong guess",
                                                  "csrf_token": token})

    with ThreadPoolExecutor(len(clients)) as pool:
        answers = [said(r) for r in pool.map(guess, clients, tokens)]
    with runtime.factory() as db:
        checked = db.scalar(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.detail == "wrong password"))
    assert checked == security.MAX_FAILURES and answers.count("locked") == len(clients) - checked + 1
    assert said(sign_in(app.test_client(), "reviewer")) == "locked"


def test_without_a_trusted_proxy_one_address_failing_often_locks_no_one_else_out(client, staff, runtime):
    for n in range(25):  # a forged X-Forwarded-For is ignored too
        attempt(client, f"guess{n % 5}", "a wrong guess", address=f"203.0.113.{n}")
    assert attempt(client, "admin").status_code == 302
    with runtime.factory() as db:
        assert db.scalars(select(SignInThrottle.key).where(SignInThrottle.key.like("addr:%"))).all() == []


def test_behind_a_trusted_proxy_one_address_is_paused_after_fifty_failures_and_no_other(runtime, staff):
    app = create_app(replace(runtime.settings, trusted_proxies=1), runtime)
    client = app.test_client()
    for n in range(security.ADDRESS_MAX_FAILURES):
        attempt(client, f"guess{n // security.MAX_FAILURES}", "a wrong guess", address="203.0.113.9")
        if n == 20:  # twenty failures from one address lock no one else out
            assert attempt(app.test_client(), "viewer", address="203.0.113.9").status_code == 302
    paused = attempt(client, "admin", address="203.0.113.9")
    assert paused.status_code == 429 and "Too many failed sign-ins" in paused.get_data(as_text=True)
    # The proxy adds the address it saw; one the client forged before it changes nothing.
    assert attempt(client, "admin", address="198.51.100.7, 203.0.113.9").status_code == 429
    assert attempt(client, "admin", address="198.51.100.7").status_code == 302


def test_the_users_page_shows_a_lock_and_an_admin_can_clear_it(as_role, app, staff):
    for _ in range(security.MAX_FAILURES):
        sign_in(app.test_client(), "reviewer", "a wrong guess")
    admin = as_role("admin")
    assert "Locked</td>" in admin.get("/admin/users/").get_data(as_text=True)
    assert "Unlock the account and clear its failed sign-ins (5)" in \
        admin.get(f"/admin/users/{staff['reviewer']}").get_data(as_text=True)


def test_counters_that_no_longer_count_are_forgotten(client, staff, runtime):
    sign_in(client, "no.such.person", "a wrong guess")
    assert throttle.forget(runtime.factory, runtime.now()) == 0
    assert throttle.forget(runtime.factory, runtime.now() + timedelta(hours=2)) == 1
    assert said(sign_in(client, "reviewer")) == "302"
