"""The sweep: reminders, escalation digests, deferral timeouts, and reports changed meanwhile."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from grievance.extensions import db
from grievance.models import Notification, Report, SlaBreach
from grievance.services import actions, audit, sweep
from grievance.services.reports import file_report
from workflows.states import ArchiveReason, Channel, State


def file(phone: str = "+6281234567001") -> Report:
    return file_report(
        description="Saluran air tersumbat, banjir setiap hujan.",
        channel=Channel.SMS,
        language="id",
        phone=phone,
    ).report


def outbox(template: str) -> list[Notification]:
    return list(
        db.session.scalars(sa.select(Notification).where(Notification.template == template))
    )


def test_reminder_before_due_once(world: Any, moved_clock: Any) -> None:
    report = file()
    actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    # Follow-up: 5 working days from Monday 2 March; the reminder comes a working day before.
    moved_clock.advance(days=3, hours=1)  # Thursday 5 March, 10:00 WIB
    assert sweep.run_sweep().total == 0
    moved_clock.advance(days=1)  # Friday 6 March
    result = sweep.run_sweep()
    assert result.counts["reminders"] == 1
    digests = outbox("staff_digest_reminder")
    assert [d.recipient for d in digests] == [world.coordinator.email]
    assert sweep.run_sweep().total == 0


def test_level_1_escalation_notifies_agency_and_parent_by_digest(
    world: Any, moved_clock: Any
) -> None:
    first, second = file(), file("+6281234567002")
    for report in (first, second):
        actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    moved_clock.advance(days=8)
    result = sweep.run_sweep()
    assert result.counts["level 1 escalations"] == 2
    digests = outbox("staff_digest_escalated")
    assert {d.recipient for d in digests} == {world.coordinator.email}  # the province has none
    assert "2" in digests[0].body
    breaches = db.session.scalars(sa.select(SlaBreach)).all()
    assert {b.report_id for b in breaches} == {first.id, second.id}
    assert all(b.level == 1 and b.ended_at is None for b in breaches)
    # The first follow-up ends the breach of the follow-up clock.
    actions.post_update(first.id, actions.actor_for(world.officer), text="Sedang dikerjakan")
    db.session.expire_all()
    ended = db.session.scalar(sa.select(SlaBreach).where(SlaBreach.report_id == first.id))
    assert ended.ended_at is not None


def test_deferral_timeout_archives_and_tells_the_reporter(world: Any, moved_clock: Any) -> None:
    report = file()
    actions.defer(report.id, actions.actor_for(world.verifier), question="Alamat lengkap?")
    moved_clock.advance(days=15)
    result = sweep.run_sweep()
    assert result.counts["deferral timeouts"] == 1
    db.session.refresh(report)
    assert report.state is State.ARCHIVED and report.archive_reason is ArchiveReason.NO_REPLY
    texts = outbox("archived_no_reply")
    assert len(texts) == 1 and report.tracking_number in texts[0].body
    assert audit.verify() == []


def test_a_report_changed_meanwhile_is_skipped(
    world: Any, moved_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet, busy = file(), file("+6281234567003")
    moved_clock.advance(days=7)
    real_snapshot = sweep._snapshot

    def someone_acts_first(row: Any) -> Any:
        if row.id == busy.id:
            # A person's action commits between the sweep's read and its write.
            db.session.execute(
                sa.update(Report).where(Report.id == busy.id).values(version=Report.version + 1)
            )
        return real_snapshot(row)

    monkeypatch.setattr(sweep, "_snapshot", someone_acts_first)
    result = sweep.run_sweep()
    assert result.counts["level 1 escalations"] == 1
    db.session.expire_all()
    assert db.session.get(Report, quiet.id).escalation_level == 1
    assert db.session.get(Report, busy.id).escalation_level == 0
    assert audit.verify() == []
    monkeypatch.setattr(sweep, "_snapshot", real_snapshot)
    assert sweep.run_sweep().counts["level 1 escalations"] == 1  # the next run takes it
