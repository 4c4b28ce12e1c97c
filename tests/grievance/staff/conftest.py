"""Fixtures of the staff page tests: the staff blueprint registered, fast logins."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.security import generate_password_hash

import grievance.staff
from grievance import jobs
from grievance.extensions import db
from grievance.models import StaffUser
from tests.conftest import PASSWORD

# One cheap hash for every test user: the real scrypt check costs ~130 ms a login.
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept across the tests' apps: each test builds a new app, and
    compiling the staff templates again for each would cost more than the test itself."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


def _no_fsync(connection: Any, _record: Any) -> None:
    # The test database is thrown away: waiting for the disk on every commit buys nothing.
    cursor = connection.cursor()
    if isinstance(connection, sqlite3.Connection):
        cursor.execute("PRAGMA synchronous = OFF")
    else:
        cursor.execute("SET synchronous_commit TO OFF")
    cursor.close()
    if not isinstance(connection, sqlite3.Connection):
        connection.commit()


class EnglishClient(FlaskClient):
    """A client whose browser asks for English: the deployment's default language is Indonesian,
    and these tests read the English texts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def staff_app(app: Flask) -> Flask:
    """Return the test app with the staff pages registered and CSRF off (one test turns it on)."""
    if "staff" not in app.blueprints:
        grievance.staff.init_app(app)
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = EnglishClient
    app.jinja_env.bytecode_cache = _BYTECODE
    connection = jobs.redis_connection(app)
    if connection is not None:
        # Failed-login counters live for a quarter of an hour: start each test without them.
        prefix = app.config["GRIEVANCE_SETTINGS"].redis_prefix
        for key in connection.scan_iter(f"{prefix}login-failures:*"):
            connection.delete(key)
    db.engine.dispose()
    sa.event.listen(db.engine, "connect", _no_fsync)
    return app


@pytest.fixture
def staff(staff_app: Flask, world: Any, moved_clock: Any) -> Any:
    """Return the world, its staff logging in fast, with time under the test's control."""
    for user in db.session.scalars(db.select(StaffUser)):
        user.password_hash = FAST_HASH
    db.session.commit()
    return world


@pytest.fixture
def login(staff_app: Flask) -> Callable[..., FlaskClient]:
    """Return a function giving a test client logged in as a user."""

    def log_in(user: StaffUser, **environ: str) -> FlaskClient:
        client = staff_app.test_client()
        if environ:
            client.environ_base.update(environ)
        response = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return log_in
