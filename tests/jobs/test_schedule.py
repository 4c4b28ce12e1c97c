"""Periodic jobs: the schedule as data, the embedded ticker, and the worker command's guard."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from grievance import create_app
from grievance.extensions import db
from grievance.jobs import ticker
from grievance.jobs.schedule import SCHEDULE, Periodic, load_schedule
from grievance.settings import Settings, validate

TICKED = threading.Event()


def tick() -> None:
    """Signal that the ticker ran this entry."""
    TICKED.set()


@pytest.fixture(autouse=True)
def _clear_ticked() -> Iterator[None]:
    TICKED.clear()
    yield
    TICKED.clear()


def test_schedule_delivers_notifications_and_sweeps() -> None:
    every = {entry.func_path: entry.every_seconds for entry in SCHEDULE}
    assert every["grievance.notifications.delivery.deliver_due"] == 30
    assert every["grievance.services.sweep.run_sweep_job"] == 60


def test_unimportable_entries_are_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    entries = (
        Periodic("grievance.notifications.delivery.deliver_due", 30),
        Periodic("grievance.no_such_module.job", 60),
        Periodic("grievance.notifications.delivery.no_such_function", 60),
    )
    with caplog.at_level(logging.WARNING, logger="grievance.jobs.schedule"):
        loaded = load_schedule(entries)
    assert [entry.func_path for entry, _ in loaded] == [
        "grievance.notifications.delivery.deliver_due"
    ]
    assert "grievance.no_such_module.job skipped" in caplog.text
    assert "no_such_function skipped" in caplog.text


def test_ticker_runs_entries_in_an_app_context(app: Flask) -> None:
    runner = ticker.Ticker(app, (Periodic(f"{__name__}.tick", 3600),))
    runner.start()
    try:
        assert TICKED.wait(10)
        assert runner.running
    finally:
        runner.stop()
    assert not runner.running


def test_ticker_starts_on_the_first_request_not_in_create_app(tmp_path: Path) -> None:
    settings = validate(
        Settings(
            environment="development",
            database_url=f"sqlite:///{tmp_path / 'dev.sqlite3'}",
            in_process_ticker=True,
        )
    )
    app = create_app(settings)
    with app.app_context():
        db.create_all()
    started = app.extensions[ticker.EXTENSION]
    # Only this test's entry: the real schedule would keep running after the test.
    started.entries = (Periodic(f"{__name__}.tick", 3600),)
    try:
        assert not started.running
        app.test_client().get("/healthz")
        assert started.running
        assert TICKED.wait(10)
    finally:
        started.stop()
        with app.app_context():
            db.drop_all()
            db.engine.dispose()


def test_no_ticker_under_testing(app: Flask) -> None:
    assert ticker.EXTENSION not in app.extensions


def test_worker_command_refuses_without_redis(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output
