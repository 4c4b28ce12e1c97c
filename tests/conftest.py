"""Shared fixtures: an app on the chosen database, a movable clock, and a small world of data.

The database comes from GRIEVANCE_TEST_DATABASE: "sqlite" (default, a file per session) or
"postgresql" (a database of its own on 127.0.0.1, created and dropped by the session). Jobs run
in-process unless GRIEVANCE_TEST_REDIS=1, which sends them through RQ on a Redis db of their own.
Every test starts from empty tables: the schema is built once by the migrations, then each test's
rows are deleted after it.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from grievance import clock, create_app
from grievance.extensions import db
from grievance.settings import Settings

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TEST_REDIS_URL = "redis://127.0.0.1:6379/14"
IN_CI = os.environ.get("CI") == "true"


def service_unavailable(name: str, problem: str) -> None:
    """Skip a test whose service is missing, but fail under CI where it must be there."""
    message = f"{name} is not reachable ({problem})"
    if IN_CI:
        pytest.fail(f"{message}; CI must provide it")
    pytest.skip(message)


def postgres_reachable() -> str | None:
    """Return None when PostgreSQL answers, else the reason it does not."""
    engine = sa.create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect():
            return None
    except sa.exc.OperationalError as exc:
        return str(exc.orig).splitlines()[0]
    finally:
        engine.dispose()


def redis_reachable() -> str | None:
    """Return None when Redis answers, else the reason it does not."""
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return str(exc)
    return None


def create_postgres_database(prefix: str = "grievance_test") -> str:
    """Create an empty PostgreSQL database of a test's own and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_postgres_database(url: str) -> None:
    """Drop a database made by create_postgres_database."""
    name = url.rsplit("/", 1)[1]
    engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def upgrade_schema(app: Flask) -> None:
    """Build the schema the way production does: by running the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield the URL of the session's test database, schema included."""
    backend = os.environ.get("GRIEVANCE_TEST_DATABASE", "sqlite")
    if backend == "postgresql":
        problem = postgres_reachable()
        if problem is not None:
            if IN_CI:
                pytest.fail(f"PostgreSQL is not reachable ({problem}); CI must provide it")
            pytest.skip(f"PostgreSQL is not reachable ({problem})")
        url = create_postgres_database()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    upgrade_schema(create_app(make_settings(url)))
    yield url
    if backend == "postgresql":
        drop_postgres_database(url)


def make_settings(database_url: str, **overrides: Any) -> Settings:
    """Return testing settings on a database; Redis when the run asks for it."""
    redis_url = TEST_REDIS_URL if os.environ.get("GRIEVANCE_TEST_REDIS") == "1" else None
    values: dict[str, Any] = {
        "environment": "testing",
        "database_url": database_url,
        "redis_url": redis_url,
        "secret_key": "test-secret-key-of-sufficient-length",
        "public_base_url": "https://grievance.example.org",
        "in_process_ticker": False,
        "redis_prefix": "grievance-test:",
    }
    values.update(overrides)
    return Settings(**values)


