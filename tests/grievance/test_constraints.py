"""The database refuses what the model forbids, whatever code path tries it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from grievance.extensions import db
from grievance.models import Contact, Rating, Report, ReportEvent, StaffUser
from grievance.services.reports import file_report
from workflows.states import Channel, Role


def a_report() -> Report:
    return file_report(
        description="Sampah menumpuk di pasar.", channel=Channel.WEB, language="id"
    ).report


def expect_refusal(statement: Any) -> None:
    with pytest.raises((IntegrityError, StatementError)):
        db.session.execute(statement)
        db.session.flush()
    db.session.rollback()


def test_tracking_number_is_unique(world: Any) -> None:
    first, second = a_report(), a_report()
    expect_refusal(
        sa.update(Report)
        .where(Report.id == second.id)
        .values(tracking_number=first.tracking_number)
    )


def test_closed_needs_outcome_and_archived_needs_reason(world: Any) -> None:
    report = a_report()
    expect_refusal(sa.update(Report).where(Report.id == report.id).values(state="closed"))
    expect_refusal(sa.update(Report).where(Report.id == report.id).values(state="archived"))
    expect_refusal(
        sa.update(Report).where(Report.id == report.id).values(state="dispatched")
    )  # no agency
    expect_refusal(sa.update(Report).where(Report.id == report.id).values(state="lost"))


def test_rating_range_and_once_per_cycle(world: Any) -> None:
    report = a_report()
    expect_refusal(
        sa.insert(Rating).values(
            report_id=report.id, cycle=0, score=6, created_at=report.created_at
        )
    )
    db.session.execute(
        sa.insert(Rating).values(
            report_id=report.id, cycle=0, score=4, created_at=report.created_at
        )
    )
    expect_refusal(
        sa.insert(Rating).values(
            report_id=report.id, cycle=0, score=3, created_at=report.created_at
        )
    )


def test_event_sequence_is_unique_per_report(world: Any) -> None:
    report = a_report()
    event = db.session.scalars(
        sa.select(ReportEvent).where(ReportEvent.report_id == report.id)
    ).one()
    expect_refusal(
        sa.insert(ReportEvent).values(
            report_id=report.id,
            seq=event.seq,
            action="note",
            actor_role="verifier",
            data={},
            created_at=event.created_at,
            prev_hash="0" * 64,
            hash="1" * 64,
        )
    )


def test_events_are_append_only_in_the_orm(world: Any) -> None:
    report = a_report()
    event = db.session.scalars(
        sa.select(ReportEvent).where(ReportEvent.report_id == report.id)
    ).one()
    event.public_text = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_contacts_need_e164_and_a_way_to_reach_them(world: Any) -> None:
    with pytest.raises(ValueError):
        Contact(phone="12345")
    expect_refusal(
        sa.insert(Contact).values(
            phone="0812345678", language="id", opted_out=False, created_at=sa.func.now()
        )
    )
    expect_refusal(
        sa.insert(Contact).values(language="id", opted_out=False, created_at=sa.func.now())
    )


def test_agency_staff_need_an_agency(world: Any) -> None:
    user = StaffUser(email="x@example.org", name="X", role=Role.OFFICER, password_hash="x")
    db.session.add(user)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_naive_datetimes_are_refused(world: Any) -> None:
    from datetime import datetime

    report = a_report()
    with pytest.raises(StatementError):
        db.session.execute(
            sa.update(Report).where(Report.id == report.id).values(due_at=datetime(2026, 1, 1))  # noqa: DTZ001
        )
    db.session.rollback()
