"""A service's settings page (name, ODS site code, manager's e-mail, public screen, active) and `yoursay services`."""
from __future__ import annotations

import re
from html import unescape

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from storage.models import AuditEntry, Service
from tests.admin.conftest import post
from yoursay.cli import main

URL = "/admin/services/OAKLANDS/settings"
GOOD = {"name": "Oaklands Ward", "ods_code": "rx2ab", "manager_email": "sam.manager@nhs.net",
        "screen_enabled": "yes", "screen_min_answers": "30", "active": "yes"}


def service(runtime, code: str = "OAKLANDS") -> Service:
    with runtime.factory() as db:
        return db.scalars(select(Service).where(Service.code == code)).one()


def audit_rows(runtime) -> list[tuple[str, str, str, str]]:
    with runtime.factory() as db:
        return [tuple(r) for r in db.execute(select(AuditEntry.username, AuditEntry.action, AuditEntry.target,
                                                    AuditEntry.detail)
                                             .where(AuditEntry.action == "service_update").order_by(AuditEntry.id))]


def error_summary(html: str) -> list[str]:
    summary = re.search(r'class="nhsuk-error-summary".*?</ul>', html, re.S)
    return [" ".join(unescape(t).split()) for t in re.findall(r"<a [^>]*>(.*?)</a>", summary.group(0), re.S)] \
        if summary else []


def save(client, **changes):
    return post(client, URL, {**GOOD, **changes}, token_from=URL)


def test_an_admin_sets_the_ods_code_email_and_screen_and_it_is_audited_old_to_new(as_role, runtime):
    admin = as_role("admin")
    form = admin.get(URL).get_data(as_text=True)
    assert 'value="Oaklands Ward"' in form and 'name="ods_code"' in form and 'value="20"' in form
    response = save(admin)
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    saved = service(runtime)
    assert (saved.ods_code, saved.manager_email, saved.screen_enabled, saved.screen_min_answers, saved.active) == (
        "RX2AB", "sam.manager@nhs.net", True, 30, True)
    assert audit_rows(runtime) == [("admin", "service_update", "service:OAKLANDS",
                                    "ODS site code: (none) \u2192 RX2AB; manager's email: (none) \u2192 "
                                    "sam.manager@nhs.net; public screen: no \u2192 yes; screen's minimum answers: "
                                    "20 \u2192 30")]
    page = admin.get(URL).get_data(as_text=True)
    assert "Settings for Oaklands Ward saved" in page and 'value="RX2AB"' in page


def test_switching_off_and_clearing_is_audited_and_saving_nothing_new_is_not(as_role, runtime):
    admin = as_role("admin")
    save(admin)
    save(admin, ods_code=" ", manager_email="", screen_enabled="", active="", name="Oaklands Ward (closed)")
    saved = service(runtime)
    assert (saved.name, saved.ods_code, saved.manager_email, saved.screen_enabled, saved.active) == (
        "Oaklands Ward (closed)", None, None, False, False)
    assert audit_rows(runtime)[-1][3] == ("name: Oaklands Ward \u2192 Oaklands Ward (closed); ODS site code: RX2AB "
                                          "\u2192 (none); manager's email: sam.manager@nhs.net \u2192 (none); "
                                          "public screen: yes \u2192 no; active: yes \u2192 no")
    save(admin, ods_code="", manager_email="", screen_enabled="", active="", name="Oaklands Ward (closed)")
    assert len(audit_rows(runtime)) == 2
    assert "Nothing changed" in admin.get(URL).get_data(as_text=True)


