"""Staff login and logout: passwords, throttling, session fixation, safe redirects, CSRF."""

from __future__ import annotations

import re

import pytest

from grievance.extensions import db
from grievance.staff import authentication
from tests.conftest import PASSWORD
from tests.grievance.staff.staff_helpers import dispatched

GENERIC = "The email or password is wrong."


def post_login(client, email, password=PASSWORD, **extra):
    return client.post("/staff/login", data={"email": email, "password": password, **extra})


def test_login_opens_the_queue_and_logout_ends_the_session(staff, client):
    assert client.get("/staff/login").status_code == 200
    response = post_login(client, staff.verifier.email)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/", follow_redirects=True)
    assert page.status_code == 200 and "Screening queue" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"

    assert client.get("/staff/logout").status_code == 405  # logging out is a POST with CSRF
    response = client.post("/staff/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
    response = client.get("/staff/queue")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_email_is_case_insensitive(staff, client):
    assert post_login(client, "  Verifier@Example.ORG ").status_code == 303


def test_wrong_password_and_unknown_email_read_the_same(staff, client):
    wrong = post_login(client, staff.verifier.email, "not the password")
    unknown = post_login(client, "nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)
    # The page is the same but for the email typed back into the form.
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.get_data(as_text=True)) == strip.sub(
        "", unknown.get_data(as_text=True)
    )


def test_deactivated_user_cannot_log_in(staff, client):
    staff.officer.active = False
    db.session.commit()
    response = post_login(client, staff.officer.email)
    assert response.status_code == 401 and GENERIC in response.get_data(as_text=True)


def test_five_failures_lock_the_account_for_fifteen_minutes(staff, client, moved_clock):
    for _ in range(authentication.MAX_FAILURES):
        assert post_login(client, staff.coordinator.email, "wrong password").status_code == 401
    db.session.refresh(staff.coordinator)
    assert staff.coordinator.locked_until is not None
    # Locked: even the right password is refused, with the same message.
    response = post_login(client, staff.coordinator.email)
    assert response.status_code == 401 and GENERIC in response.get_data(as_text=True)
    moved_clock.advance(minutes=authentication.LOCK_MINUTES + 1)
    assert post_login(client, staff.coordinator.email).status_code == 303
    db.session.refresh(staff.coordinator)
    assert staff.coordinator.failed_logins == 0 and staff.coordinator.locked_until is None


def test_a_success_resets_the_failure_count(staff, client):
    for _ in range(authentication.MAX_FAILURES - 1):
        post_login(client, staff.officer.email, "wrong password")
    assert post_login(client, staff.officer.email).status_code == 303
    db.session.refresh(staff.officer)
    assert staff.officer.failed_logins == 0


def test_an_address_failing_too_often_is_refused_for_a_while(staff, staff_app, monkeypatch):
    monkeypatch.setattr(authentication, "IP_MAX_FAILURES", 3)
    noisy = staff_app.test_client()
    noisy.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for user in (staff.verifier, staff.officer, staff.admin):
        assert post_login(noisy, user.email, "wrong password").status_code == 401
    refused = post_login(noisy, staff.oversight.email)
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.get_data(as_text=True)
    # Another address is not affected.
    quiet = staff_app.test_client()
    quiet.environ_base["REMOTE_ADDR"] = "203.0.113.8"
    assert post_login(quiet, staff.oversight.email).status_code == 303


def test_login_starts_a_new_session(staff, client):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "id"
    post_login(client, staff.verifier.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        first_sid = session["sid"]
        assert session["lang"] == "id"  # a language chosen before logging in is kept
    client.post("/staff/logout")
    post_login(client, staff.verifier.email)
    with client.session_transaction() as session:
        assert session["sid"] != first_sid


def test_login_sets_the_staff_language_when_none_was_chosen(staff, client):
    staff.officer.language = "fr"
    db.session.commit()
    post_login(client, staff.officer.email)
    with client.session_transaction() as session:
        assert session["lang"] == "fr"


def test_next_goes_to_a_local_page(staff, client):
    response = post_login(client, staff.verifier.email, next="/staff/queue?state=submitted")
    assert response.headers["Location"] == "/staff/queue?state=submitted"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/staff",
        "https://evil.example/",
        "http:/evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "staff/queue",
        "/staff\r\nLocation: https://evil.example",
    ],
)
def test_next_never_leaves_the_site(staff, client, target):
    page = client.get("/staff/login", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next"' not in page
    response = post_login(client, staff.verifier.email, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"


def test_a_form_without_its_csrf_token_is_refused(staff, staff_app, client):
    staff_app.config["WTF_CSRF_ENABLED"] = True
    refused = post_login(client, staff.verifier.email)
    assert refused.status_code == 400
    assert "This form has expired or did not come from this site" in refused.get_data(as_text=True)
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    # The test client speaks https (PREFERRED_URL_SCHEME), where Flask-WTF checks the referrer.
    referrer = {"Referer": "https://localhost/staff/login"}
    data = {"email": staff.verifier.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/staff/login", data=data, headers=referrer).status_code == 303
    # Logged in, an action form without the token is refused as well.
    assert client.post("/staff/logout", headers=referrer).status_code == 400


def test_pages_need_a_login_and_the_right_role(staff, client, login):
    response = client.get("/staff/admin/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    verifier = login(staff.verifier)
    assert verifier.get("/staff/admin/").status_code == 403
    assert verifier.get("/staff/oversight/").status_code == 403
    admin = login(staff.admin)
    assert admin.get("/staff/queue").status_code == 403
    assert admin.get("/staff/", follow_redirects=True).status_code == 200


def test_an_action_address_opened_after_login_leads_to_the_report(staff, login):
    report = dispatched(staff)
    client = login(staff.officer)
    response = client.get(f"/staff/reports/{report.id}/post_update")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/reports/{report.id}"
    assert login(staff.verifier).get("/staff/bulk").headers["Location"] == "/staff/queue"
    assert client.get("/staff/reports/999999").status_code == 404
