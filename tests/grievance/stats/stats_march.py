"""A month of reports played through the services, for the statistics tests.

Scorecard figures equal hand-computed ones, and the rebuild gives exactly the live numbers.

March 2026 in the Indonesian calendar: Nyepi (Thursday 19 March) is a holiday, so screening a
report from Monday 16 March 09:00 to Friday 20 March 08:00 takes 2 working days and 23 hours,
not 3 days and 23 hours. All times below are Jakarta time (UTC+7).

The reports, and what each adds (working days "d"):
- R1 roads, SMS, Bandung: filed Mon 16 09:00, dispatched to the city Fri 20 08:00 (screening
  2d23h: met thanks to Nyepi), first update Mon 23 08:00 (follow-up 1d, met), response Tue 24
  08:00 (resolution 1d, met; 2d from dispatch), accepted with 5.
- R2 water (minor tier, 2d), SMS, Bandung: filed Mon 2 09:00, dispatched 10:00, update Tue 3
  10:00 (follow-up met), the officer asks for information Wed 4 10:00 and the reporter answers
  Mon 9 10:00 (paused), response Tue 10 16:00 (resolution 1d + 1.25d = 2.25d > 2d: late; 3.25d
  from dispatch), disputed Wed 11 10:00, response Thu 12 10:00 not resolved (1d, met; 4.25d),
  accepted with 2 Thu 12 12:00, appealed Fri 13 10:00 to the province, update Mon 16 10:00
  (met), response Wed 18 10:00 (2d: met at the limit; 3d from the appeal), accepted unrated
  Fri 20 10:00.
- R3 roads, web, Semarang: filed Tue 3 09:00, dispatched to Semarang 10:00, returned Wed 4
  10:00 as not its authority, archived 11:00 (two screenings, both met).
- R4 roads, SMS, Bandung: filed Thu 5 09:00, deferred 10:00, no reply: the sweep of Fri 20
  10:30 archives it (the 10 working days skip Nyepi).
- R5 roads, USSD, Bandung: filed Mon 23 09:00, never screened: the sweep of Tue 31 10:00
  escalates it to level 1 and 2 (one late verification, overdue).
- R6 water, web, Bandung, confidential: filed Tue 24 09:00, dispatched Mon 30 09:00 (screening
  4d: late), assigned to the unit 09:30; open at the end of March.
- R8 water, SMS, Bandung: filed Mon 16 09:00, dispatched 10:00, update Tue 17 10:00 (met),
  resolution due Fri 20 10:00 (2d, Nyepi skipped): the 10:30 sweep escalates it (late, overdue).
- R7 roads, web, Bandung: filed Wed 1 April 09:00 (outside March).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import StaffUser
from grievance.services import actions
from grievance.services.reports import file_report, reporter_by_phone
from grievance.services.sweep import run_sweep
from grievance.stats.models import (
    StatsDurationHistogram,
    StatsReportFacts,
    StatsRollup,
    StatsStock,
)
from grievance.stats.queries import Period
from tests.conftest import password_hash
from workflows.states import Channel, Outcome, Role

MARCH = Period(202603, 202603)
WIB = timedelta(hours=7)


def wib(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Return an instant given in Jakarta time."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - WIB


def file(clock: Any, when: datetime, *, category: str, channel: Channel, phone: str,
         region: str = "32.73", **extra: Any) -> Any:
    clock.set(when)
    return file_report(
        description="Laporan untuk statistik: " + extra.pop("description", "jalan rusak parah"),
        channel=channel, language="id", phone=phone, region_code=region,
        category_code=category, **extra,
    ).report


def build_march(world: Any, clock: Any) -> dict[str, Any]:
    """Play the month described above through the services, in time order."""
    verifier = actions.actor_for(world.verifier)
    officer = actions.actor_for(world.officer)
    coordinator = actions.actor_for(world.coordinator)
    province_officer_user = StaffUser(
        email="jabar.officer@example.org", name="Jabar", role=Role.OFFICER,
        agency=world.province, language="en",
    )
    province_officer_user.password_hash = password_hash()
    db.session.add(province_officer_user)
    db.session.commit()
    province_officer = actions.actor_for(province_officer_user)
    other_coordinator = actions.actor_for(world.other_coordinator)

    r2 = file(clock, wib(3, 2, 9), category="water", channel=Channel.SMS, phone="+6281200000002")
    clock.set(wib(3, 2, 10))
    actions.dispatch(r2.id, verifier, agency_id=world.city.id)
    r3 = file(clock, wib(3, 3, 9), category="roads", channel=Channel.WEB, phone="+6281200000003",
              region="33.74")
    clock.set(wib(3, 3, 10))
    actions.post_update(r2.id, officer, text="Petugas sudah ke lokasi.")
    actions.dispatch(r3.id, verifier, agency_id=world.other_city.id)
    clock.set(wib(3, 4, 10))
    actions.request_information(r2.id, officer, question="Di RT berapa?")
    actions.return_report(r3.id, other_coordinator, reason="Bukan kewenangan kami")
    clock.set(wib(3, 4, 11))
    actions.archive(r3.id, verifier, reason="out_of_scope")
    r4 = file(clock, wib(3, 5, 9), category="roads", channel=Channel.SMS, phone="+6281200000004")
    clock.set(wib(3, 5, 10))
    actions.defer(r4.id, verifier, question="Lokasinya di mana?")
    r2_access = reporter_by_phone(r2.tracking_number, "+6281200000002")
    clock.set(wib(3, 9, 10))
    actions.add_information(r2_access, text="RT 03 RW 05")
    clock.set(wib(3, 10, 16))
    actions.respond(r2.id, officer, text="Pipa sudah diganti.", outcome=Outcome.RESOLVED)
    clock.set(wib(3, 11, 10))
    actions.dispute(r2_access, reason="Air masih keruh.")
    clock.set(wib(3, 12, 10))
    actions.respond(r2.id, officer, text="Tidak bisa lebih baik.", outcome=Outcome.NOT_RESOLVED)
    clock.set(wib(3, 12, 12))
    actions.accept(r2_access, score=2)
    clock.set(wib(3, 13, 10))
    actions.appeal(r2_access, reason="Tidak puas.")
    r1 = file(clock, wib(3, 16, 9), category="roads", channel=Channel.SMS, phone="+6281200000001")
    r8 = file(clock, wib(3, 16, 9), category="water", channel=Channel.SMS, phone="+6281200000008")
    clock.set(wib(3, 16, 10))
    actions.post_update(r2.id, province_officer, text="Provinsi menangani.")
    actions.dispatch(r8.id, verifier, agency_id=world.city.id)
    clock.set(wib(3, 17, 10))
    actions.post_update(r8.id, officer, text="Dicek.")
    clock.set(wib(3, 18, 10))
    actions.respond(r2.id, province_officer, text="Sudah diperbaiki.", outcome=Outcome.RESOLVED)
    clock.set(wib(3, 20, 8))
    actions.dispatch(r1.id, verifier, agency_id=world.city.id)
    clock.set(wib(3, 20, 10))
    actions.accept(r2_access)
    clock.set(wib(3, 20, 10, 30))
    run_sweep()
    clock.set(wib(3, 23, 8))
    actions.post_update(r1.id, officer, text="Tim ke lokasi.")
    r5 = file(clock, wib(3, 23, 9), category="roads", channel=Channel.USSD, phone="+6281200000005")
    clock.set(wib(3, 24, 8))
    actions.respond(r1.id, officer, text="Jalan ditambal.", outcome=Outcome.RESOLVED)
    r6 = file(clock, wib(3, 24, 9), category="water", channel=Channel.WEB, phone="+6281298765432",
              name="Siti Rahayu", confidential=True,
              description="Rahasia: pungutan liar di loket air oleh petugas Budi")
    clock.set(wib(3, 24, 10))
    actions.accept(reporter_by_phone(r1.tracking_number, "+6281200000001"), score=5)
    clock.set(wib(3, 30, 9))
    actions.dispatch(r6.id, verifier, agency_id=world.city.id)
    clock.set(wib(3, 30, 9, 30))
    actions.assign(r6.id, coordinator, unit_id=world.unit.id)
    clock.set(wib(3, 31, 10))
    run_sweep()
    r7 = file(clock, wib(4, 1, 9), category="roads", channel=Channel.WEB, phone="+6281200000007")
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5, "r6": r6, "r7": r7, "r8": r8}


def snapshot() -> dict[str, Any]:
    """Return every non-zero statistics row, comparable across paths."""
    rollups = {
        tuple(row[:5]): tuple(row[5:])
        for row in db.session.execute(select(StatsRollup.__table__))
        if any(row[5:])
    }
    histograms = {
        tuple(row[:5]): row[5]
        for row in db.session.execute(select(StatsDurationHistogram.__table__))
        if row[5]
    }
    facts = {row[0]: tuple(row) for row in db.session.execute(select(StatsReportFacts.__table__))}
    stocks = {
        tuple(row[:4]): tuple(row[4:])
        for row in db.session.execute(select(StatsStock.__table__))
        if any(row[4:])
    }
    return {"rollups": rollups, "histograms": histograms, "facts": facts, "stocks": stocks}
