"""Fixtures for the job tests: apps on a throwaway SQLite file, and a dedicated Redis database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from grievance import clock, create_app, jobs
from grievance.extensions import db
from grievance.jobs import runner
from grievance.settings import Settings, validate

# A database number no one else uses: the tests flush it.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Return a SQLite file URL shared by the test, its apps and any in-process worker."""
    return f"sqlite:///{tmp_path / 't.sqlite3'}"


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Return a factory of testing apps on the test's database; dispose of them afterwards."""
    apps: list[Flask] = []

    def make(**overrides: object) -> Flask:
        settings = validate(
            Settings(
                environment="testing",
                database_url=database_url,
                in_process_ticker=False,
                **overrides,  # type: ignore[arg-type]
            )
        )
        app = create_app(settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        connection = app.extensions.pop(jobs.REDIS_EXTENSION, None)
        if connection is not None:
            connection.close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """Return a testing app (jobs eager, no Redis) with its tables created."""
    app = make_app()
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()


@pytest.fixture(autouse=True)
def _reset_process_state() -> Iterator[None]:
    # Process-wide state a test may set: the clock, the RQ worker's app.
    yield
    clock.set_source(None)
    runner.set_worker_app(None)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Return the URL of an empty, dedicated Redis database; skip if Redis is down (fail in CI)."""
    connection = Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError as exc:
        connection.close()
        reason = f"Redis not reachable at {TEST_REDIS_URL} ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    connection.flushdb()
    yield TEST_REDIS_URL
    connection.flushdb()
    connection.close()
