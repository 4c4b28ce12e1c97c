"""Write notifications to the outbox, in the caller's transaction."""

from __future__ import annotations

from grievance import jobs
from grievance.extensions import db
from grievance.models import Notification
from grievance.notifications.delivery import deliver

CHANNELS = ("sms", "email")


def queue_notification(
    *,
    channel: str,
    recipient: str,
    template: str,
    language: str,
    body: str,
    report_id: int | None = None,
    contact_id: int | None = None,
    staff_user_id: int | None = None,
) -> Notification:
    """Add a pending notification to the session and schedule its delivery for after the commit.

    Nothing is committed here: the row belongs to the caller's unit of work, so the message goes
    out if and only if the change that caused it is committed.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown notification channel {channel!r}")
    notification = Notification(
        channel=channel,
        recipient=recipient,
        template=template,
        language=language,
        body=body,
        report_id=report_id,
        contact_id=contact_id,
        staff_user_id=staff_user_id,
    )
    db.session.add(notification)
    # The job needs the id; flushing inside the caller's transaction assigns it.
    db.session.flush()
    jobs.enqueue(deliver, notification.id)
    return notification
