"""Oversight pages: every agency's backlog, the breach register and its CSV, audit trails."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from grievance.extensions import db
from grievance.models import Agency, ReportEvent, SlaBreach
from grievance.services import actions
from grievance.services.sweep import run_sweep
from grievance.staff import oversight
from tests.grievance.staff.staff_helpers import dispatched, file, reload
from workflows.states import AgencyLevel, Clock


def counts(page: str, name: str) -> tuple[int, int]:
    row = re.search(
        rf'{re.escape(name)}.*?<td class="num">(\d+)</td>\s*<td class="num">(?:<a [^>]+>)?(\d+)',
        page,
        re.S,
    )
    assert row is not None, name
    return int(row.group(1)), int(row.group(2))


def test_agencies_with_open_and_overdue_counts(staff, login, moved_clock):
    late = dispatched(staff)
    moved_clock.advance(days=10)  # the follow-up clock (5 working days) ran out
    dispatched(staff)
    dispatched(staff, staff.other_city)
    file()
    page = login(staff.oversight).get("/staff/oversight/").get_data(as_text=True)
    assert counts(page, "Pemkot Bandung") == (2, 1)
    assert counts(page, "Pemkot Semarang") == (1, 0)
    assert counts(page, "Screening desk") == (1, 0)
    assert counts(page, "Dinas PU Kota Bandung") == (0, 0)
    assert f"agency={late.agency_id}" in page  # the overdue count links to the register


def breach_world(staff, moved_clock):
    """Two reports past their follow-up clock, one of them followed up since."""
    at_city = dispatched(staff)
    at_other = dispatched(staff, staff.other_city)
    moved_clock.advance(days=10)
    run_sweep()
    actions.post_update(at_city.id, actions.actor_for(staff.officer), text="Akhirnya ditangani.")
    return at_city, at_other


def numbers(page: str) -> list[str]:
    return re.findall(r'<a href="/staff/reports/\d+">(\d{10})</a>', page)


def test_breach_register_with_filters(staff, login, moved_clock):
    at_city, at_other = breach_world(staff, moved_clock)
    client = login(staff.oversight)
    page = client.get("/staff/oversight/breaches").get_data(as_text=True)
    assert set(numbers(page)) == {at_city.tracking_number, at_other.tracking_number}
    assert page.count("Overdue now") >= 2  # the status filter's option, and one open row

    def only(**query: str) -> list[str]:
        return numbers(
            client.get("/staff/oversight/breaches", query_string=query).get_data(as_text=True)
        )

    assert only(status="open") == [at_other.tracking_number]
    assert only(status="ended") == [at_city.tracking_number]
    assert only(agency=str(staff.other_province.id)) == [at_other.tracking_number]  # subtree
    assert set(only(clock=Clock.FOLLOW_UP.value, level="1")) == {
        at_city.tracking_number,
        at_other.tracking_number,
    }
    assert only(clock=Clock.VERIFICATION.value) == []
    assert only(level="2") == []
    assert only(start="2026-03-12", end="2026-03-12") != []
    assert only(start="2026-04-01") == []
    # Nonsense filters are ignored, never an error.
    response = client.get(
        "/staff/oversight/breaches?agency=x&clock=late&level=9&start=yesterday&status=?"
    )
    assert response.status_code == 200


def test_breach_register_pages_by_keyset(staff, login, moved_clock, monkeypatch):
    breach_world(staff, moved_clock)
    monkeypatch.setattr(oversight, "BREACH_PAGE_SIZE", 1)
    client = login(staff.oversight)
    first = client.get("/staff/oversight/breaches").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    second = client.get(link).get_data(as_text=True)
    assert len(numbers(first)) == len(numbers(second)) == 1
    assert numbers(first) != numbers(second)


def test_breach_register_as_csv(staff, login, moved_clock):
    _, at_other = breach_world(staff, moved_clock)
    # A name a spreadsheet would run as a formula.
    sneaky = Agency(code="X", name="=HYPERLINK(1)", level=AgencyLevel.UNIT, parent=staff.other_city)
    db.session.add(sneaky)
    db.session.flush()
    db.session.execute(
        sa.update(SlaBreach).where(SlaBreach.report_id == at_other.id).values(agency_id=sneaky.id)
    )
    db.session.commit()
    response = login(staff.oversight).get("/staff/oversight/breaches.csv?status=open")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["tracking_number", "agency_code", "agency_name"]
    assert len(rows) == 2
    assert rows[1][0] == at_other.tracking_number
    assert rows[1][2] == "'=HYPERLINK(1)"
    assert rows[1][8] == "yes"


def test_audit_trail_verifies_and_shows_the_first_broken_event(staff, login):
    report = dispatched(staff)
    actions.note(report.id, actions.actor_for(staff.coordinator), text="Catatan asli")
    client = login(staff.oversight)
    page = client.get(f"/staff/oversight/reports/{report.id}/audit").get_data(as_text=True)
    assert "The chain verifies" in page and "Catatan asli" in page
    # Someone edits the note in the database, behind the application's back.
    db.session.execute(
        sa.update(ReportEvent.__table__)
        .where(ReportEvent.report_id == report.id, ReportEvent.seq == 3)
        .values(internal_text="Catatan palsu")
    )
    db.session.commit()
    page = client.get(f"/staff/oversight/reports/{report.id}/audit").get_data(as_text=True)
    assert "The chain is broken at event 3" in page
    assert "its content was changed after it was written" in page
    assert reload(report).last_event_seq == 3


def test_oversight_pages_are_for_oversight(staff, login):
    report = dispatched(staff)
    for role in ("verifier", "coordinator", "admin"):
        client = login(getattr(staff, role))
        for url in (
            "/staff/oversight/",
            "/staff/oversight/breaches",
            "/staff/oversight/breaches.csv",
            f"/staff/oversight/reports/{report.id}/audit",
        ):
            assert client.get(url).status_code == 403, (role, url)
    oversight_client = login(staff.oversight)
    assert oversight_client.get("/staff/oversight/reports/999999/audit").status_code == 404
