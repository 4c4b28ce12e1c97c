"""The outbox: queued with the change, sent once after commit, retried with backoff."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from grievance import jobs
from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Contact, Notification
from grievance.notifications.delivery import MAX_ATTEMPTS, backoff, deliver, deliver_due
from grievance.notifications.outbox import queue_notification
from grievance.notifications.transports import RecordingTransport

PHONE = "+6281234567890"
Advance = Callable[[timedelta], datetime]


def _queue(**overrides: object) -> Notification:
    values: dict[str, object] = {
        "channel": "sms",
        "recipient": PHONE,
        "template": "report_received",
        "language": "id",
        "body": "Laporan diterima",
    }
    values.update(overrides)
    return queue_notification(**values)  # type: ignore[arg-type]


def _row(notification_id: int) -> Notification:
    row = db.session.get(Notification, notification_id, populate_existing=True)
    assert row is not None
    return row


def test_queued_notification_is_sent_after_commit(
    app: Flask, transport: RecordingTransport, advance: Advance
) -> None:
    with app.app_context():
        notification = _queue()
        assert notification.id is not None
        assert notification.status == "pending"
        assert transport.sent == []
        db.session.commit()
        row = _row(notification.id)
        assert row.status == "sent"
        assert row.sent_at == utcnow()
        assert row.attempts == 1
        assert row.claimed_until is None
    [message] = transport.sent
    assert row.provider_ref == message.provider_ref
    assert (message.channel, message.recipient, message.body) == ("sms", PHONE, "Laporan diterima")
    assert message.status_callback_url == "http://localhost:5000/channels/sms/twilio/status"


def test_rolled_back_notification_is_neither_stored_nor_sent(
    app: Flask, transport: RecordingTransport
) -> None:
    with app.app_context():
        _queue()
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    assert transport.sent == []


def test_unknown_channel_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="channel"):
        _queue(channel="fax")


def test_email_has_no_status_callback(app: Flask, transport: RecordingTransport) -> None:
    with app.app_context():
        _queue(channel="email", recipient="warga@example.org")
        db.session.commit()
    [message] = transport.sent
    assert message.channel == "email"
    assert message.status_callback_url is None


def test_delivery_run_twice_sends_once(app: Flask, transport: RecordingTransport) -> None:
    with app.app_context():
        notification_id = _queue().id
        db.session.commit()
        assert deliver(notification_id) is None
        assert deliver_due() == 0
    assert len(transport.sent) == 1


def test_second_delivery_during_the_send_does_nothing(app: Flask) -> None:
    outcomes: list[str | None] = []

    class SecondWorker(RecordingTransport):
        """While the first delivery is sending, a second job for the same row runs."""

        def send(
            self, channel: str, recipient: str, body: str, status_callback_url: str | None
        ) -> str:
            with app.app_context():
                row_id = db.session.scalar(sa.select(Notification.id))
                assert row_id is not None
                outcomes.append(deliver(row_id))
            return super().send(channel, recipient, body, status_callback_url)

    transport = SecondWorker()
    app.extensions["grievance.transport"] = transport
    with app.app_context():
        _queue()
        db.session.commit()
    assert outcomes == [None]
    assert len(transport.sent) == 1


def test_failures_back_off_then_fail(
    app: Flask, transport: RecordingTransport, advance: Advance, caplog: pytest.LogCaptureFixture
) -> None:
    transport.fail_next(MAX_ATTEMPTS)
    waits = []
    with app.app_context():
        notification_id = _queue().id
        db.session.commit()
        for attempt in range(1, MAX_ATTEMPTS):
            row = _row(notification_id)
            assert (row.status, row.attempts) == ("pending", attempt)
            assert row.last_error == "TransportError: recording transport: simulated failure"
            wait = row.next_attempt_at - utcnow()
            waits.append(wait)
            # Not due yet: nothing happens.
            advance(wait - timedelta(seconds=1))
            assert deliver_due() == 0
            assert deliver(notification_id) is None
            advance(timedelta(seconds=1))
            assert deliver_due() == 1
        row = _row(notification_id)
        assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
        advance(timedelta(days=1))
        assert deliver_due() == 0
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert transport.sent == []
    assert "attempt 6 failed (failed)" in caplog.text


def test_failure_then_success(
    app: Flask, transport: RecordingTransport, advance: Advance
) -> None:
    transport.fail_next(2)
    with app.app_context():
        notification_id = _queue().id
        db.session.commit()
        advance(backoff(1))
        assert deliver_due() == 1
        advance(backoff(2))
        assert deliver_due() == 1
        row = _row(notification_id)
        assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert len(transport.sent) == 1


def test_permanent_failure_is_not_retried(
    app: Flask, transport: RecordingTransport, advance: Advance
) -> None:
    transport.fail_next(1, permanent=True)
    with app.app_context():
        notification_id = _queue().id
        db.session.commit()
        assert _row(notification_id).status == "failed"
        advance(timedelta(days=1))
        assert deliver_due() == 0


def test_backoff_is_capped() -> None:
    assert backoff(1) == timedelta(minutes=1)
    assert backoff(20) == timedelta(hours=1)


def test_opted_out_contact_is_skipped(app: Flask, transport: RecordingTransport) -> None:
    with app.app_context():
        contact = Contact(phone=PHONE, opted_out=True)
        db.session.add(contact)
        db.session.flush()
        notification_id = _queue(contact_id=contact.id).id
        db.session.commit()
        row = _row(notification_id)
        assert row.status == "skipped"
        assert row.sent_at is None
    assert transport.sent == []


def test_opted_out_number_is_skipped_without_a_contact_id(
    app: Flask, transport: RecordingTransport
) -> None:
    with app.app_context():
        db.session.add(Contact(phone=PHONE, opted_out=True))
        notification_id = _queue().id
        db.session.commit()
        assert _row(notification_id).status == "skipped"
    assert transport.sent == []


def test_opt_out_is_checked_at_delivery_time(
    app: Flask, transport: RecordingTransport, advance: Advance
) -> None:
    transport.fail_next(1)
    with app.app_context():
        contact = Contact(phone=PHONE)
        db.session.add(contact)
        db.session.flush()
        notification_id = _queue(contact_id=contact.id).id
        db.session.commit()
        assert _row(notification_id).status == "pending"
        # STOP arrives before the retry.
        contact.opted_out = True
        db.session.commit()
        advance(backoff(1))
        assert deliver_due() == 1
        assert _row(notification_id).status == "skipped"
    assert transport.sent == []


def test_deliver_due_sends_a_row_whose_enqueue_was_lost(
    make_app: Callable[..., Flask],
    transport: RecordingTransport,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Redis is down (nothing listens on port 1): the job is not enqueued, the row waits.
    app = make_app(redis_url="redis://127.0.0.1:1/0")
    with app.app_context(), caplog.at_level(logging.WARNING, logger="grievance.jobs"):
        notification_id = _queue().id
        db.session.commit()
        assert "Redis unavailable" in caplog.text
        assert _row(notification_id).status == "pending"
        assert transport.sent == []
        # The periodic job finds it.
        assert deliver_due() == 1
        assert _row(notification_id).status == "sent"
    assert len(transport.sent) == 1


def test_deliver_due_reclaims_a_row_whose_sender_died(
    app: Flask, transport: RecordingTransport, advance: Advance
) -> None:
    with app.app_context():
        row = Notification(
            channel="sms", recipient=PHONE, template="t", language="id", body="stuck",
            status="sending", claimed_until=utcnow() + timedelta(minutes=5),
        )
        db.session.add(row)
        db.session.commit()
        # The lease still holds: someone is sending it.
        assert deliver_due() == 0
        advance(timedelta(minutes=5, seconds=1))
        assert deliver_due() == 1
        assert _row(row.id).status == "sent"
    assert [message.body for message in transport.sent] == ["stuck"]


def test_threaded_runner_delivers(app: Flask, transport: RecordingTransport) -> None:
    app.config[jobs.EAGER_CONFIG_KEY] = False
    with app.app_context():
        notification_id = _queue().id
        db.session.commit()
    jobs.wait_for_jobs(timeout=10)
    with app.app_context():
        assert _row(notification_id).status == "sent"
    assert len(transport.sent) == 1
