"""Jobs through a real RQ worker on Redis, sharing a SQLite file with the test."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker

from grievance import jobs
from grievance.extensions import db
from grievance.jobs import runner
from grievance.jobs.queues import QUEUE_DEFAULT
from grievance.jobs.schedule import Periodic
from grievance.jobs.worker import build_cron_scheduler, run_queued_jobs
from grievance.models import Notification
from grievance.notifications.delivery import deliver
from grievance.notifications.outbox import queue_notification
from grievance.notifications.transports import TRANSPORT_EXTENSION, RecordingTransport

pytestmark = pytest.mark.redis


def mark(notification_id: int, note: str) -> None:
    """Write `note` on the notification, from the worker's own app and session."""
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id)
        .values(provider_status=note)
    )
    db.session.commit()


@pytest.fixture(autouse=True)
def _keep_signal_handlers() -> Iterator[None]:
    # RQ workers install SIGINT/SIGTERM handlers in the main thread; give pytest its own back.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def rq_app(make_app: Callable[..., Flask], redis_url: str) -> Iterator[Flask]:
    """Return a testing app whose jobs go to RQ on the test Redis database."""
    app = make_app(redis_url=redis_url)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()


@pytest.fixture
def redis(redis_url: str) -> Iterator[Redis]:
    """Return a connection to the test Redis database."""
    connection = Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def worker_env(monkeypatch: pytest.MonkeyPatch, database_url: str, redis_url: str) -> None:
    """Point the environment at the test's database and Redis, as a deployed worker's would be."""
    monkeypatch.setenv("GRIEVANCE_ENV", "testing")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRIEVANCE_IN_PROCESS_TICKER", "false")


def _work(redis: Redis) -> None:
    SimpleWorker([QUEUE_DEFAULT], connection=redis).work(burst=True)


def _row(app: Flask, notification_id: int) -> Notification:
    with app.app_context():
        row = db.session.get(Notification, notification_id)
        assert row is not None
        db.session.expunge(row)
        return row


def _add_row(app: Flask) -> int:
    with app.app_context():
        row = Notification(
            channel="sms", recipient="+6281200000002", template="t", language="id", body="hello"
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def test_job_is_enqueued_after_commit_and_run_by_a_worker(
    rq_app: Flask, redis: Redis, worker_env: None
) -> None:
    notification_id = _add_row(rq_app)
    queue = Queue(QUEUE_DEFAULT, connection=redis)
    with rq_app.app_context():
        db.session.execute(sa.select(Notification.id)).all()  # inside a transaction now
        jobs.enqueue(mark, notification_id, "rolled back")
        db.session.rollback()
        assert queue.count == 0

        db.session.execute(sa.select(Notification.id)).all()
        jobs.enqueue(mark, notification_id, "from the worker")
        assert queue.count == 0
        db.session.commit()
        assert queue.count == 1
        [job] = queue.get_jobs()
        assert job.func_name == "grievance.jobs.runner.run_in_app"
        assert job.retries_left == 4

    try:
        # The worker builds its own app from the environment, as in production.
        _work(redis)
        assert runner.worker_app() is not rq_app
    finally:
        with runner.worker_app().app_context():
            db.engine.dispose()
    assert job.get_status(refresh=True) == "finished"
    assert _row(rq_app, notification_id).provider_status == "from the worker"


def test_notification_is_sent_by_the_worker(
    rq_app: Flask, redis: Redis, worker_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with rq_app.app_context():
        notification = queue_notification(
            channel="sms", recipient="+6281200000003", template="t", language="id", body="halo"
        )
        db.session.commit()
        notification_id = notification.id
    assert _row(rq_app, notification_id).status == "pending"
    try:
        _work(redis)
    finally:
        with runner.worker_app().app_context():
            db.engine.dispose()
    row = _row(rq_app, notification_id)
    # No Twilio settings in the environment: the console transport sent it.
    assert row.status == "sent"
    assert row.provider_ref is not None and row.provider_ref.startswith("console-")
    assert "halo" in capsys.readouterr().out


def test_delivery_job_run_twice_sends_once(rq_app: Flask, redis: Redis) -> None:
    transport = RecordingTransport()
    rq_app.extensions[TRANSPORT_EXTENSION] = transport
    with rq_app.app_context():
        notification_id = queue_notification(
            channel="sms", recipient="+6281200000004", template="t", language="id", body="once"
        ).id
        jobs.enqueue(deliver, notification_id)
        db.session.commit()
    assert Queue(QUEUE_DEFAULT, connection=redis).count == 2
    assert run_queued_jobs(rq_app)
    assert [message.body for message in transport.sent] == ["once"]
    assert _row(rq_app, notification_id).status == "sent"


def test_cron_scheduler_enqueues_periodic_jobs_for_the_worker(
    rq_app: Flask, redis: Redis
) -> None:
    transport = RecordingTransport()
    rq_app.extensions[TRANSPORT_EXTENSION] = transport
    # A pending row whose delivery job was never enqueued.
    notification_id = _add_row(rq_app)
    scheduler = build_cron_scheduler(
        redis,
        (
            Periodic("grievance.notifications.delivery.deliver_due", 30),
            Periodic("grievance.no_such_module.job", 60),
        ),
    )
    assert [job.name for job in scheduler.get_jobs()] == [
        "grievance.notifications.delivery.deliver_due"
    ]
    scheduler.enqueue_jobs()
    assert run_queued_jobs(rq_app)
    assert [message.body for message in transport.sent] == ["hello"]
    assert _row(rq_app, notification_id).status == "sent"


def test_worker_command_runs_queued_jobs(rq_app: Flask, redis: Redis) -> None:
    notification_id = _add_row(rq_app)
    with rq_app.app_context():
        jobs.enqueue(mark, notification_id, "from the command")
    # The real command: a forking worker, whose work horse reuses the command's app.
    result = rq_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert _row(rq_app, notification_id).provider_status == "from the command"