def test_ods_codes_are_upper_cased_with_spaces_taken_out(as_role, runtime):
    save(as_role("admin"), ods_code=" rx2 ab ")
    assert service(runtime).ods_code == "RX2AB"
    save(as_role("admin"), ods_code="RX2")  # a trust's own 3-character code, for a service run trust-wide
    assert service(runtime).ods_code == "RX2"


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Enter the service's name"),
    ("name", "x" * 201, "Name must be 200 characters or fewer"),
    ("ods_code", "RX", "ODS site code must be 3 to 10 letters and numbers only, like RX2AB"),
    ("ods_code", "RX2-AB", "ODS site code must be 3 to 10 letters and numbers only, like RX2AB"),
    ("ods_code", "RX2ABCDEFGH", "ODS site code must be 3 to 10 letters and numbers only, like RX2AB"),
    ("manager_email", "sam.manager", "Enter the manager's email address in the correct format, like name@nhs.net"),
    ("manager_email", "sam@nhs.net, jo@nhs.net", "Enter the manager's email address in the correct format"),
    ("manager_email", "sam@nhs", "Enter the manager's email address in the correct format"),
    ("screen_min_answers", "", "Enter the minimum number of answers as a whole number, like 20"),
    ("screen_min_answers", "twenty", "Enter the minimum number of answers as a whole number, like 20"),
    ("screen_min_answers", "-3", "Enter the minimum number of answers as a whole number, like 20"),
    ("screen_min_answers", "\u00b2", "Enter the minimum number of answers as a whole number, like 20"),
    ("screen_min_answers", "0", "Minimum number of answers must be 5 or more, so that no one person's answer can "
                                "be picked out"),
    ("screen_min_answers", "4", "Minimum number of answers must be 5 or more"),
    ("screen_min_answers", "10001", "Minimum number of answers must be 10,000 or fewer"),
])
def test_a_wrong_value_is_refused_with_the_nhs_error_summary_and_nothing_is_saved(as_role, runtime, field, value,
                                                                                   message):
    response = save(as_role("admin"), **{field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    [shown] = error_summary(html)
    assert shown.startswith(message)
    assert f'href="#{field}"' in html and f'id="{field}-error"' in html
    assert value in unescape(html) or not value.strip()  # what was typed is kept to correct
    assert service(runtime).ods_code is None and audit_rows(runtime) == []


def test_several_wrong_values_are_all_listed(as_role):
    response = save(as_role("admin"), name="", ods_code="R", screen_min_answers="1")
    assert error_summary(response.get_data(as_text=True)) == [
        "Enter the service's name", "ODS site code must be 3 to 10 letters and numbers only, like RX2AB",
        "Minimum number of answers must be 5 or more, so that no one person's answer can be picked out"]


def test_reviewers_and_viewers_can_read_the_settings_but_not_change_them(as_role, runtime):
    save(as_role("admin"))
    for role in ("viewer", "reviewer"):
        client = as_role(role)
        page = unescape(client.get(URL).get_data(as_text=True))
        assert "Only an admin can change a service's settings." in page
        assert "RX2AB" in page and "sam.manager@nhs.net" in page and 'name="ods_code"' not in page
        assert save(client, ods_code="RX9ZZ").status_code == 403
    assert service(runtime).ods_code == "RX2AB" and len(audit_rows(runtime)) == 1


def test_an_unknown_service_is_not_found(as_role):
    admin = as_role("admin")
    assert admin.get("/admin/services/NOSUCH/settings").status_code == 404
    assert post(admin, "/admin/services/NOSUCH/settings", GOOD, token_from=URL).status_code == 404


def test_the_settings_page_needs_sign_in(client, services):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


# The command line ----------------------------------------------------------------------------------------

def run(runtime, *args):
    env = {"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_services_add_takes_an_ods_code_and_services_list_shows_it(runtime):
    result = run(runtime, "services", "add", "BIRCH", "Birch Ward", "--ods", "rx2ac")
    assert result.exit_code == 0 and result.output == "added BIRCH: Birch Ward (ODS RX2AC)\n"
    assert run(runtime, "services", "add", "ELM", "Elm Ward").exit_code == 0
    assert service(runtime, "BIRCH").ods_code == "RX2AC" and service(runtime, "ELM").ods_code is None
    assert run(runtime, "services", "list").output == "BIRCH\tRX2AC\tBirch Ward\nELM\t-\tElm Ward\n"


def test_services_add_refuses_a_malformed_ods_code(runtime):
    result = CliRunner().invoke(main, ["services", "add", "BIRCH", "Birch Ward", "--ods", "RX-2"],
                                env={"DATABASE_URL": runtime.settings.database_url, "YOURSAY_MODE": "dev"})
    assert result.exit_code == 2 and "3 to 10 letters and digits" in result.output
    with runtime.factory() as db:
        assert db.scalar(select(Service).where(Service.code == "BIRCH")) is None


# The demo ------------------------------------------------------------------------------------------------

def test_the_demo_services_have_made_up_ods_codes_and_only_demo_mode_has_a_trust_code(runtime):
    from yoursay import config, demo

    url = {"DATABASE_URL": runtime.settings.database_url}
    assert config.load({**url, "YOURSAY_MODE": "demo"}).trust_ods_code == config.DEMO_TRUST_ODS_CODE
    assert config.load({**url, "YOURSAY_MODE": "dev"}).trust_ods_code is None
    assert config.load({**url, "YOURSAY_MODE": "demo", "YOURSAY_TRUST_ODS_CODE": " rx2 "}).trust_ods_code == "RX2"
    demo.seed(runtime.factory, runtime.now(), responses=0)
    with runtime.factory() as db:
        codes = dict(db.execute(select(Service.code, Service.ods_code)).all())
    assert len(codes) == 4 and len(set(codes.values())) == 4
    assert all(code.startswith(config.DEMO_TRUST_ODS_CODE) and len(code) == 5 for code in codes.values())