def clear_tables() -> None:
    """Delete every row, children first, so the next test starts empty."""
    engine = db.engine
    tables = list(reversed(db.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


def flush_test_redis() -> None:
    """Empty the Redis database the test run uses for jobs (only when the run uses Redis)."""
    if os.environ.get("GRIEVANCE_TEST_REDIS") != "1":
        return
    import redis

    problem = redis_reachable()
    if problem is not None:
        service_unavailable("Redis", problem)
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """Yield an app in testing mode on the session database, with its context pushed."""
    flush_test_redis()
    application = create_app(make_settings(database_url))
    with application.app_context():
        yield application
        db.session.remove()
        clear_tables()
        db.engine.dispose()
    flush_test_redis()


@pytest.fixture
def run_jobs(app: Flask) -> Callable[[], None]:
    """Return a function that runs the jobs queued so far.

    In-process runs (the default) execute jobs eagerly at commit, so it does nothing; a run on
    Redis (GRIEVANCE_TEST_REDIS=1) queues them in RQ, and this works them off in a burst.
    """

    def run() -> None:
        if app.config["GRIEVANCE_SETTINGS"].redis_url:
            from grievance.jobs.worker import run_queued_jobs

            run_queued_jobs(app)

    return run


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client of the app."""
    return app.test_client()


@dataclass
class MovableClock:
    """The app's clock under a test's control."""

    now: datetime

    def set(self, instant: datetime) -> None:
        """Jump to an instant."""
        if instant.tzinfo is None:
            raise ValueError("use aware datetimes")
        self.now = instant.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta's keyword arguments and return the new now."""
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def moved_clock() -> Iterator[MovableClock]:
    """Give the test control of time (Monday 2 March 2026, 09:00 Jakarta, to start)."""
    movable = MovableClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    clock.set_source(lambda: movable.now)
    yield movable
    clock.set_source(None)


@dataclass
class World:
    """A small government: ministry > province > city > unit, a second province, staff."""

    ministry: Any
    province: Any
    city: Any
    unit: Any
    other_province: Any
    other_city: Any
    roads: Any
    water: Any
    verifier: Any
    coordinator: Any
    officer: Any
    unit_officer: Any
    other_coordinator: Any
    other_officer: Any
    oversight: Any
    admin: Any
    city_region: str = "32.73"


PASSWORD = "correct horse battery"


@functools.cache
def password_hash() -> str:
    """Return the hash of PASSWORD, computed once."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


@pytest.fixture
def world(app: Flask) -> World:
    """Build the small world every service test works in."""
    from grievance.models import Agency, Calendar, Category, Region, RoutingRule, StaffUser
    from workflows.states import AgencyLevel, Role, Tier

    national = Calendar(name="national", timezone="Asia/Jakarta", holiday_country="ID")
    db.session.add(national)
    regions = [
        Region(code="32", name="Jawa Barat", level=AgencyLevel.PROVINCE),
        Region(code="32.73", name="Kota Bandung", level=AgencyLevel.REGENCY, parent_code="32"),
        Region(code="33", name="Jawa Tengah", level=AgencyLevel.PROVINCE),
        Region(code="33.74", name="Kota Semarang", level=AgencyLevel.REGENCY, parent_code="33"),
    ]
    db.session.add_all(regions)
    ministry = Agency(
        code="KEMENPU",
        name="Kementerian Pekerjaan Umum",
        level=AgencyLevel.NATIONAL,
        calendar=national,
    )
    province = Agency(
        code="JABAR", name="Pemprov Jawa Barat", level=AgencyLevel.PROVINCE, parent=ministry
    )
    city = Agency(code="BDG", name="Pemkot Bandung", level=AgencyLevel.REGENCY, parent=province)
    unit = Agency(code="BDG-DPU", name="Dinas PU Kota Bandung", level=AgencyLevel.UNIT, parent=city)
    other_province = Agency(
        code="JATENG", name="Pemprov Jawa Tengah", level=AgencyLevel.PROVINCE, parent=ministry
    )
    other_city = Agency(
        code="SMG", name="Pemkot Semarang", level=AgencyLevel.REGENCY, parent=other_province
    )
    db.session.add_all([ministry, province, city, unit, other_province, other_city])
    roads = Category(code="roads", names={"en": "Roads", "id": "Jalan"}, tier=Tier.STANDARD)
    water = Category(code="water", names={"en": "Water", "id": "Air"}, tier=Tier.MINOR)
    db.session.add_all([roads, water])
    db.session.flush()
    db.session.add(RoutingRule(category_id=roads.id, region_code="32.73", agency_id=city.id))

    def staff(email: str, role: Role, agency: Any = None) -> Any:
        user = StaffUser(
            email=email, name=email.split("@")[0].title(), role=role, agency=agency, language="en"
        )
        user.password_hash = password_hash()  # hashing once per session keeps tests fast
        db.session.add(user)
        return user

    result = World(
        ministry=ministry,
        province=province,
        city=city,
        unit=unit,
        other_province=other_province,
        other_city=other_city,
        roads=roads,
        water=water,
        verifier=staff("verifier@example.org", Role.VERIFIER),
        coordinator=staff("coordinator@example.org", Role.COORDINATOR, city),
        officer=staff("officer@example.org", Role.OFFICER, city),
        unit_officer=staff("unit.officer@example.org", Role.OFFICER, unit),
        other_coordinator=staff("other.coordinator@example.org", Role.COORDINATOR, other_city),
        other_officer=staff("other.officer@example.org", Role.OFFICER, other_city),
        oversight=staff("oversight@example.org", Role.OVERSIGHT),
        admin=staff("admin@example.org", Role.ADMIN),
    )
    db.session.commit()
    return result
