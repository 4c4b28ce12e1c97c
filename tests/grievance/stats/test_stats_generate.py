"""The dataset generator: coherent lives (valid chains, clocks, ratings), work left for the sweep,
the same numbers through the live path and the rebuild, COPY on PostgreSQL, and the CLI."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from grievance import create_app
from grievance.extensions import db
from grievance.models import Contact, Rating, Report, ReportEvent, SlaBreach
from grievance.services import audit
from grievance.services.sweep import run_sweep
from grievance.stats import generate, queries
from grievance.stats.cli import stats_group
from grievance.stats.rebuild import rebuild
from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    make_settings,
    postgres_reachable,
    service_unavailable,
)
from tests.grievance.stats.stats_march import snapshot
from workflows.states import OPEN_STATES, AgencyLevel, State

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def check_coherent(count: int) -> None:
    """Every generated report is a valid life the services could have written."""
    assert audit.verify() == []
    assert db.session.scalar(select(func.count()).select_from(Report)) == count
    states = Counter(db.session.scalars(select(Report.state)))
    assert states[State.CLOSED] and states[State.ARCHIVED]
    assert sum(states[state] for state in OPEN_STATES)
    tails = db.session.execute(
        select(Report.last_event_seq, func.count(ReportEvent.id))
        .join(ReportEvent, ReportEvent.report_id == Report.id)
        .group_by(Report.id, Report.last_event_seq)
    )
    assert all(seq == events for seq, events in tails)
    for report in db.session.scalars(select(Report).where(Report.state.in_(OPEN_STATES))):
        assert report.clock is not None and report.due_at is not None
    assert db.session.scalar(select(func.count()).select_from(Rating)) > 0
    assert db.session.scalar(select(func.count()).select_from(SlaBreach)) > 0


def test_generated_lives_are_coherent_and_leave_the_sweep_work(app: Flask, world: Any) -> None:
    result = generate.generate(db.session, reports=300, months=4, seed=2, workers=1, now=NOW,
                               unswept_hours=72)
    assert (result.reports, result.contacts > 0, result.events > 1500) == (300, True, True)
    check_coherent(300)
    rebuild(db.session)
    period = queries.Period(202601, 202606)
    card = queries.scorecard(queries.NATIONAL, period)
    assert card.total["received"] == 300 and card.total.zone is not None
    # Every agency is read in one range of months; a few agencies by their ids: both give the
    # same figures.
    ranked = queries.ranking(AgencyLevel.REGENCY, period)
    assert ranked[0].rank == 1
    everyone = [scope for level in AgencyLevel for scope in queries.agencies_at_level(level)]
    assert len(everyone) > queries.MANY_SCOPES
    by_range = dict(queries.agency_figures(everyone, period))
    few = queries.agency_figures([item.scope for item in ranked[:20]], period)
    assert [f.as_dict() for _s, f in few] == [by_range[s].as_dict() for s, _f in few]
    assert [f.as_dict() for _s, f in few] == [item.figures.as_dict() for item in ranked[:20]]

    swept = run_sweep(now=NOW)
    assert swept.total > 0  # the last 72 hours' escalations, timeouts and reminders
    assert run_sweep(now=NOW).total == 0
    assert audit.verify() == []
    live = snapshot()
    rebuild(db.session)
    assert snapshot() == live  # the sweep's events went through the live path

    again = generate.generate(db.session, reports=50, months=1, seed=4, workers=1, now=NOW)
    assert again.reports == 50
    check_coherent(350)
    phones = db.session.scalars(select(Contact.phone).where(Contact.phone.is_not(None))).all()
    assert len(phones) == len(set(phones))


@pytest.fixture
def postgres_app() -> Iterator[Flask]:
    """An app on a PostgreSQL database of its own, with the schema."""
    problem = postgres_reachable()
    if problem is not None:
        service_unavailable("PostgreSQL", problem)
    url = create_postgres_database("grievance_generate")
    application = create_app(make_settings(url))
    with application.app_context():
        upgrade()
        yield application
        db.session.remove()
        db.engine.dispose()
    drop_postgres_database(url)


@pytest.mark.postgres
def test_generator_loads_with_copy_in_worker_processes(postgres_app: Flask) -> None:
    result = generate.generate(db.session, reports=4500, months=6, seed=5, workers=2, now=NOW,
                               unswept_hours=120)
    assert result.reports == 4500
    check_coherent(4500)
    outcome = rebuild(db.session)
    assert outcome.reports == 4500 and outcome.rollup_rows > 0
    # A sweep's batch goes through the bulk upserts (COPY into a scratch table, one statement).
    assert run_sweep(now=NOW).total > 50
    live = snapshot()
    rebuild(db.session)
    assert snapshot() == live
    serial = db.session.scalar(select(func.nextval("reports_id_seq")))
    assert serial > 4500  # the sequence continues after the generated ids


def test_commands(app: Flask, world: Any) -> None:
    runner = app.test_cli_runner()
    made = runner.invoke(stats_group, ["generate", "--reports", "40", "--months", "2",
                                       "--workers", "1", "--no-rebuild"])
    assert made.exit_code == 0, made.output
    assert "generated 40 reports" in made.output
    rebuilt = runner.invoke(stats_group, ["rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt from 40 reports" in rebuilt.output
    refused = runner.invoke(stats_group, ["generate", "--reports", "0"])
    assert refused.exit_code != 0
