"""Each role's queue: the right reports, soonest due first, overdue marked, keyset pages."""

from __future__ import annotations

import re

from grievance.services import actions
from grievance.staff import queries
from tests.grievance.staff.staff_helpers import dispatched, file, in_progress, responded


def numbers(page: str) -> list[str]:
    return re.findall(r'<a href="/staff/reports/\d+">(\d{10})</a>', page)


def test_each_role_sees_its_own_queue(staff, login, moved_clock):
    new = file()
    deferred = file()
    actions.defer(deferred.id, actions.actor_for(staff.verifier), question="Di mana tepatnya?")
    at_city = dispatched(staff)
    at_unit = dispatched(staff, staff.unit)
    assigned = dispatched(staff)
    # Assigning to a unit's officer moves the report to the unit (else they could not act).
    actions.assign(
        assigned.id,
        actions.actor_for(staff.coordinator),
        unit_id=staff.unit.id,
        officer_id=staff.unit_officer.id,
    )
    at_other = in_progress(staff, staff.other_city)
    answered = responded(staff)

    verifier = numbers(login(staff.verifier).get("/staff/queue").get_data(as_text=True))
    assert set(verifier) == {new.tracking_number, deferred.tracking_number}

    coordinator = numbers(login(staff.coordinator).get("/staff/queue").get_data(as_text=True))
    assert set(coordinator) == {
        at_city.tracking_number,
        at_unit.tracking_number,
        assigned.tracking_number,
        answered.tracking_number,
    }

    # The city's officer: unassigned reports at the city and their own; not the unit's.
    officer = numbers(login(staff.officer).get("/staff/queue").get_data(as_text=True))
    assert set(officer) == {at_city.tracking_number, answered.tracking_number}
    unit_officer = numbers(login(staff.unit_officer).get("/staff/queue").get_data(as_text=True))
    assert set(unit_officer) == {at_unit.tracking_number, assigned.tracking_number}

    other = numbers(login(staff.other_coordinator).get("/staff/queue").get_data(as_text=True))
    assert other == [at_other.tracking_number]

    # Oversight sees what was escalated (or appealed); nothing yet.
    oversight = login(staff.oversight)
    assert numbers(oversight.get("/staff/queue").get_data(as_text=True)) == []
    actions.escalate(at_other.id, actions.actor_for(staff.oversight))
    assert numbers(oversight.get("/staff/queue").get_data(as_text=True)) == [
        at_other.tracking_number
    ]


def test_queue_is_sorted_by_due_time_with_overdue_marked(staff, login, moved_clock):
    first = file()
    moved_clock.advance(days=1)
    second = file()
    moved_clock.advance(days=7)  # both verification clocks (3 working days) ran out
    third = file()
    page = login(staff.verifier).get("/staff/queue").get_data(as_text=True)
    assert numbers(page) == [first.tracking_number, second.tracking_number, third.tracking_number]
    assert page.count('<tr class="overdue">') == 2
    assert page.count("Overdue") == 2


def test_filters_by_state_and_category(staff, login):
    roads = file()
    water = file(category_code="water")
    deferred = file()
    actions.defer(deferred.id, actions.actor_for(staff.verifier), question="Di mana tepatnya?")
    client = login(staff.verifier)
    only_deferred = client.get("/staff/queue?state=deferred").get_data(as_text=True)
    assert numbers(only_deferred) == [deferred.tracking_number]
    only_water = client.get(f"/staff/queue?category={staff.water.id}").get_data(as_text=True)
    assert numbers(only_water) == [water.tracking_number]
    # A state outside this queue, or nonsense, falls back to the whole queue.
    for junk in ("closed", "nonsense"):
        page = client.get(f"/staff/queue?state={junk}&category=abc&after=x.y")
        assert page.status_code == 200
        assert set(numbers(page.get_data(as_text=True))) == {
            roads.tracking_number,
            water.tracking_number,
            deferred.tracking_number,
        }


def test_keyset_pages_walk_the_whole_queue_without_repeats(staff, login, moved_clock, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    filed = []
    for _ in range(5):
        filed.append(file().tracking_number)
        moved_clock.advance(hours=1)
    client = login(staff.verifier)
    url, seen = "/staff/queue", []
    while url:
        page = client.get(url).get_data(as_text=True)
        seen.extend(numbers(page))
        found = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert "OFFSET" not in url if url else True
    assert seen == filed


def test_cursor_round_trips():
    cursor = queries.Cursor.parse("1772416800000000.42")
    assert cursor is not None and cursor.report_id == 42
    assert queries.Cursor.parse(cursor.token()) == cursor
    assert queries.Cursor.parse("n.7") == queries.Cursor(None, 7)
    for junk in ("", "1.2.3", "abc.1", "1.-2", "9" * 30 + ".1"):
        assert queries.Cursor.parse(junk) is None


def test_find_by_tracking_number_stays_within_scope(staff, login):
    mine = dispatched(staff)
    theirs = dispatched(staff, staff.other_city)
    client = login(staff.coordinator)
    response = client.get(f"/staff/find?number={mine.tracking_number}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/reports/{mine.id}"
    refused = client.get(f"/staff/find?number={theirs.tracking_number}", follow_redirects=True)
    assert f"No report has the tracking number {theirs.tracking_number}." in refused.get_data(
        as_text=True
    )
    typo = client.get("/staff/find?number=1234567890", follow_redirects=True)
    assert "check the digits" in typo.get_data(as_text=True) or "No report" in typo.get_data(
        as_text=True
    )
