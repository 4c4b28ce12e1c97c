"""The operational commands: sweep, audit verify, clocks recompute, users create."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from grievance.extensions import db
from grievance.models import ReportEvent, StaffUser
from grievance.services import actions
from grievance.services.reports import file_report
from workflows.states import Channel


def file_one() -> Any:
    return file_report(
        description="Jembatan retak di Sungai Cikapundung.", channel=Channel.WEB, language="id"
    ).report


def test_sweep_prints_what_it_did(app: Flask, world: Any, moved_clock: Any) -> None:
    file_one()
    runner = app.test_cli_runner()
    assert "nothing was due" in runner.invoke(args=["sweep"]).output
    moved_clock.advance(days=7)
    output = runner.invoke(args=["sweep"]).output
    assert "1 level 1 escalations" in output
    assert "nothing was due" in runner.invoke(args=["sweep"]).output


def test_audit_verify_names_the_first_edited_event(
    app: Flask, world: Any, moved_clock: Any
) -> None:
    report = file_one()
    verifier = actions.actor_for(world.verifier)
    actions.note(report.id, verifier, text="first note")
    actions.note(report.id, verifier, text="second note")
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["audit", "verify"])
    assert clean.exit_code == 0 and "every chain verifies" in clean.output
    # Someone with database access rewrites the second event behind the application's back.
    db.session.execute(
        sa.update(ReportEvent)
        .where(ReportEvent.report_id == report.id, ReportEvent.seq == 2)
        .values(internal_text="nothing to see")
    )
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code != 0
    assert f"BROKEN report {report.tracking_number}: event #2" in broken.output
    assert "changed after it was written" in broken.output


def test_audit_verify_catches_a_removed_event(app: Flask, world: Any, moved_clock: Any) -> None:
    report = file_one()
    actions.note(report.id, actions.actor_for(world.verifier), text="to be removed")
    db.session.execute(
        sa.delete(ReportEvent).where(ReportEvent.report_id == report.id, ReportEvent.seq == 2)
    )
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["audit", "verify"]).output
    assert "removed" in output


def test_users_create(app: Flask, world: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "New@Example.org",
            "--name",
            "Nia",
            "--role",
            "officer",
            "--agency",
            "BDG",
            "--password",
            "long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == "new@example.org"))
    assert user is not None and user.check_password("long enough password")
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "new@example.org",
            "--name",
            "N",
            "--role",
            "officer",
            "--agency",
            "BDG",
            "--password",
            "long enough password",
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output
    no_agency = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "o@example.org",
            "--name",
            "O",
            "--role",
            "coordinator",
            "--password",
            "long enough password",
        ]
    )
    assert no_agency.exit_code != 0


def test_clocks_recompute_after_a_closure(app: Flask, world: Any, moved_clock: Any) -> None:
    from datetime import date

    from grievance.models import Calendar, CalendarClosure

    report = file_one()
    due = report.due_at
    national = db.session.scalar(sa.select(Calendar).where(Calendar.name == "national"))
    db.session.add(CalendarClosure(calendar=national, day=date(2026, 3, 3), reason="banjir"))
    db.session.commit()
    output = app.test_cli_runner().invoke(args=["clocks", "recompute"]).output
    assert "1 reports rescheduled" in output
    db.session.refresh(report)
    assert report.due_at > due  # a working day was lost to the closure
