"""Who may open which report page and take which action: exactly what WORKFLOW.md allows.

The expectations are written out from WORKFLOW.md's tables, not derived from the code under
test. Report A is at the city (Bandung), report B at the other city (Semarang); screening
reports belong to no agency yet.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import ReportEvent
from grievance.services import actions
from grievance.services.reports import reporter_by_phone
from tests.grievance.staff.staff_helpers import (
    REPORTER_PHONE,
    dispatched,
    file,
    forms_on,
    in_progress,
    reload,
    responded,
)
from workflows.states import Outcome

ROLES = (
    "verifier",
    "coordinator",
    "officer",
    "other_coordinator",
    "other_officer",
    "oversight",
    "admin",
)
# Which of A (city) and B (other city) each role sees; screening reports: only the centre.
SEES = {
    "verifier": {"A", "B", "screening"},
    "oversight": {"A", "B", "screening"},
    "coordinator": {"A"},
    "officer": {"A"},
    "other_coordinator": {"B"},
    "other_officer": {"B"},
    "admin": set(),
}
# WORKFLOW.md "Transitions": who takes each action (agency roles only on their own reports).
TAKES = {
    "dispatch": {"verifier"},
    "defer": {"verifier"},
    "archive": {"verifier"},
    "merge": {"verifier"},
    "reveal_identity": {"verifier"},
    "assign": {"coordinator", "other_coordinator"},
    "forward": {"coordinator", "other_coordinator"},
    "return": {"coordinator", "other_coordinator"},
    "post_update": {"officer", "other_officer"},
    "request_information": {"officer", "other_officer"},
    "respond": {"officer", "other_officer"},
    "escalate": {"oversight"},
    # Internal notes are staff work; oversight never edits a report, admins hold no reports.
    "note": {"verifier", "coordinator", "officer", "other_coordinator", "other_officer"},
}
SCREENING_ACTIONS = {"dispatch", "defer", "archive", "merge", "reveal_identity"}


def make_one(world: Any, action: str, key: str) -> Any:
    """Return a report in the state the action starts from: A at the city, B elsewhere."""
    if action in SCREENING_ACTIONS:
        return file(anonymous=action == "reveal_identity")
    agency = world.city if key == "A" else world.other_city
    if action == "respond":
        return in_progress(world, agency)
    return dispatched(world, agency)


def inputs(world: Any, action: str, key: str, original: Any) -> dict[str, Any]:
    """Return valid inputs of an action on report A or B."""
    officer = world.officer if key == "A" else world.other_officer
    forward_to = world.other_province if key == "A" else world.province
    values = {
        "dispatch": {"agency": world.city.id},
        "defer": {"question": "Di mana lokasinya?"},
        "archive": {"reason": "incomplete"},
        "merge": {"into": original.tracking_number if original else ""},
        "reveal_identity": {"reason": "Laporan ancaman"},
        "assign": {"officer": officer.id},
        "forward": {"agency": forward_to.id},
        "return": {"reason": "Bukan kewenangan kami"},
        "post_update": {"text": "Sedang ditangani."},
        "request_information": {"question": "Kapan terjadi?"},
        "respond": {"text": "Sudah diperbaiki.", "outcome": "resolved"},
        "escalate": {"comment": "Terlambat"},
        "note": {"text": "Catatan internal"},
    }
    return values[action]


def event_count(report: Any) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ReportEvent).where(ReportEvent.report_id == report.id)
    )


@pytest.mark.parametrize("action", sorted(TAKES))
def test_action_allowed_exactly_where_the_workflow_says(staff, login, action):
    pair = {key: make_one(staff, action, key) for key in ("A", "B")}
    original = file() if action == "merge" else None
    for role in ROLES:
        client = login(getattr(staff, role))
        for key in ("A", "B"):
            report = pair[key]
            where = (role, key)
            visible = ("screening" if action in SCREENING_ACTIONS else key) in SEES[role]
            page = client.get(f"/staff/reports/{report.id}")
            # Admins hold no reports: every report page is closed to the role (403, any id).
            closed = 403 if role == "admin" else 404
            assert page.status_code == (200 if visible else closed), where
            before = (reload(report).version, event_count(report))
            data = {"expected_version": before[0], **inputs(staff, action, key, original)}
            response = client.post(f"/staff/reports/{report.id}/{action}", data=data)
            if visible and role in TAKES[action]:
                expected = 200 if action == "reveal_identity" else 303
                text = response.get_data(as_text=True)[:2000]
                assert response.status_code == expected, (*where, text)
                assert event_count(report) == before[1] + 1, where
                pair[key] = make_one(staff, action, key)  # the next role needs a fresh one
                continue
            assert response.status_code == (403 if visible else closed), where
            assert (reload(report).version, event_count(report)) == before, where
            if visible:
                text = response.get_data(as_text=True)
                assert "Your role may not do this on this report." in text, where


def screening_states(world: Any) -> dict[str, Any]:
    """Return one report in every state, A-side (the city), plus two screening ones."""
    verifier = actions.actor_for(world.verifier)
    officer = actions.actor_for(world.officer)
    reports: dict[str, Any] = {"submitted": file(), "submitted_anonymous": file(anonymous=True)}
    deferred = file()
    actions.defer(deferred.id, verifier, question="Di mana?")
    reports["screening_deferred"] = deferred
    archived = file()
    actions.archive(archived.id, verifier, reason="abusive")
    reports["archived"] = archived
    reports["dispatched"] = dispatched(world)
    reports["in_progress"] = in_progress(world)
    agency_deferred = in_progress(world)
    actions.request_information(agency_deferred.id, officer, question="Kapan?")
    reports["agency_deferred"] = agency_deferred
    reports["responded"] = responded(world)
    closed = responded(world)
    actions.accept(reporter_by_phone(closed.tracking_number, REPORTER_PHONE), score=4)
    reports["closed"] = closed
    assert reload(closed).outcome is Outcome.RESOLVED
    return reports


# The forms each role finds on each report page (None: the page is a 404).
OFFERED: dict[str, dict[str, set[str] | None]] = {
    "verifier": {
        "submitted": {"dispatch", "defer", "archive", "merge", "note"},
        "submitted_anonymous": {"dispatch", "defer", "archive", "merge", "note", "reveal_identity"},
        "screening_deferred": {"note"},
        "archived": {"note"},
        "dispatched": {"note"},
        "in_progress": {"note"},
        "agency_deferred": {"note"},
        "responded": {"note"},
        "closed": {"note"},
    },
    "coordinator": {
        "submitted": None,
        "submitted_anonymous": None,
        "screening_deferred": None,
        "archived": None,
        "dispatched": {"assign", "forward", "return", "note"},
        "in_progress": {"note"},
        "agency_deferred": {"note"},
        "responded": {"note"},
        "closed": {"note"},
    },
    "officer": {
        "submitted": None,
        "submitted_anonymous": None,
        "screening_deferred": None,
        "archived": None,
        "dispatched": {"post_update", "request_information", "note"},
        "in_progress": {"post_update", "request_information", "respond", "note"},
        "agency_deferred": {"note"},
        "responded": {"note"},
        "closed": {"note"},
    },
    "oversight": {
        "submitted": {"escalate"},
        "submitted_anonymous": {"escalate"},
        "screening_deferred": set(),
        "archived": set(),
        "dispatched": {"escalate"},
        "in_progress": {"escalate"},
        "agency_deferred": set(),
        "responded": set(),
        "closed": set(),
    },
}
OFFERED["other_coordinator"] = dict.fromkeys(OFFERED["verifier"])
OFFERED["other_officer"] = dict.fromkeys(OFFERED["verifier"])
OFFERED["admin"] = dict.fromkeys(OFFERED["verifier"])


def test_report_page_offers_exactly_the_allowed_actions(staff, login):
    reports = screening_states(staff)
    for role in ROLES:
        client = login(getattr(staff, role))
        for state, expected in OFFERED[role].items():
            report = reports[state]
            page = client.get(f"/staff/reports/{report.id}")
            if expected is None:
                assert page.status_code == (403 if role == "admin" else 404), (role, state)
                assert report.tracking_number not in page.get_data(as_text=True)
                continue
            assert page.status_code == 200, (role, state)
            assert forms_on(page.get_data(as_text=True), report.id) == expected, (role, state)
