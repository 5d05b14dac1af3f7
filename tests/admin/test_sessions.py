"""Sessions end at once: a copied cookie stops working after sign-out, a password reset,
deactivation or a role change."""
from __future__ import annotations

from tests.admin.conftest import post, sign_in

NEW_PASSWORD = "a different long password"


def copy_of(app, client):
    """Another browser holding a copy of the client's session cookie, as someone who copied it would."""
    other = app.test_client()
    other.set_cookie("yoursay_session", client.get_cookie("yoursay_session").value)
    return other


def refused(client) -> bool:
    response = client.get("/admin/")
    return response.status_code == 302 and response.headers["Location"].startswith("/admin/login")


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, as_role):
    client = as_role("reviewer")
    copy = copy_of(app, client)
    assert copy.get("/admin/flags/").status_code == 200  # the copy works while the session lasts
    assert post(client, "/admin/logout").status_code == 302
    assert refused(copy) and refused(client)


def test_signing_out_ends_the_users_other_sessions_but_no_one_elses(as_role):
    here, elsewhere, colleague = as_role("viewer"), as_role("viewer"), as_role("reviewer")
    post(here, "/admin/logout")
    assert refused(elsewhere)
    assert colleague.get("/admin/").status_code == 200


def test_a_cookie_copied_before_a_password_reset_is_refused_after_it(app, as_role, staff):
    victim = as_role("viewer")
    copy = copy_of(app, victim)
    post(as_role("admin"), f"/admin/users/{staff['viewer']}",
         {"role": "viewer", "active": "yes", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused(copy) and refused(victim)
    fresh = app.test_client()
    assert sign_in(fresh, "viewer", NEW_PASSWORD).status_code == 302
    assert fresh.get("/admin/").status_code == 200


def test_a_deactivated_users_old_cookie_stays_refused_when_they_are_let_back_in(app, as_role, staff):
    client = as_role("reviewer")
    copy = copy_of(app, client)
    admin = as_role("admin")
    post(admin, f"/admin/users/{staff['reviewer']}", {"role": "reviewer"})  # "Can sign in" unticked
    assert refused(copy)
    post(admin, f"/admin/users/{staff['reviewer']}", {"role": "reviewer", "active": "yes"})
    assert refused(copy) and refused(client)
    assert sign_in(app.test_client(), "reviewer").status_code == 302


def test_a_role_changed_users_old_cookie_is_refused_and_a_new_sign_in_has_the_new_role(app, as_role, staff):
    client = as_role("reviewer")
    copy = copy_of(app, client)
    post(as_role("admin"), f"/admin/users/{staff['reviewer']}", {"role": "viewer", "active": "yes"})
    assert refused(copy) and refused(client)
    again = app.test_client()
    sign_in(again, "reviewer")
    assert again.get("/admin/").status_code == 200 and again.get("/admin/flags/").status_code == 403


def test_an_admin_who_resets_their_own_password_stays_signed_in_only_where_they_did_it(as_role, staff):
    here, elsewhere = as_role("admin"), as_role("admin")
    response = post(here, f"/admin/users/{staff['admin']}",
                    {"role": "admin", "active": "yes", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert here.get("/admin/users/").status_code == 200
    assert refused(elsewhere)


def test_unlocking_an_account_leaves_its_sessions_alone(app, as_role, staff):
    client = as_role("viewer")
    for _ in range(2):
        sign_in(app.test_client(), "viewer", "a wrong guess")
    post(as_role("admin"), f"/admin/users/{staff['viewer']}", {"role": "viewer", "active": "yes", "unlock": "yes"})
    assert client.get("/admin/").status_code == 200
