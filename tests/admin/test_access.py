"""Sign-in, sessions, CSRF and who may open what."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from admin import security
from storage.models import AuditEntry, SignInThrottle, User
from tests.admin.conftest import csrf_token, post, sign_in
from tests.admin.factories import PASSWORD

ADMIN_GETS = ["/admin/", "/admin/flags/", "/admin/flags/1", "/admin/feedback/", "/admin/feedback/1",
              "/admin/users/", "/admin/users/new", "/admin/users/1", "/admin/audit/"]
ADMIN_POSTS = ["/admin/logout", "/admin/flags/1/close", "/admin/feedback/1/original", "/admin/feedback/1/tags",
               "/admin/feedback/1/qi", "/admin/feedback/bulk", "/admin/feedback/export", "/admin/users/new",
               "/admin/users/1"]


@pytest.mark.parametrize("url", ADMIN_GETS)
def test_every_admin_page_sends_a_stranger_to_sign_in(client, runtime, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


@pytest.mark.parametrize("url", ADMIN_POSTS)
def test_every_admin_action_refuses_a_stranger(client, runtime, url):
    without_token = client.post(url, data={})
    assert without_token.status_code == 400  # no CSRF token: refused before anything else
    with_token = client.post(url, data={"csrf_token": csrf_token(client)})
    assert with_token.status_code == 302 and with_token.headers["Location"].startswith("/admin/login")


def test_the_sign_in_page_is_open_and_has_the_contract_fields(client, runtime):
    page = client.get("/admin/login").get_data(as_text=True)
    for field in ('name="username"', 'name="password"', 'name="csrf_token"'):
        assert field in page
    assert 'href="#maincontent"' in page  # skip link
    assert "nhsuk-header" in page and "nhsuk-footer" in page


def test_webhooks_and_health_need_no_sign_in_and_no_csrf_token(client, runtime):
    assert client.get("/health").status_code == 200
    # Unsigned webhook calls are refused by the webhooks' own checks, not by CSRF (400) or sign-in (302).
    assert client.post("/sms/inbound", data={"From": "+447700900123", "Body": "hi"}).status_code == 403
    assert client.post("/telegram/webhook", json={}).status_code in (401, 403)


def test_signing_in_lands_on_the_home_page_with_a_fresh_session(client, staff):
    client.get("/admin/login")
    before = client.get_cookie("yoursay_session").value
    response = sign_in(client, "reviewer")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert client.get_cookie("yoursay_session").value != before
    assert client.get("/admin/").status_code == 200


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_behind_https(client, staff):
    sign_in(client, "viewer")
    cookie = client.get_cookie("yoursay_session")
    assert cookie.http_only and cookie.same_site == "Lax"
    assert cookie.secure  # the test settings' public URL is https


def test_the_session_cookie_is_not_secure_without_https(runtime, staff):
    from dataclasses import replace

    from yoursay.app import create_app

    app = create_app(replace(runtime.settings, public_url="http://localhost:8000"), runtime)
    client = app.test_client()
    sign_in(client, "viewer")
    assert not client.get_cookie("yoursay_session").secure


def test_sign_in_without_a_csrf_token_is_refused(client, staff):
    response = client.post("/admin/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form has expired" in response.get_data(as_text=True)


def test_a_wrong_password_shows_an_nhs_error_summary(client, staff):
    response = sign_in(client, "admin", "not the password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nhsuk-error-summary" in page and "There is a problem" in page
    assert 'href="#username"' in page and "Enter a correct username and password" in page
    assert "<title>Error: " in page


def test_empty_fields_are_named_in_the_error_summary(client, staff):
    page = client.post("/admin/login", data={"csrf_token": csrf_token(client)}).get_data(as_text=True)
    assert "Enter your username" in page and "Enter your password" in page


def test_five_failures_lock_the_account_even_against_the_right_password(client, staff, runtime):
    for _ in range(security.MAX_FAILURES):
        sign_in(client, "reviewer", "wrong password")
    response = sign_in(client, "reviewer")
    assert response.status_code == 200 and "locked" in response.get_data(as_text=True)
    with runtime.factory() as db:
        assert db.get(SignInThrottle, "user:reviewer").locked_until > runtime.now()
        actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.target == "reviewer")))
    assert "account_locked" in actions and actions.count("sign_in_failed") == security.MAX_FAILURES + 1


def test_the_lock_ends_after_its_time(client, staff, runtime):
    for _ in range(security.MAX_FAILURES):
        sign_in(client, "reviewer", "wrong password")
    assert "locked" in sign_in(client, "reviewer").get_data(as_text=True)
    with runtime.factory.begin() as db:
        db.get(SignInThrottle, "user:reviewer").locked_until = runtime.now() - timedelta(seconds=1)
    assert sign_in(client, "reviewer").status_code == 302


def test_sign_in_never_redirects_to_another_site(client, staff):
    token = csrf_token(client)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(f"/admin/login?next={target}", data={"username": "viewer", "password": PASSWORD,
                                                                     "csrf_token": token})
        assert response.headers["Location"] == "/admin/"
        client.post("/admin/logout", data={"csrf_token": csrf_token(client, "/admin/")})
        token = csrf_token(client)


def test_sign_in_returns_to_the_admin_page_asked_for(client, staff):
    token = csrf_token(client)
    response = client.post("/admin/login?next=/admin/feedback/", data={"username": "viewer",
                                                                        "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/admin/feedback/"


def test_signing_out_needs_csrf_and_ends_the_session(as_role):
    client = as_role("viewer")
    assert client.post("/admin/logout").status_code == 400
    assert post(client, "/admin/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_a_deactivated_user_is_signed_out_at_once(as_role, runtime):
    client = as_role("reviewer")
    with runtime.factory.begin() as db:
        db.scalars(select(User).where(User.username == "reviewer")).one().active = False
    assert client.get("/admin/").status_code == 302


def test_a_role_change_applies_on_the_next_request(as_role, runtime):
    client = as_role("reviewer")
    assert client.get("/admin/flags/").status_code == 200
    with runtime.factory.begin() as db:
        db.scalars(select(User).where(User.username == "reviewer")).one().role = "viewer"
    assert client.get("/admin/flags/").status_code == 403


def test_pages_carry_security_headers(client, runtime):
    response = client.get("/admin/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)


def test_passwords_are_stored_as_argon2id_hashes(staff, runtime):
    with runtime.factory() as db:
        hashes = list(db.scalars(select(User.password_hash)))
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


# Who may do what: (method, url, the least role allowed). Ids refer to rows made by `world`.
MATRIX = [
    ("GET", "/admin/", "viewer"),
    ("GET", "/admin/feedback/", "viewer"),
    ("GET", "/admin/feedback/{story}", "viewer"),
    ("GET", "/admin/flags/", "reviewer"),
    ("GET", "/admin/flags/{flag}", "reviewer"),
    ("POST", "/admin/flags/{flag}/close", "reviewer"),
    ("POST", "/admin/feedback/{story}/original", "reviewer"),
    ("POST", "/admin/feedback/{story}/tags", "reviewer"),
    ("POST", "/admin/feedback/{story}/qi", "reviewer"),
    ("POST", "/admin/feedback/bulk", "reviewer"),
    ("POST", "/admin/feedback/export", "reviewer"),
    ("GET", "/admin/users/", "admin"),
    ("GET", "/admin/users/new", "admin"),
    ("POST", "/admin/users/new", "admin"),
    ("GET", "/admin/users/{viewer}", "admin"),
    ("POST", "/admin/users/{viewer}", "admin"),
    ("GET", "/admin/audit/", "admin"),
]
FORMS = {"close": {"action_note": "Called the person back"}, "tags": {"theme": "Staff continuity"},
         "qi": {"project_id": "{project}"}, "bulk": {"project_id": "{project}"},
         "new": {"username": "newbie", "role": "viewer", "password": PASSWORD, "confirm": PASSWORD},
         "{viewer}": {"role": "viewer", "active": "yes"}}


@pytest.fixture
def world(seed, staff):
    return {"story": seed.story(), "flag": seed.flag(), "project": seed.project(), "viewer": staff["viewer"]}


@pytest.mark.parametrize("role", ["viewer", "reviewer", "admin"])
@pytest.mark.parametrize("method,url,least", MATRIX)
def test_each_role_can_do_what_its_role_allows_and_nothing_more(as_role, world, role, method, url, least):
    client = as_role(role)
    target = url.format(**world)
    if method == "GET":
        response = client.get(target)
    else:
        form = next((f for key, f in FORMS.items() if url.endswith(key)), {})
        response = post(client, target, {k: v.format(**world) for k, v in form.items()})
    allowed = security.RANK[role] >= security.RANK[least]
    if allowed:
        assert response.status_code in (200, 302), (role, method, target, response.status_code)
    else:
        assert response.status_code == 403, (role, method, target, response.status_code)
        assert "You do not have access" in response.get_data(as_text=True)
