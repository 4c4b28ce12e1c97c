"""Jobs run in-process only after the transaction that asked for them commits."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from grievance import jobs
from grievance.extensions import db
from grievance.models import Notification

# What the jobs below saw: (label, notifications visible to the job, thread name).
SEEN: list[tuple[str, int, str]] = []


def record(label: str) -> None:
    """Note the call, and how many notification rows the job's own session can see."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    SEEN.append((label, count or 0, threading.current_thread().name))


def explode(label: str) -> None:
    """Fail, to show that a failing job does not stop the runner."""
    raise RuntimeError(f"boom {label}")


@pytest.fixture(autouse=True)
def _clear_seen() -> Iterator[None]:
    SEEN.clear()
    yield
    SEEN.clear()


def _add_row() -> None:
    db.session.add(
        Notification(
            channel="sms", recipient="+6281200000001", template="t", language="id", body="b"
        )
    )


def test_job_runs_after_commit_and_sees_the_committed_rows(app: Flask) -> None:
    with app.app_context():
        _add_row()
        db.session.flush()
        jobs.enqueue(record, "after-commit")
        assert SEEN == []
        db.session.commit()
        # The job ran in its own session (its own app context) and saw the committed row.
        assert [(label, count) for label, count, _ in SEEN] == [("after-commit", 1)]


def test_job_does_not_run_after_rollback(app: Flask) -> None:
    with app.app_context():
        _add_row()
        db.session.flush()
        jobs.enqueue(record, "rolled-back")
        db.session.rollback()
        db.session.commit()
        _add_row()
        db.session.commit()
    assert SEEN == []


def test_job_is_dropped_when_the_session_closes_uncommitted(app: Flask) -> None:
    with app.app_context():
        _add_row()
        db.session.flush()
        jobs.enqueue(record, "abandoned")
    # Leaving the app context removed the session without a commit.
    with app.app_context():
        db.session.commit()
    assert SEEN == []


def test_job_outside_a_transaction_runs_at_once(app: Flask) -> None:
    with app.app_context():
        assert not db.session().in_transaction()
        jobs.enqueue(record, "now")
        assert [label for label, _, _ in SEEN] == ["now"]


def test_savepoint_rollback_drops_only_its_own_jobs(app: Flask) -> None:
    with app.app_context():
        _add_row()
        jobs.enqueue(record, "outer")
        savepoint = db.session.begin_nested()
        jobs.enqueue(record, "inside-rolled-back-savepoint")
        savepoint.rollback()
        with db.session.begin_nested():
            jobs.enqueue(record, "inside-released-savepoint")
        # Releasing a savepoint commits nothing yet.
        assert SEEN == []
        db.session.commit()
    assert [label for label, _, _ in SEEN] == ["outer", "inside-released-savepoint"]


def test_jobs_take_ids_not_objects(app: Flask) -> None:
    with app.app_context():
        notification = Notification(
            channel="sms", recipient="+6281200000001", template="t", language="id", body="b"
        )
        with pytest.raises(TypeError, match="ids and plain values"):
            jobs.enqueue(record, notification)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="module-level function"):
            jobs.enqueue(lambda: None)


def test_threaded_runner_runs_jobs_in_its_thread_and_survives_errors(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.config[jobs.EAGER_CONFIG_KEY] = False
    with app.app_context():
        _add_row()
        jobs.enqueue(explode, "first")
        jobs.enqueue(record, "second")
        db.session.commit()
    jobs.wait_for_jobs(timeout=10)
    assert [(label, count) for label, count, _ in SEEN] == [("second", 1)]
    assert SEEN[0][2] == "grievance-jobs"
    assert "boom first" in caplog.text


def test_redis_down_at_enqueue_is_logged_not_raised(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    # Nothing listens on port 1: the connection is refused at once.
    app = make_app(redis_url="redis://127.0.0.1:1/0")
    with app.app_context(), caplog.at_level(logging.WARNING, logger="grievance.jobs"):
        jobs.enqueue(record, "lost")
    assert SEEN == []
    assert "Redis unavailable" in caplog.text


def test_redis_connection_is_none_without_redis(app: Flask) -> None:
    with app.app_context():
        assert jobs.redis_connection() is None
