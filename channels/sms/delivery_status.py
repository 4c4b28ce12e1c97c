"""Twilio's delivery-status callbacks, recorded on the outbox row of the message they concern."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from grievance.extensions import db
from grievance.models import Contact, Notification

logger = logging.getLogger(__name__)

# Twilio's message statuses in the order a message passes through them. Callbacks may arrive out
# of order; a later status never gives way to an earlier one.
STATUS_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "receiving": 3,
    "received": 3,
    "undelivered": 4,
    "failed": 4,
    "delivered": 4,
    "read": 5,
    "canceled": 4,
}
FAILED = frozenset({"undelivered", "failed"})
# "Attempt to send to unsubscribed recipient": the number sent STOP to the carrier or to Twilio.
UNSUBSCRIBED_ERROR = "21610"


def record_status(message_sid: str, status: str, error_code: str | None) -> bool:
    """Record a delivery status on the outbox row with this provider reference; tell if found."""
    status = status.strip().lower()[:32]
    if not message_sid or not status:
        return False
    notification = db.session.scalar(
        sa.select(Notification).where(Notification.provider_ref == message_sid)
    )
    if notification is None:
        # A message not sent through the outbox, or a callback that beat the row's update.
        logger.info("status %s for unknown message %s ignored", status, message_sid)
        return False
    known = STATUS_RANK.get(notification.provider_status or "", -1)
    if STATUS_RANK.get(status, 0) >= known:
        notification.provider_status = status
    if status in FAILED:
        notification.status = "failed"
        notification.last_error = f"twilio {status}" + (f" {error_code[:16]}" if error_code else "")
        if error_code == UNSUBSCRIBED_ERROR and notification.channel == "sms":
            db.session.execute(
                sa.update(Contact)
                .where(Contact.phone == notification.recipient)
                .values(opted_out=True)
            )
    db.session.commit()
    return True
