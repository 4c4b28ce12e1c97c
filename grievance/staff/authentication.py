"""Checking staff passwords, with throttling per account and per client address.

An account is locked for a while after a few wrong passwords in a row; a client address that
fails too often is refused for a while whatever account it tries. Every refusal reads the same
and costs about the same time, so neither the message nor the timing tells whether an email
belongs to an account.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from redis.exceptions import RedisError
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from grievance import jobs
from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import StaffUser

logger = logging.getLogger(__name__)

MAX_FAILURES = 5  # wrong passwords in a row before an account is locked
LOCK_MINUTES = 15
IP_MAX_FAILURES = 20  # failed logins from one address per window before it is refused
IP_WINDOW = timedelta(minutes=15)
_MEMORY_KEY = "grievance.staff.login_failures"


class LoginRefused(Exception):
    """The login did not succeed; `throttled` when the client address is over its limit."""

    def __init__(self, throttled: bool = False) -> None:
        super().__init__("login refused")
        self.throttled = throttled


@functools.cache
def _dummy_hash() -> str:
    # Checked against when the email is unknown, so an unknown email costs a hash check too.
    return generate_password_hash("not a password of anyone")


def authenticate(email: str, password: str, client: str) -> StaffUser:
    """Return the active staff user with this email and password, or raise LoginRefused."""
    now = utcnow()
    counter = failure_counter(current_app)
    if counter.count(client, now) >= IP_MAX_FAILURES:
        raise LoginRefused(throttled=True)
    email = email.strip().lower()
    user = (
        db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email))
        if email
        else None
    )
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        counter.add(client, now)
        raise LoginRefused
    if user.locked_until is not None and user.locked_until > now:
        check_password_hash(_dummy_hash(), password)
        counter.add(client, now)
        raise LoginRefused
    if not user.check_password(password):
        _record_failure(user, now)
        counter.add(client, now)
        raise LoginRefused
    user.failed_logins = 0
    user.locked_until = None
    db.session.commit()
    return user


def _record_failure(user: StaffUser, now: datetime) -> None:
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
    db.session.commit()


class FailureCounter:
    """Failed logins per client address in fixed windows: in Redis when there is one."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._memory: dict[tuple[str, int], int] = {}

    def _window(self, now: datetime) -> int:
        return int(now.timestamp() // IP_WINDOW.total_seconds())

    def _key(self, client: str, window: int) -> str:
        prefix = self._app.config["GRIEVANCE_SETTINGS"].redis_prefix
        return f"{prefix}login-failures:{client}:{window}"

    def _redis(self, operation: Callable[..., int], *args: object) -> int | None:
        connection = jobs.redis_connection(self._app)
        if connection is None:
            return None
        try:
            return operation(connection, *args)
        except RedisError as exc:
            # Throttling falls back to this process rather than failing every login.
            logger.warning("Redis unavailable for login throttling: %s", exc)
            return None

    def count(self, client: str, now: datetime) -> int:
        """Return the failures recorded for a client address in the current window."""
        window = self._window(now)
        stored = self._redis(lambda r, key: int(r.get(key) or 0), self._key(client, window))
        if stored is not None:
            return stored
        with self._lock:
            return self._memory.get((client, window), 0)

    def add(self, client: str, now: datetime) -> None:
        """Record one failure for a client address."""
        window = self._window(now)

        def increment(connection: object, key: str) -> int:
            pipe = connection.pipeline()  # type: ignore[attr-defined]
            pipe.incr(key)
            pipe.expire(key, int(IP_WINDOW.total_seconds()) * 2)
            return int(pipe.execute()[0])

        if self._redis(increment, self._key(client, window)) is not None:
            return
        with self._lock:
            # Forget old windows so the dictionary stays small.
            for stale in [k for k in self._memory if k[1] < window]:
                del self._memory[stale]
            self._memory[(client, window)] = self._memory.get((client, window), 0) + 1


def failure_counter(app: Flask) -> FailureCounter:
    """Return the app's failed-login counter."""
    return app.extensions[_MEMORY_KEY]  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    """Give the app its failed-login counter."""
    app.extensions[_MEMORY_KEY] = FailureCounter(app)
