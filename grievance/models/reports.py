"""Reports, their append-only hash-chained events, ratings and SLA breaches."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models.catalog import Category
from grievance.models.geography import Agency, Region
from grievance.models.people import Contact, StaffUser
from grievance.models.types import JSONType, UTCDateTime, enum_type
from workflows.states import (
    Action,
    ArchiveReason,
    Channel,
    Classification,
    Clock,
    Outcome,
    Role,
    State,
)


class Report(db.Model):
    """A complaint, aspiration or information request, with its workflow state and clocks."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(sa.String(10), unique=True)
    access_code_hash: Mapped[str] = mapped_column(sa.String(64))
    classification: Mapped[Classification] = mapped_column(
        enum_type(Classification, "classification")
    )
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), default=None)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text)
    region_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("regions.code"), index=True, default=None
    )
    address: Mapped[str | None] = mapped_column(sa.String(300), default=None)
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6), default=None)
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6), default=None)
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "channel"))
    language: Mapped[str] = mapped_column(sa.String(8), default="id")
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id"), index=True, default=None
    )
    anonymous: Mapped[bool] = mapped_column(default=False)
    confidential: Mapped[bool] = mapped_column(default=False)
    photo_path: Mapped[str | None] = mapped_column(sa.String(200), default=None)

    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), default=None)
    officer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id"), index=True, default=None
    )
    state: Mapped[State] = mapped_column(enum_type(State, "report_state"), default=State.SUBMITTED)
    outcome: Mapped[Outcome | None] = mapped_column(enum_type(Outcome, "outcome"), default=None)
    archive_reason: Mapped[ArchiveReason | None] = mapped_column(
        enum_type(ArchiveReason, "archive_reason"), default=None
    )
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id"), default=None)
    deferred_from: Mapped[State | None] = mapped_column(
        enum_type(State, "deferred_from_state"), default=None
    )

    # The running clock and the instants the sweep acts on; all indexed with the state.
    clock: Mapped[Clock | None] = mapped_column(enum_type(Clock, "clock"), default=None)
    # When the clock last (re)started, and the working time it had used before (deferrals).
    clock_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    clock_consumed: Mapped[timedelta] = mapped_column(sa.Interval, default=timedelta(0))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    level2_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    escalation_level: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    # While deferred: the clock that was stopped and when, so it resumes where it stopped.
    paused_clock: Mapped[Clock | None] = mapped_column(
        enum_type(Clock, "paused_clock"), default=None
    )
    paused_consumed: Mapped[timedelta | None] = mapped_column(sa.Interval, default=None)
    paused_level: Mapped[int] = mapped_column(sa.SmallInteger, default=0)

    reopen_count: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    appealed: Mapped[bool] = mapped_column(default=False)
    forward_count: Mapped[int] = mapped_column(sa.SmallInteger, default=0)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    first_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    # The tail of the audit chain, so appending needs no read of the events table.
    last_event_seq: Mapped[int] = mapped_column(default=0)
    last_event_hash: Mapped[str] = mapped_column(sa.String(64), default="0" * 64)
    version: Mapped[int] = mapped_column(default=1)

    category: Mapped[Category | None] = relationship()
    region: Mapped[Region | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    officer: Mapped[StaffUser | None] = relationship()
    duplicate_of: Mapped[Report | None] = relationship(remote_side=[id])
    ratings: Mapped[list[Rating]] = relationship(back_populates="report", order_by="Rating.cycle")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # The sweep's queries: each a range scan that is empty when nothing is due.
        sa.Index("ix_reports_state_level_due", "state", "escalation_level", "due_at"),
        sa.Index("ix_reports_state_level_level2", "state", "escalation_level", "level2_at"),
        sa.Index("ix_reports_remind_at", "remind_at"),
        sa.Index("ix_reports_agency_state", "agency_id", "state"),
        sa.Index("ix_reports_created_at", "created_at"),
        sa.CheckConstraint("length(tracking_number) BETWEEN 6 AND 10", name="tracking_length"),
        sa.CheckConstraint("escalation_level BETWEEN 0 AND 2", name="escalation_level"),
        sa.CheckConstraint("reopen_count >= 0", name="reopen_count"),
        sa.CheckConstraint("state <> 'closed' OR outcome IS NOT NULL", name="closed_has_outcome"),
        sa.CheckConstraint(
            "(state = 'archived') = (archive_reason IS NOT NULL)", name="archived_has_reason"
        ),
        sa.CheckConstraint(
            "(state = 'deferred') = (deferred_from IS NOT NULL)", name="deferred_from"
        ),
        sa.CheckConstraint(
            "state IN ('submitted', 'deferred', 'archived') OR agency_id IS NOT NULL",
            name="dispatched_agency",
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)",
            name="coordinates",
        ),
    )


class ReportEvent(db.Model):
    """One thing that happened to a report. Append-only; each holds the hash of the one before."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"))
    seq: Mapped[int]
    action: Mapped[Action] = mapped_column(enum_type(Action, "event_action"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"), default=None)
    actor_role: Mapped[Role] = mapped_column(enum_type(Role, "event_role"))
    from_state: Mapped[State | None] = mapped_column(enum_type(State, "event_from"), default=None)
    to_state: Mapped[State | None] = mapped_column(enum_type(State, "event_to"), default=None)
    public_text: Mapped[str | None] = mapped_column(sa.Text, default=None)
    internal_text: Mapped[str | None] = mapped_column(sa.Text, default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    actor: Mapped[StaffUser | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("report_id", "seq", name="report_seq"),
        sa.Index("ix_report_events_created_at", "created_at"),
    )


class Rating(db.Model):
    """The reporter's satisfaction with a resolution: 1 to 5, once per closing (0, then 1 after
    an appeal)."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"))
    cycle: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str | None] = mapped_column(sa.Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="ratings")

    __table_args__ = (
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score"),
        sa.UniqueConstraint("report_id", "cycle", name="report_cycle"),
    )


class SlaBreach(db.Model):
    """A clock that ran past its due time: the breach register oversight reads."""

    __tablename__ = "sla_breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), default=None)
    clock: Mapped[Clock] = mapped_column(enum_type(Clock, "breach_clock"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime] = mapped_column(UTCDateTime)
    level: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        sa.UniqueConstraint("report_id", "clock", "due_at", name="report_clock_due"),
        sa.Index("ix_sla_breaches_agency_breached", "agency_id", "breached_at"),
    )
