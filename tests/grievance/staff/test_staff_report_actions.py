"""The report page's action forms: each works through its service; bad input changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import ReportEvent, RoutingRule
from tests.grievance.staff.staff_helpers import dispatched, file, in_progress, reload
from workflows.states import Action, ArchiveReason, Classification, Outcome, State


def post(client, report, action, **data):
    data.setdefault("expected_version", reload(report).version)
    return client.post(f"/staff/reports/{report.id}/{action}", data=data)


def events(report) -> list[Action]:
    query = select(ReportEvent.action).where(ReportEvent.report_id == report.id)
    return list(db.session.scalars(query.order_by(ReportEvent.seq)))


def test_verifier_dispatches_with_fixed_category_kind_and_title(staff, login):
    report = file()
    client = login(staff.verifier)
    response = post(
        client,
        report,
        "dispatch",
        agency=staff.other_city.id,
        category=staff.water.id,
        classification="aspiration",
        title="Air PDAM mati",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/reports/{report.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Report {report.tracking_number} was dispatched." in page
    report = reload(report)
    assert report.state is State.DISPATCHED and report.agency_id == staff.other_city.id
    assert report.category_id == staff.water.id
    assert report.classification is Classification.ASPIRATION
    assert report.title == "Air PDAM mati"


def test_screening_defer_archive_and_merge(staff, login):
    client = login(staff.verifier)
    deferred, archived, duplicate, original = file(), file(), file(), file()
    assert post(client, deferred, "defer", question="Di mana tepatnya?").status_code == 303
    assert reload(deferred).state is State.DEFERRED
    assert post(client, archived, "archive", reason="abusive", comment="Kasar").status_code == 303
    assert reload(archived).archive_reason is ArchiveReason.ABUSIVE
    response = post(client, duplicate, "merge", into=original.tracking_number)
    assert response.status_code == 303
    duplicate = reload(duplicate)
    assert duplicate.archive_reason is ArchiveReason.DUPLICATE
    assert duplicate.duplicate_of_id == original.id


def test_coordinator_assigns_forwards_and_returns(staff, login):
    client = login(staff.coordinator)
    assigned, forwarded, returned = dispatched(staff), dispatched(staff), dispatched(staff)
    response = post(client, assigned, "assign", unit=staff.unit.id, officer=staff.unit_officer.id)
    assert response.status_code == 303
    assigned = reload(assigned)
    assert (assigned.agency_id, assigned.officer_id) == (staff.unit.id, staff.unit_officer.id)
    # Out of the coordinator's reach afterwards: back to the queue, not to a 404.
    response = post(client, forwarded, "forward", agency=staff.other_city.id, reason="Salah")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/queue"
    assert reload(forwarded).agency_id == staff.other_city.id
    response = post(client, returned, "return", reason="Bukan kewenangan kami")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/queue"
    assert reload(returned).state is State.SUBMITTED


def test_officer_updates_asks_and_responds(staff, login):
    client = login(staff.officer)
    report, asked = dispatched(staff), dispatched(staff)
    assert post(client, report, "post_update", text="Tim ke lokasi.").status_code == 303
    assert reload(report).state is State.IN_PROGRESS
    response = post(client, report, "respond", text="Sudah ditambal.", outcome="resolved")
    assert response.status_code == 303
    assert reload(report).outcome is Outcome.RESOLVED
    assert post(client, asked, "request_information", question="Kapan?").status_code == 303
    assert reload(asked).state is State.DEFERRED


def test_oversight_escalates_and_staff_write_internal_notes(staff, login):
    report = dispatched(staff)
    assert post(login(staff.oversight), report, "escalate", comment="Lambat").status_code == 303
    assert reload(report).escalation_level == 1
    client = login(staff.coordinator)
    assert post(client, report, "note", text="Sudah ditelepon.").status_code == 303
    page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "Sudah ditelepon." in page and "Internal" in page
    assert events(report)[-2:] == [Action.ESCALATE, Action.NOTE]


@pytest.mark.parametrize(
    ("maker", "role", "action", "data", "message"),
    [
        ("dispatched", "officer", "post_update", {"text": "   "}, "Write the update."),
        ("in_progress", "officer", "respond", {"text": "Selesai"}, "Choose the outcome."),
        ("in_progress", "officer", "respond", {"outcome": "resolved"}, "Write the resolution."),
        ("file", "verifier", "dispatch", {}, "Choose an agency from the list."),
        ("file", "verifier", "dispatch", {"agency": "abc"}, "Choose an agency from the list."),
        ("file", "verifier", "dispatch", {"agency": "999999"}, "Choose an agency from the list."),
        (
            "file",
            "verifier",
            "dispatch",
            {"agency": "CITY", "classification": "rant"},
            "Choose complaint, aspiration or information request.",
        ),
        ("file", "verifier", "archive", {"reason": "duplicate"}, "Choose why the report is"),
        ("file", "verifier", "merge", {"into": "12345"}, "is not a valid tracking number"),
        ("file", "verifier", "defer", {}, "Write the question for the reporter."),
        ("dispatched", "coordinator", "assign", {}, "Choose a unit or an officer."),
        (
            "dispatched",
            "coordinator",
            "assign",
            {"officer": "OTHER_OFFICER"},
            "Choose an officer of your own agency.",
        ),
        ("dispatched", "coordinator", "return", {}, "Say why this is not your agency"),
        ("dispatched", "coordinator", "note", {"text": ""}, "Write the note."),
        # Right role, wrong state: the workflow says why.
        ("dispatched", "officer", "respond", {"text": "x", "outcome": "resolved"}, "while the"),
        # A stale form, or one without its version.
        (
            "dispatched",
            "officer",
            "post_update",
            {"text": "x", "expected_version": "1"},
            "meanwhile",
        ),
        (
            "dispatched",
            "officer",
            "post_update",
            {"text": "x", "expected_version": ""},
            "out of date",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    staff, login, maker, role, action, data, message
):
    report = {"file": file, "dispatched": dispatched, "in_progress": in_progress}[maker](
        *(() if maker == "file" else (staff,))
    )
    data = {
        key: {"CITY": str(staff.city.id), "OTHER_OFFICER": str(staff.other_officer.id)}.get(
            value, value
        )
        for key, value in data.items()
    }
    before = (reload(report).version, len(events(report)))
    response = post(login(getattr(staff, role)), report, action, **data)
    assert response.status_code in (400, 409)
    page = response.get_data(as_text=True)
    assert message in page
    assert 'role="alert"' in page
    assert (reload(report).version, len(events(report))) == before
    # The form that failed is open again, with what was typed (when the action is still offered).
    if message != "while the":
        assert f'id="action-{action}" open' in page


def test_stale_form_reads_as_a_conflict(staff, login):
    report = dispatched(staff)
    stale = reload(report).version
    client = login(staff.officer)
    assert (
        post(client, report, "post_update", text="Pertama", expected_version=stale).status_code
        == 303
    )
    response = post(client, report, "post_update", text="Kedua", expected_version=stale)
    assert response.status_code == 409
    assert "Someone else changed this report meanwhile" in response.get_data(as_text=True)
    assert "Kedua" in response.get_data(as_text=True)  # what was typed is kept
    assert events(report).count(Action.POST_UPDATE) == 1


def test_two_stale_escalations_do_not_reach_level_two(staff, login):
    report = dispatched(staff)
    stale = reload(report).version
    client = login(staff.oversight)
    assert post(client, report, "escalate", expected_version=stale).status_code == 303
    assert post(client, report, "escalate", expected_version=stale).status_code == 409
    assert reload(report).escalation_level == 1


def test_unknown_action_is_a_404(staff, login):
    report = dispatched(staff)
    assert post(login(staff.officer), report, "delete").status_code == 404


def test_dispatch_picker_preselects_the_routing_rule(staff, login):
    # roads in 32.73 -> the city (the world's rule); water in the province 32 -> the province.
    db.session.add(
        RoutingRule(category_id=staff.water.id, region_code="32", agency_id=staff.province.id)
    )
    db.session.commit()
    roads, water = file(), file(category_code="water")
    client = login(staff.verifier)

    def selected(report) -> str:
        page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
        picker = page[page.index('id="dispatch-agency"') :]
        return re.search(r'<option value="(\d+)" selected>', picker).group(1)

    assert selected(roads) == str(staff.city.id)
    assert selected(water) == str(staff.province.id)  # from the parent region's rule
    db.session.execute(db.delete(RoutingRule))
    db.session.add(RoutingRule(category_id=staff.water.id, agency_id=staff.ministry.id))
    db.session.commit()
    assert selected(water) == str(staff.ministry.id)  # the rule without a region


def test_bulk_dispatch_reports_each_item(staff, login):
    first, second, stale = file(), file(), file()
    page = login(staff.verifier)
    data = {
        "operation": "dispatch",
        "agency": str(staff.city.id),
        "report": [str(first.id), str(second.id), str(stale.id)],
        f"v{first.id}": reload(first).version,
        f"v{second.id}": reload(second).version,
        f"v{stale.id}": reload(stale).version - 1,
    }
    response = page.post("/staff/bulk", data=data)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "2 of 3 reports done." in text
    assert f"Report {first.tracking_number} was dispatched." in text
    assert "Someone else changed this report meanwhile" in text
    assert reload(first).state is reload(second).state is State.DISPATCHED
    assert reload(stale).state is State.SUBMITTED


def test_bulk_merge_into_one_original(staff, login):
    original, copies = file(), [file(), file()]
    data = {
        "operation": "merge",
        "into": original.tracking_number,
        "report": [str(r.id) for r in [*copies, original]],
        **{f"v{r.id}": reload(r).version for r in [*copies, original]},
    }
    text = login(staff.verifier).post("/staff/bulk", data=data).get_data(as_text=True)
    assert "2 of 3 reports done." in text
    assert "A report cannot duplicate itself." in text
    assert all(reload(r).duplicate_of_id == original.id for r in copies)
    assert reload(original).state is State.SUBMITTED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"operation": "dispatch", "report": "1"}, "Choose an agency from the list."),
        ({"operation": "merge", "report": "1"}, "Enter the tracking number of the original"),
        ({"operation": "dispatch", "agency": "1"}, "Select at least one report."),
        ({"operation": "explode", "report": "1"}, "Choose what to do with the selected reports."),
    ],
)
def test_bulk_without_its_choices_is_refused(staff, login, data, message):
    response = login(staff.verifier).post("/staff/bulk", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_bulk_is_for_verifiers_only(staff, login):
    report = file()
    data = {"operation": "dispatch", "agency": staff.city.id, "report": report.id}
    assert login(staff.coordinator).post("/staff/bulk", data=data).status_code == 403
    assert reload(report).state is State.SUBMITTED


def test_merge_target_outside_the_trail_is_named(staff, login):
    # The verifier sees every report; merging into an unknown number says so.
    report = file()
    response = post(login(staff.verifier), report, "merge", into="1234567890")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "tracking number" in text
    assert db.session.scalar(select(func.count()).select_from(ReportEvent)) == len(events(report))
