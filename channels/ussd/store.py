"""Where USSD session state lives between screens: Redis when configured, else the database.

A session lasts at most ~180 s on the phone, so state expires after `SESSION_TTL` (Redis: a key
TTL refreshed on every screen; database: rows older than that are ignored and purged whenever a
new session starts, and a session's row is deleted when the gateway reports its end). The database
keeps state in InboundMessage rows with provider "ussd-session" (sessionId as external_id, the
state in `data`), so embedded mode needs no table of its own.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask
from redis import Redis

from grievance import jobs
from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import InboundMessage

SESSION_TTL = timedelta(minutes=5)
# Deleted with some margin past the TTL, in case a gateway retries late.
PURGE_AFTER = timedelta(minutes=10)
DB_PROVIDER = "ussd-session"
# Set this slot to a SessionStore to choose the store yourself (tests, benchmarks).
STORE_EXTENSION = "grievance.ussd_store"
_KEY_MAX = 80  # InboundMessage.external_id's length


def session_key(session_id: str) -> str:
    """Return the key a session is stored under: its id, or the id's hash when it is too long."""
    if len(session_id) <= _KEY_MAX:
        return session_id
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


class SessionStore(Protocol):
    """Keeps each session's state between its screens."""

    def load(self, session_id: str) -> dict[str, Any] | None:
        """Return a session's state, or None if there is none (new or expired)."""
        ...

    def save(self, session_id: str, phone: str, state: dict[str, Any]) -> None:
        """Store a session's state (and keep it alive)."""
        ...

    def delete(self, session_id: str) -> None:
        """Forget a session."""
        ...


class RedisSessionStore:
    """Session state as JSON in Redis keys that expire on their own."""

    def __init__(self, redis: Redis, prefix: str, ttl: timedelta = SESSION_TTL) -> None:
        self._redis = redis
        self._prefix = f"{prefix}ussd:"
        self._ttl = int(ttl.total_seconds())

    def _key(self, session_id: str) -> str:
        return self._prefix + session_key(session_id)

    def load(self, session_id: str) -> dict[str, Any] | None:
        """Return a session's state, or None."""
        raw = self._redis.get(self._key(session_id))
        return json.loads(raw) if raw else None

    def save(self, session_id: str, phone: str, state: dict[str, Any]) -> None:
        """Store a session's state for another TTL."""
        self._redis.set(self._key(session_id), json.dumps(state), ex=self._ttl)

    def delete(self, session_id: str) -> None:
        """Forget a session."""
        self._redis.delete(self._key(session_id))


class DatabaseSessionStore:
    """Session state in InboundMessage rows (embedded mode: no Redis)."""

    def __init__(self, ttl: timedelta = SESSION_TTL) -> None:
        self._ttl = ttl

    def _row(self, session_id: str) -> InboundMessage | None:
        return db.session.scalar(
            sa.select(InboundMessage).where(
                InboundMessage.provider == DB_PROVIDER,
                InboundMessage.external_id == session_key(session_id),
            )
        )

    def load(self, session_id: str) -> dict[str, Any] | None:
        """Return a session's state, or None when it has none or it expired."""
        row = self._row(session_id)
        if row is None or row.created_at < utcnow() - self._ttl:
            return None
        return dict(row.data)

    def save(self, session_id: str, phone: str, state: dict[str, Any]) -> None:
        """Store a session's state and commit."""
        row = self._row(session_id)
        if row is None:
            self._purge()
            row = InboundMessage(
                provider=DB_PROVIDER, external_id=session_key(session_id), sender=phone[:20]
            )
            db.session.add(row)
        elif row.created_at < utcnow() - self._ttl:
            row.created_at = utcnow()  # an expired session's id used again: a new session
        # A new dict, so the JSON column sees the change.
        row.data = json.loads(json.dumps(state))
        row.body = str(state.get("text", ""))[:1024]
        db.session.commit()

    def delete(self, session_id: str) -> None:
        """Forget a session and commit."""
        db.session.execute(
            sa.delete(InboundMessage).where(
                InboundMessage.provider == DB_PROVIDER,
                InboundMessage.external_id == session_key(session_id),
            )
        )
        db.session.commit()

    def _purge(self) -> None:
        # Cheap: the (provider, external_id) index bounds it to session rows, and purging at every
        # new session keeps those few.
        db.session.execute(
            sa.delete(InboundMessage).where(
                InboundMessage.provider == DB_PROVIDER,
                InboundMessage.created_at < utcnow() - PURGE_AFTER,
            )
        )


def store_for(app: Flask) -> SessionStore:
    """Return the app's session store: the override, Redis when configured, else the database."""
    override: SessionStore | None = app.extensions.get(STORE_EXTENSION)
    if override is not None:
        return override
    settings = app.config["GRIEVANCE_SETTINGS"]
    connection = jobs.redis_connection(app)
    if connection is not None:
        return RedisSessionStore(connection, settings.redis_prefix)
    return DatabaseSessionStore()
