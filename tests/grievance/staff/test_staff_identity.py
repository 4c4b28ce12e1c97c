"""Reporter identity on staff pages: an anonymous reporter is seen by the verifier only, once,
on purpose, with a trace; confidential reports stay within the verifier, agency and oversight."""

from __future__ import annotations

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import ReportEvent
from grievance.services import actions
from grievance.services.sweep import run_sweep
from tests.grievance.staff.staff_helpers import (
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    dispatched,
    file,
    in_progress,
)
from workflows.states import Action

SECRETS = (REPORTER_NAME, REPORTER_PHONE, REPORTER_PHONE[1:], "081234567890", REPORTER_EMAIL)
ROLES = (
    "verifier",
    "coordinator",
    "officer",
    "unit_officer",
    "other_coordinator",
    "other_officer",
    "oversight",
    "admin",
)


def pages_of(client, reports) -> list[str]:
    """Return every staff page a user can reach about these reports."""
    urls = ["/staff/", "/staff/queue", "/staff/queue?state=deferred"]
    for report in reports:
        urls += [
            f"/staff/reports/{report.id}",
            f"/staff/oversight/reports/{report.id}/audit",
            f"/staff/find?number={report.tracking_number}",
        ]
    urls += ["/staff/oversight/", "/staff/oversight/breaches", "/staff/oversight/breaches.csv"]
    return [client.get(url, follow_redirects=True).get_data(as_text=True) for url in urls]


def leaks(page: str) -> list[str]:
    return [secret for secret in SECRETS if secret in page]


def test_anonymous_reporter_appears_on_no_staff_page(staff, login, moved_clock):
    screening = file(anonymous=True)
    handled = in_progress(staff, anonymous=True)
    actions.note(handled.id, actions.actor_for(staff.officer), text="Catatan")
    actions.record_message(handled.id, direction="in", channel="sms", text="Masih rusak")
    db.session.commit()
    moved_clock.advance(days=40)  # every clock breaches: the breach register has rows
    run_sweep()
    for role in ROLES:
        client = login(getattr(staff, role))
        for page in pages_of(client, [screening, handled]):
            assert leaks(page) == [], role


def test_the_verifier_reveals_an_anonymous_reporter_once_with_a_trace(staff, login):
    report = file(anonymous=True)
    client = login(staff.verifier)
    page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert f'action="/staff/reports/{report.id}/reveal_identity"' in page
    response = client.post(
        f"/staff/reports/{report.id}/reveal_identity", data={"reason": "Ancaman kekerasan"}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert REPORTER_NAME in text and REPORTER_PHONE in text and REPORTER_EMAIL in text
    event = db.session.scalar(
        select(ReportEvent).where(
            ReportEvent.report_id == report.id, ReportEvent.action == Action.REVEAL_IDENTITY
        )
    )
    assert event is not None and event.actor_id == staff.verifier.id
    assert event.internal_text == "Ancaman kekerasan"
    # Shown once: the page itself never shows it again.
    assert leaks(client.get(f"/staff/reports/{report.id}").get_data(as_text=True)) == []
    # The viewing is on the trail, without the identity.
    oversight = login(staff.oversight)
    audit = oversight.get(f"/staff/oversight/reports/{report.id}/audit").get_data(as_text=True)
    assert "identity viewed" in audit and leaks(audit) == []


def test_nobody_else_can_reveal(staff, login):
    report = dispatched(staff, anonymous=True)
    for role in ("coordinator", "officer", "oversight"):
        client = login(getattr(staff, role))
        page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
        assert "reveal_identity" not in page
        response = client.post(f"/staff/reports/{report.id}/reveal_identity", data={"reason": "x"})
        assert response.status_code == 403, role
        assert leaks(response.get_data(as_text=True)) == []
    response = login(staff.other_coordinator).post(f"/staff/reports/{report.id}/reveal_identity")
    assert response.status_code == 404
    assert not db.session.scalar(
        select(ReportEvent.id).where(ReportEvent.action == Action.REVEAL_IDENTITY)
    )


def test_a_named_reporter_is_shown_to_staff_who_handle_the_report(staff, login):
    report = dispatched(staff)
    for role in ("verifier", "coordinator", "officer", "oversight"):
        page = login(getattr(staff, role)).get(f"/staff/reports/{report.id}").get_data(as_text=True)
        assert REPORTER_NAME in page and REPORTER_PHONE in page, role
        assert "reveal_identity" not in page
    response = login(staff.verifier).post(f"/staff/reports/{report.id}/reveal_identity")
    assert response.status_code == 400
    assert "This reporter is not anonymous." in response.get_data(as_text=True)


def test_confidential_reports_stay_with_the_verifier_the_agency_and_oversight(staff, login):
    report = dispatched(staff, confidential=True)
    for role, status in {
        "verifier": 200,
        "coordinator": 200,
        "officer": 200,
        "oversight": 200,
        "other_coordinator": 404,
        "other_officer": 404,
        "admin": 403,
    }.items():
        response = login(getattr(staff, role)).get(f"/staff/reports/{report.id}")
        assert response.status_code == status, role
        if status != 200:
            assert report.tracking_number not in response.get_data(as_text=True)
