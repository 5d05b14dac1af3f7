"""Admins manage users; nobody can raise their own role; the audit log records it all."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from storage.models import AuditEntry, User
from tests.admin.conftest import post, sign_in
from tests.admin.factories import PASSWORD

NEW = {"username": "sam.jones", "role": "reviewer", "password": PASSWORD, "confirm": PASSWORD}


def _user(runtime, username: str) -> User | None:
    with runtime.factory() as db:
        return db.scalars(select(User).where(User.username == username)).first()


def test_an_admin_adds_a_user_who_can_then_sign_in(as_role, app, runtime):
    response = post(as_role("admin"), "/admin/users/new", NEW)
    assert response.status_code == 302
    assert _user(runtime, "sam.jones").role == "reviewer"
    assert sign_in(app.test_client(), "sam.jones").status_code == 302
    with runtime.factory() as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user_create")).one()
    assert (entry.username, entry.target) == ("admin", "user:sam.jones")


@pytest.mark.parametrize("change,field,message", [
    ({"username": "Not Valid!"}, "username", "Username must be"),
    ({"username": "viewer"}, "username", "There is already a user called viewer"),
    ({"role": "superadmin"}, "role", "Select a role"),
    ({"password": "short", "confirm": "short"}, "password", "12 characters or more"),
    ({"confirm": "something else entirely"}, "confirm", "Passwords must match"),
])
def test_a_bad_new_user_is_explained_field_by_field(as_role, runtime, change, field, message):
    response = post(as_role("admin"), "/admin/users/new", {**NEW, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and f'href="#{field}"' in page and message in page
    assert _user(runtime, "sam.jones") is None


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_no_one_below_admin_can_add_users_or_raise_a_role(as_role, staff, runtime, role):
    client = as_role(role)
    assert post(client, "/admin/users/new", {**NEW, "role": "admin"}).status_code == 403
    assert post(client, f"/admin/users/{staff[role]}", {"role": "admin", "active": "yes"}).status_code == 403
    assert _user(runtime, "sam.jones") is None and _user(runtime, role).role == role


def test_an_admin_changes_a_role_deactivates_and_resets_a_password(as_role, app, staff, runtime):
    client = as_role("admin")
    assert post(client, f"/admin/users/{staff['viewer']}", {"role": "reviewer", "active": "yes"}).status_code == 302
    assert _user(runtime, "viewer").role == "reviewer"
    post(client, f"/admin/users/{staff['viewer']}", {"role": "reviewer"})  # "Can sign in" unticked
    assert _user(runtime, "viewer").active is False
    assert sign_in(app.test_client(), "viewer").status_code == 200  # refused
    new_password = "another long password"
    post(client, f"/admin/users/{staff['viewer']}", {"role": "reviewer", "active": "yes", "password": new_password,
                                                     "confirm": new_password})
    assert sign_in(app.test_client(), "viewer", new_password).status_code == 302
    with runtime.factory() as db:
        details = list(db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "user_update")))
    assert details == ["role viewer -> reviewer", "deactivated", "activated; password reset"]


def test_an_admin_unlocks_a_locked_account(as_role, app, staff, runtime):
    for _ in range(5):
        sign_in(app.test_client(), "reviewer", "wrong")
    assert "locked" in sign_in(app.test_client(), "reviewer").get_data(as_text=True)
    post(as_role("admin"), f"/admin/users/{staff['reviewer']}", {"role": "reviewer", "active": "yes",
                                                                   "unlock": "yes"})
    assert sign_in(app.test_client(), "reviewer").status_code == 302


def test_an_admin_cannot_lock_themselves_out(as_role, staff, runtime):
    client = as_role("admin")
    response = post(client, f"/admin/users/{staff['admin']}", {"role": "viewer", "active": "yes"})
    assert response.status_code == 400 and "cannot remove your own admin role" in response.get_data(as_text=True)
    post(client, f"/admin/users/{staff['admin']}", {"role": "admin"})
    assert _user(runtime, "admin").active and _user(runtime, "admin").role == "admin"


def test_the_audit_log_lists_actions_newest_first_and_filters(as_role, seed, runtime):
    story = seed.story()
    reviewer = as_role("reviewer")
    post(reviewer, f"/admin/feedback/{story}/original")
    post(reviewer, "/admin/feedback/export", {"confirm": "yes"})
    client = as_role("admin")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert page.index("Exported</td>") < page.index("Viewed original text</td>") < page.rindex("Signed in</td>")
    only = client.get("/admin/audit/?action=export").get_data(as_text=True)
    assert "Exported</td>" in only and "Viewed original text</td>" not in only
    assert "Viewed original text</td>" in client.get("/admin/audit/?user=reviewer").get_data(as_text=True)


def test_the_audit_log_pages_by_keyset(as_role, runtime):
    from admin import audit_views

    client = as_role("admin")
    with runtime.factory.begin() as db:
        for n in range(audit_views.PAGE + 5):
            db.add(AuditEntry(username="someone", action="export", target=f"t{n}", detail="", created_at=runtime.now()))
    page = client.get("/admin/audit/").get_data(as_text=True)
    older = page.split("before=")[1].split('"')[0].split("&")[0]
    rest = client.get(f"/admin/audit/?before={older}").get_data(as_text=True)
    assert ">t0<" in rest and ">t0<" not in page


def test_yoursay_users_create_reads_the_password_from_stdin(runtime, monkeypatch):
    from yoursay.cli import main

    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("YOURSAY_MODE", "dev")
    result = CliRunner().invoke(main, ["users", "create", "--username", "Pat", "--role", "admin"],
                                input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "added pat as admin" in result.output and PASSWORD not in result.output
    user = _user(runtime, "pat")
    assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
    with runtime.factory() as db:
        assert db.scalar(select(AuditEntry.target).where(AuditEntry.action == "user_create")) == "user:pat"


def test_yoursay_users_create_refuses_a_weak_password_a_bad_role_and_a_password_argument(runtime, monkeypatch):
    from yoursay.cli import main

    monkeypatch.setenv("DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("YOURSAY_MODE", "dev")
    runner = CliRunner()
    weak = runner.invoke(main, ["users", "create", "--username", "pat", "--role", "admin"], input="short\n")
    assert weak.exit_code != 0 and "12 characters" in weak.output
    bad_role = runner.invoke(main, ["users", "create", "--username", "pat", "--role", "root"], input=PASSWORD)
    assert bad_role.exit_code != 0
    argument = runner.invoke(main, ["users", "create", "--username", "pat", "--role", "admin",
                                    "--password", PASSWORD])
    assert argument.exit_code != 0 and "No such option" in argument.output
    assert _user(runtime, "pat") is None
