"""Fixtures for the notification tests: apps with a recording transport, and a movable clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from grievance import clock, create_app, jobs
from grievance.extensions import db
from grievance.notifications.transports import TRANSPORT_EXTENSION, RecordingTransport
from grievance.settings import Settings, validate

START = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def transport() -> RecordingTransport:
    """Return the transport the test apps send through."""
    return RecordingTransport()


@pytest.fixture
def make_app(tmp_path: Path, transport: RecordingTransport) -> Iterator[Callable[..., Flask]]:
    """Return a factory of testing apps (tables created, recording transport); clean up after."""
    apps: list[Flask] = []

    def make(**overrides: object) -> Flask:
        settings = validate(
            Settings(
                environment="testing",
                database_url=f"sqlite:///{tmp_path / 't.sqlite3'}",
                in_process_ticker=False,
                **overrides,  # type: ignore[arg-type]
            )
        )
        app = create_app(settings)
        app.extensions[TRANSPORT_EXTENSION] = transport
        with app.app_context():
            db.create_all()
        apps.append(app)
        return app

    yield make
    for app in apps:
        connection = app.extensions.pop(jobs.REDIS_EXTENSION, None)
        if connection is not None:
            connection.close()
        with app.app_context():
            db.drop_all()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """Return a testing app: jobs eager, no Redis, messages recorded."""
    return make_app()


@pytest.fixture
def advance() -> Iterator[Callable[[timedelta], datetime]]:
    """Freeze the clock at START; return a function that moves it on and returns the new now."""
    now = [START]
    clock.set_source(lambda: now[0])

    def move(delta: timedelta) -> datetime:
        now[0] += delta
        return now[0]

    yield move
    clock.set_source(None)
