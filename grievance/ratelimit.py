"""A small fixed-window rate limiter for public endpoints (filing, tracking lookups).

With Redis configured the counters live there, so every web process shares them; otherwise they
live in the app's memory, which is right for the embedded single-process server. A window is a
counter keyed by its number (``now // seconds``), so a key needs no reset: it simply expires.
Redis being down never blocks a resident: the limiter then lets the request through and logs it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Flask, current_app, request
from flask_babel import gettext
from redis.exceptions import RedisError
from werkzeug.exceptions import TooManyRequests

from grievance.clock import utcnow

logger = logging.getLogger(__name__)

EXTENSION = "grievance.ratelimit"
# app.config: False turns every limit off (a load test, say); a dict overrides limits by name.
ENABLED_CONFIG_KEY = "GRIEVANCE_RATE_LIMITS_ENABLED"
LIMITS_CONFIG_KEY = "GRIEVANCE_RATE_LIMITS"
KEY_SPACE = "ratelimit:"


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `seconds`-long window."""

    count: int
    seconds: int


class RateLimited(TooManyRequests):
    """Too many requests: a 429 with a translated message and a Retry-After header."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(
            description=gettext(
                "Too many requests from your connection. Please wait %(minutes)s minute(s) "
                "and try again.",
                minutes=minutes,
            ),
            retry_after=retry_after,
        )
        self.wait_seconds = retry_after


@dataclass
class _MemoryCounters:
    """Counters of one process: {(name, key, window): hits}."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def incr(self, name: str, key: str, window: int) -> int:
        with self.lock:
            if len(self.hits) > 10_000:
                # Past windows are dead weight; drop them rather than grow without bound.
                self.hits = {k: v for k, v in self.hits.items() if k[2] >= window}
            slot = (name, key, window)
            self.hits[slot] = self.hits.get(slot, 0) + 1
            return self.hits[slot]


def _memory(app: Flask) -> _MemoryCounters:
    counters: _MemoryCounters | None = app.extensions.get(EXTENSION)
    if counters is None:
        counters = app.extensions.setdefault(EXTENSION, _MemoryCounters())
    return counters


def configured(name: str, default: Limit) -> Limit:
    """Return the limit named `name`, as overridden in app.config, else `default`."""
    override = current_app.config.get(LIMITS_CONFIG_KEY, {}).get(name)
    return override if isinstance(override, Limit) else default


def hit(name: str, key: str, limit: Limit) -> int | None:
    """Count one hit on (name, key); return the seconds to wait when over the limit, else None."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get(ENABLED_CONFIG_KEY, True):
        return None
    now = utcnow().timestamp()
    window = int(now // limit.seconds)
    retry_after = max(1, int((window + 1) * limit.seconds - now))
    count = _count(app, name, key, window, limit)
    if count is None or count <= limit.count:
        return None
    return retry_after


def _count(app: Flask, name: str, key: str, window: int, limit: Limit) -> int | None:
    from grievance import jobs

    connection = jobs.redis_connection(app)
    if connection is None:
        return _memory(app).incr(name, key, window)
    prefix = app.config["GRIEVANCE_SETTINGS"].redis_prefix
    redis_key = f"{prefix}{KEY_SPACE}{name}:{key}:{window}"
    try:
        pipe = connection.pipeline(transaction=True)
        pipe.incr(redis_key)
        # The key names its window, so pushing the expiry on every hit is harmless.
        pipe.expire(redis_key, limit.seconds + 1)
        count, _ = pipe.execute()
    except RedisError as exc:
        logger.warning("rate limiter: Redis unavailable, letting the request through: %s", exc)
        return None
    return int(count)


def enforce(name: str, limit: Limit, key: str | None = None) -> None:
    """Count a hit for this client (or `key`) and raise RateLimited when over the limit."""
    limit = configured(name, limit)
    who = key if key is not None else (request.remote_addr or "unknown")
    retry_after = hit(name, who, limit)
    if retry_after is not None:
        raise RateLimited(retry_after)


def reset(app: Flask | None = None) -> None:
    """Forget every counter (for tests and for an operator lifting a block)."""
    from grievance import jobs

    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    app.extensions.pop(EXTENSION, None)
    connection = jobs.redis_connection(app)
    if connection is None:
        return
    prefix = app.config["GRIEVANCE_SETTINGS"].redis_prefix
    try:
        keys = list(connection.scan_iter(match=f"{prefix}{KEY_SPACE}*", count=500))
        if keys:
            connection.delete(*keys)
    except RedisError as exc:
        logger.warning("rate limiter: could not reset counters in Redis: %s", exc)
