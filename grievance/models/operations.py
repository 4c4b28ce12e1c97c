"""Operational tables: SLA policy, the notification outbox, API clients, inbound messages."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models.types import JSONType, UTCDateTime


class SlaPolicyRow(db.Model):
    """The admin-editable SLA policy; one row (id 1). Defaults are WORKFLOW.md's."""

    __tablename__ = "sla_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    verification_days: Mapped[int] = mapped_column(default=3)
    follow_up_days: Mapped[int] = mapped_column(default=5)
    minor_days: Mapped[int] = mapped_column(default=2)
    normative_days: Mapped[int] = mapped_column(default=5)
    standard_days: Mapped[int] = mapped_column(default=14)
    investigation_days: Mapped[int] = mapped_column(default=60)
    reply_window_days: Mapped[int] = mapped_column(default=10)
    deferral_window_days: Mapped[int] = mapped_column(default=10)
    rating_window_days: Mapped[int] = mapped_column(default=30)
    appeal_window_days: Mapped[int] = mapped_column(default=30)
    reminder_before_days: Mapped[int] = mapped_column(default=1)
    level2_factor: Mapped[int] = mapped_column(default=2)
    green_threshold: Mapped[int] = mapped_column(default=80)
    yellow_threshold: Mapped[int] = mapped_column(default=60)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint(
            "verification_days > 0 AND follow_up_days > 0 AND minor_days > 0 "
            "AND normative_days > 0 AND standard_days > 0 AND investigation_days > 0 "
            "AND investigation_days <= 60 AND reply_window_days > 0 AND deferral_window_days > 0 "
            "AND rating_window_days > 0 AND appeal_window_days > 0 AND reminder_before_days >= 0 "
            "AND level2_factor >= 2",
            name="positive",
        ),
    )


class Notification(db.Model):
    """A message to send, written with the change that caused it (the outbox)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reports.id"), index=True, default=None
    )
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"), default=None)
    staff_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"), default=None)
    channel: Mapped[str] = mapped_column(sa.String(16))  # sms, email
    recipient: Mapped[str] = mapped_column(sa.String(254))
    template: Mapped[str] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(8))
    body: Mapped[str] = mapped_column(sa.Text)
    # pending -> sending -> sent | failed; skipped when the number opted out before delivery.
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    provider_ref: Mapped[str | None] = mapped_column(sa.String(64), index=True, default=None)
    provider_status: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    last_error: Mapped[str | None] = mapped_column(sa.Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (
        sa.Index("ix_notifications_status_next", "status", "next_attempt_at"),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name="status"
        ),
    )


class ApiClient(db.Model):
    """An Open311 / API client; only a hash of its key is kept."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    key_prefix: Mapped[str] = mapped_column(sa.String(12), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class InboundMessage(db.Model):
    """A message received from a provider, kept to answer retries identically (idempotency)."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(sa.String(16))  # twilio, ussd
    external_id: Mapped[str] = mapped_column(sa.String(80))
    sender: Mapped[str] = mapped_column(sa.String(20))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    reply: Mapped[str | None] = mapped_column(sa.Text, default=None)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reports.id"), default=None)
    data: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("provider", "external_id", name="provider_external"),)
