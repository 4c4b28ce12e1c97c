"""Background jobs, dispatched only once the database transaction that asked for them commits.

A job is a module-level function that takes only ids and plain values, finds everything else in
the database, and is idempotent: every backend may run it twice (retries, overlapping schedulers).
It runs inside an app context of its own, so it never sees its caller's session or uncommitted rows.

The backend follows the settings:

- ``REDIS_URL`` set: RQ. The worker (``grievance worker``) runs ``runner.run_in_app``, retrying
  with backoff. Redis down at enqueue time is logged, not raised: the work is recorded in the
  database (the outbox) and a periodic job picks it up.
- testing: eager, synchronously right after the commit (``GRIEVANCE_JOBS_EAGER`` in app.config;
  set it False to test the threaded runner, with ``wait_for_jobs()``).
- otherwise: the in-process runner, one daemon thread; and, when ``in_process_ticker`` is on,
  the periodic jobs in a ticker thread started on the first request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from grievance.extensions import db
from grievance.jobs import inprocess, runner, ticker
from grievance.jobs.queues import (
    JOB_TIMEOUT_SECONDS,
    QUEUE_DEFAULT,
    QUEUES,
    RETRY_INTERVALS,
    RETRY_MAX,
)

__all__ = [
    "EAGER_CONFIG_KEY",
    "QUEUES",
    "QUEUE_DEFAULT",
    "enqueue",
    "init_app",
    "redis_connection",
    "register_cli",
    "wait_for_jobs",
]

logger = logging.getLogger(__name__)

EAGER_CONFIG_KEY = "GRIEVANCE_JOBS_EAGER"
REDIS_EXTENSION = "grievance.redis"
# Jobs waiting for the session's transaction to commit, with the (sub)transaction they belong to.
_PENDING_KEY = "grievance.jobs.pending"

JobArg = int | str | float | bool | None
_PLAIN = (int, str, float, bool, type(None))


@dataclass(frozen=True)
class _Job:
    app: Flask
    func: Callable[..., object]
    path: str
    args: tuple[JobArg, ...]


def init_app(app: Flask) -> None:
    """Attach the job dispatcher, the embedded ticker (when configured) and the worker command."""
    settings = app.config["GRIEVANCE_SETTINGS"]
    testing = settings.environment == "testing"
    app.config.setdefault(EAGER_CONFIG_KEY, testing)
    _listen_to_sessions()
    if settings.in_process_ticker and not testing:
        ticker.install(app)
    register_cli(app)


def register_cli(app: Flask) -> None:
    """Add the `worker` command to the app's CLI."""
    # Imported here: the worker module pulls in rq's worker and cron machinery, which only the
    # CLI needs.
    from grievance.jobs import worker

    worker.register_cli(app)


def redis_connection(app: Flask | None = None) -> Redis | None:
    """Return the app's Redis connection (created on first use), or None in embedded mode."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    redis_url = app.config["GRIEVANCE_SETTINGS"].redis_url
    if not redis_url:
        return None
    connection: Redis | None = app.extensions.get(REDIS_EXTENSION)
    if connection is None:
        # Short timeouts and a single retry (for a pooled connection gone stale when Redis
        # restarted): enqueueing happens in requests, and Redis down must not stall them.
        connection = Redis.from_url(
            redis_url,
            socket_connect_timeout=2,
            socket_timeout=5,
            retry=RedisRetry(NoBackoff(), 1),
        )
        app.extensions[REDIS_EXTENSION] = connection
    return connection


def enqueue(func: Callable[..., object], *args: JobArg) -> None:
    """Run `func(*args)` in the background once the current transaction commits (now if none)."""
    path = runner.job_path(func)
    for arg in args:
        if not isinstance(arg, _PLAIN):
            # Jobs take ids: an ORM object would be stale (or detached) by the time the job runs.
            raise TypeError(f"job {path} takes ids and plain values, not {type(arg).__name__}")
    job = _Job(current_app._get_current_object(), func, path, args)  # type: ignore[attr-defined]
    session = db.session()
    if session.in_transaction():
        transaction = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(_PENDING_KEY, []).append((transaction, job))
    else:
        _dispatch(job)


def wait_for_jobs(timeout: float = 30.0) -> None:
    """Block until the in-process runner has run every queued job (for tests of threaded mode)."""
    inprocess.runner.wait(timeout)


def _dispatch(job: _Job) -> None:
    settings = job.app.config["GRIEVANCE_SETTINGS"]
    if settings.redis_url:
        _enqueue_on_rq(job)
    elif job.app.config.get(EAGER_CONFIG_KEY):
        # Errors propagate (out of the caller's commit): under test a failing job fails the test.
        inprocess.run_task(inprocess.Task(job.app, job.func, job.args))
    else:
        inprocess.runner.submit(inprocess.Task(job.app, job.func, job.args))


def _enqueue_on_rq(job: _Job) -> None:
    connection = redis_connection(job.app)
    try:
        Queue(QUEUE_DEFAULT, connection=connection).enqueue(
            runner.run_in_app,
            job.path,
            *job.args,
            description=f"{job.path}{job.args!r}",
            job_timeout=JOB_TIMEOUT_SECONDS,
            retry=Retry(max=RETRY_MAX, interval=list(RETRY_INTERVALS)),
        )
    except RedisError as exc:
        # The request that asked for the job has committed; failing it now would only hide that.
        # What the job was for is in the database, and the periodic jobs find it there.
        logger.warning("Redis unavailable, job %s%r not enqueued: %s", job.path, job.args, exc)


def _listen_to_sessions() -> None:
    # One listener on db's session factory serves every app; the guard makes init_app repeatable.
    for name, listener in (
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_soft_rollback),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _after_commit(session: Session) -> None:
    # after_commit also fires when a SAVEPOINT is released; only the outermost commit makes the
    # rows visible to a job.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING_KEY, [])
    for _transaction, job in pending:
        _dispatch(job)


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING_KEY)
    if not pending:
        return
    kept = [(tx, job) for tx, job in pending if not _inside(tx, previous_transaction)]
    if len(kept) != len(pending):
        logger.info("rollback: %d job(s) discarded", len(pending) - len(kept))
        session.info[_PENDING_KEY] = kept


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without committing (closed, or rolled back): its jobs go.
    if transaction.parent is None:
        pending = session.info.pop(_PENDING_KEY, [])
        if pending:
            logger.info("transaction ended uncommitted: %d job(s) discarded", len(pending))


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False
