"""Sign-in takes as long whether or not the username exists, so its timing names no one."""
from __future__ import annotations

import statistics
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

from admin import security
from storage.models import User
from tests.admin.conftest import csrf_token
from tests.admin.factories import PASSWORD

SAMPLES = 5


@pytest.fixture
def real_hashing(monkeypatch):
    """The hasher production uses (argon2-cffi's defaults), not the tests' cheap one."""
    monkeypatch.setattr(security, "hasher", PasswordHasher())


def timed_sign_in(client, username: str, password: str) -> float:
    token = csrf_token(client)
    started = time.perf_counter()
    response = client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200  # refused, every time
    return elapsed


@pytest.mark.slow
def test_an_unknown_name_takes_as_long_as_a_real_one_or_a_deactivated_one(real_hashing, app, seed, runtime):
    for n in range(SAMPLES):  # a name each, so no name is locked part-way
        seed.user(f"known{n}", "viewer")
        seed.user(f"gone{n}", "viewer")
    with runtime.factory.begin() as db:
        db.execute(update(User).where(User.username.like("gone%")).values(active=False))
    client = app.test_client()
    timed_sign_in(client, "warm.up", "a wrong guess")
    times = {"unknown": [], "known, wrong password": [], "deactivated, right password": []}
    for n in range(SAMPLES):  # interleaved, so a busy moment on the machine falls on each kind alike
        times["unknown"].append(timed_sign_in(client, f"nobody{n}", "a wrong guess"))
        times["known, wrong password"].append(timed_sign_in(client, f"known{n}", "a wrong guess"))
        times["deactivated, right password"].append(timed_sign_in(client, f"gone{n}", PASSWORD))
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    ratio = max(medians.values()) / min(medians.values())
    assert ratio < 1.5, f"sign-in timing differs by kind of name: {medians}"
