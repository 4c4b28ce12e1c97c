"""Deliver outbox rows, each at most once, with retries and backoff.

A row moves pending -> sending -> sent. Whoever flips it to sending (an atomic compare-and-set
UPDATE) owns it for a lease and is the only one to send it, so a delivery job run twice, or by two
workers at once, sends once. A failed send puts the row back to pending with a later
``next_attempt_at``; after ``MAX_ATTEMPTS`` it is failed. A worker that dies mid-send leaves the
row in sending; once the lease has passed ``deliver_due`` claims it again. That one case can send
twice (if the provider had accepted the message before the crash): SMS providers take no
idempotency key, so at-least-once is the best there is after a crash.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Contact, Notification
from grievance.notifications.transports import PermanentTransportError, transport_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Longer than any send can take (the Twilio client times out after 15 s), so a live sender never
# loses its claim to deliver_due.
LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
STATUS_CALLBACK_PATH = "/channels/sms/twilio/status"
# deliver_due stops after this long and leaves the rest to its next run, well inside the job
# timeout.
DUE_BATCH_SIZE = 100
DUE_TIME_BUDGET_SECONDS = 60.0
_ERROR_MAX_CHARS = 1000


def backoff(attempts: int) -> timedelta:
    """Return the wait before the next try after `attempts` failed ones: 1, 2, 4... min, capped."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _claimable(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(Notification.status == "pending", Notification.next_attempt_at <= now),
        # A sender that died mid-send: its lease has run out.
        sa.and_(Notification.status == "sending", Notification.claimed_until < now),
    )


def _claim(notification_id: int, now: datetime) -> datetime | None:
    """Take the row for sending; return the lease's end, or None if it is not ours to send."""
    lease_end = now + LEASE
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, _claimable(now))
        .values(status="sending", claimed_until=lease_end)
        .execution_options(synchronize_session=False)
    )
    # Committed at once so that the claim is visible to every other worker before the send.
    db.session.commit()
    return lease_end if result.rowcount == 1 else None  # type: ignore[attr-defined]


def _finish(notification_id: int, lease_end: datetime, **values: object) -> None:
    # Guarded by our lease: if it ran out and another worker re-claimed the row, its outcome wins.
    result = db.session.execute(
        sa.update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == "sending",
            Notification.claimed_until == lease_end,
        )
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        logger.warning("notification %s: lease lost before recording the outcome", notification_id)


def _opted_out(notification: Notification) -> bool:
    # The contact on the row, or (for SMS) anyone with that number: a STOP from a number covers
    # every notification to it.
    matches = []
    if notification.contact_id is not None:
        matches.append(Contact.id == notification.contact_id)
    if notification.channel == "sms":
        matches.append(Contact.phone == notification.recipient)
    if not matches:
        return False
    query = sa.select(Contact.id).where(sa.or_(*matches), Contact.opted_out.is_(True)).limit(1)
    return db.session.scalar(query) is not None


def deliver(notification_id: int) -> str | None:
    """Send one notification if it is due and unclaimed; return its new status (None: not ours)."""
    lease_end = _claim(notification_id, utcnow())
    if lease_end is None:
        return None
    notification = db.session.get(Notification, notification_id)
    if notification is None:  # pragma: no cover - claimed rows exist; deleted in between at most
        return None
    if _opted_out(notification):
        _finish(notification_id, lease_end, status="skipped")
        logger.info("notification %s skipped: recipient opted out", notification_id)
        return "skipped"
    channel, recipient, body = notification.channel, notification.recipient, notification.body
    attempts = notification.attempts + 1
    settings = current_app.config["GRIEVANCE_SETTINGS"]
    callback = settings.public_base_url + STATUS_CALLBACK_PATH if channel == "sms" else None
    # End the read transaction: no database transaction (or SQLite lock) is held during the send.
    db.session.commit()
    try:
        provider_ref = transport_for(current_app, channel).send(channel, recipient, body, callback)
    except Exception as exc:
        # Any exception, not only TransportError: whatever went wrong, the row must leave
        # 'sending' with the error recorded rather than wait out its lease.
        permanent = isinstance(exc, PermanentTransportError)
        status = "failed" if permanent or attempts >= MAX_ATTEMPTS else "pending"
        now = utcnow()
        _finish(
            notification_id,
            lease_end,
            status=status,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:_ERROR_MAX_CHARS],
        )
        log = logger.error if status == "failed" else logger.warning
        log("notification %s attempt %d failed (%s): %s", notification_id, attempts, status, exc)
        return status
    _finish(
        notification_id,
        lease_end,
        status="sent",
        attempts=attempts,
        sent_at=utcnow(),
        provider_ref=provider_ref,
        last_error=None,
    )
    return "sent"


def deliver_due(limit: int = DUE_BATCH_SIZE) -> int:
    """Deliver pending rows that are due and rows whose sender's lease ran out; return the count."""
    ids = db.session.scalars(
        sa.select(Notification.id)
        .where(_claimable(utcnow()))
        .order_by(Notification.next_attempt_at)
        .limit(limit)
    ).all()
    db.session.commit()
    started = time.monotonic()
    delivered = 0
    # Inline rather than one job each: re-enqueueing every 30 s would pile duplicate jobs onto a
    # slow queue. The claim keeps this safe alongside a delivery job for the same row.
    for notification_id in ids:
        if time.monotonic() - started > DUE_TIME_BUDGET_SECONDS:
            break
        if deliver(notification_id) is not None:
            delivered += 1
    return delivered
