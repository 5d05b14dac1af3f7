"""Admin fixtures: seeded data, staff of each role, and clients signed in through the real form."""
from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher

from admin import security
from tests.admin.factories import PASSWORD, Seed

ROLES = ("viewer", "reviewer", "admin")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# The one feedback export's columns, from the inbox and from the exports page alike.
EXPORT_COLUMNS = ["story_id", "response_id", "received", "service_code", "service", "survey", "question", "channel",
                  "fft_answer", "sentiment", "flagged", "themes", "major_categories", "text"]


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Argon2id still, with tiny costs, so tests that sign in many times stay quick."""
    monkeypatch.setattr(security, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def seed(runtime, services):
    return Seed(runtime)


@pytest.fixture
def staff(seed):
    """One user of each role, named after it."""
    return {role: seed.user(role, role) for role in ROLES}


def csrf_token(client, url: str = "/admin/login") -> str:
    """The CSRF token from a page's form."""
    match = TOKEN.search(client.get(url).get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post("/admin/login", data={"username": username, "password": password,
                                             "csrf_token": csrf_token(client)})


@pytest.fixture
def as_role(app, staff):
    """as_role('reviewer') -> a test client signed in as that role."""
    def make(role: str):
        client = app.test_client()
        response = sign_in(client, role)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return make


def post(client, url: str, data: dict | None = None, token_from: str = "/admin/", **kwargs):
    """POST a form with the session's CSRF token, as the browser would."""
    return client.post(url, data={"csrf_token": csrf_token(client, token_from), **(data or {})}, **kwargs)
