"""The rollup machinery: buckets and quantiles, the indexed calendar, periods, and the live path
(idempotent, catching up on events it missed, failing safe, matching the rebuild exactly)."""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from grievance.extensions import db
from grievance.models import Report, ReportEvent
from grievance.services import actions
from grievance.services.errors import Conflict
from grievance.services.reports import file_report
from grievance.stats import fold, generate, queries, rollups
from grievance.stats.fastcalendar import IndexedCalendar
from grievance.stats.fold import DAY_US, bucket_of
from grievance.stats.indicators import Quantile, Thresholds, Zone, quantile
from grievance.stats.models import (
    StatsDurationHistogram,
    StatsReportFacts,
    StatsRollup,
    StatsStock,
)
from grievance.stats.rebuild import rebuild
from tests.grievance.stats.stats_march import snapshot
from workflows.calendar import WorkingCalendar
from workflows.states import Channel

HOUR_US = DAY_US // 24


def test_buckets_hold_upper_bounds() -> None:
    assert bucket_of(0) == 0
    assert bucket_of(1) == 1 and Quantile(1).days == 0.25
    assert bucket_of(DAY_US // 4) == 1
    assert bucket_of(DAY_US) == 4 and Quantile(4).days == 1.0
    assert bucket_of(3 * DAY_US + 6 * HOUR_US) == 13 and Quantile(13).days == 3.25
    assert Quantile(bucket_of(20 * DAY_US)).days == 20.0
    assert Quantile(bucket_of(20 * DAY_US + 1)).days == 21.0
    assert Quantile(bucket_of(90 * DAY_US)).days == 90.0
    overflow = Quantile(bucket_of(90 * DAY_US + 1))
    assert overflow.days is None and overflow.beyond == 90.0


def test_nearest_rank_quantiles() -> None:
    histogram = [0] * fold.BUCKET_COUNT
    assert quantile(histogram, 0.5) is None
    for duration in (2, 3, 3.25, 4.25):
        histogram[bucket_of(int(duration * DAY_US))] += 1
    assert quantile(histogram, 0.5) == Quantile(bucket_of(3 * DAY_US))
    assert quantile(histogram, 0.9) == Quantile(bucket_of(int(4.25 * DAY_US)))
    assert quantile(histogram, 0.25) == Quantile(bucket_of(2 * DAY_US))


def test_zones() -> None:
    limits = Thresholds(green=80, yellow=60)
    assert limits.zone(None) is None
    assert limits.zone(80.0) is Zone.GREEN and limits.zone(79.99) is Zone.YELLOW
    assert limits.zone(60.0) is Zone.YELLOW and limits.zone(59.9) is Zone.RED


def test_periods(app: Any, moved_clock: Any) -> None:
    moved_clock.set(datetime(2026, 3, 31, 20, 0, tzinfo=UTC))  # 1 April in Jakarta
    default = queries.default_period()
    assert (default.first, default.last) == (202505, 202604)
    assert queries.parse_period("2026-01", "2026-03") == (queries.Period(202601, 202603), None)
    assert queries.parse_period("2025-11", None)[0] == queries.Period(202511, 202604)
    assert queries.parse_period(None, "2026-02")[0] == queries.Period(202503, 202602)
    assert queries.parse_period("2026-1", None)[1] is not None
    assert queries.month_add(202612, 1) == 202701 and queries.month_add(202601, -1) == 202512


@pytest.mark.parametrize(
    "calendar",
    [
        WorkingCalendar(closures=frozenset({date(2026, 5, 4), date(2026, 5, 5)})),
        WorkingCalendar(timezone="Asia/Makassar", weekdays=frozenset({0, 1, 2, 3, 4, 5})),
        # These two cannot be indexed (clock changes, working hours): the answers still agree.
        WorkingCalendar(timezone="Europe/Paris", country="FR"),
        WorkingCalendar(hours=(time(8), time(16))),
    ],
)
def test_indexed_calendar_answers_like_the_working_calendar(calendar: WorkingCalendar) -> None:
    indexed = IndexedCalendar(calendar, date(2025, 6, 1), date(2027, 6, 1))
    rng = random.Random(5)
    base = datetime(2025, 5, 20, tzinfo=UTC)
    for _ in range(1500):
        start = base + timedelta(seconds=rng.randrange(2 * 365 * 86400))
        if rng.random() < 0.3:
            start = start.replace(hour=rng.choice((15, 16, 17, 23)), minute=0, second=0,
                                  microsecond=0)
        amount = rng.choice((
            timedelta(0), timedelta(days=rng.randrange(1, 130)),
            timedelta(days=rng.random() * 40), timedelta(hours=rng.randrange(1, 48)),
        ))
        assert indexed.add_working_time(start, amount) == calendar.add_working_time(start, amount)
        end = start + timedelta(seconds=rng.randrange(-5 * 86400, 150 * 86400))
        assert indexed.working_time_between(start, end) == calendar.working_time_between(start, end)


def file(**extra: Any) -> Any:
    return file_report(
        description="Sampah menumpuk di pinggir jalan.", channel=extra.pop("channel", Channel.WEB),
        language="id", region_code="32.73", category_code="water", **extra,
    ).report


def test_an_event_counts_once(world: Any, moved_clock: Any) -> None:
    report = file()
    actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    before = snapshot()
    events = [
        {c: getattr(e, c) for c in rollups.EVENT_NAMES}
        for e in db.session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id))
    ]
    rollups.on_events(db.session, events + events)
    db.session.commit()
    assert snapshot() == before


def test_missed_events_are_caught_up_from_the_trail(world: Any, moved_clock: Any) -> None:
    report = file()
    verifier = actions.actor_for(world.verifier)
    actions.dispatch(report.id, verifier, agency_id=world.city.id)
    expected = snapshot()
    for table in (StatsDurationHistogram, StatsRollup, StatsStock, StatsReportFacts):
        db.session.execute(delete(table))
    db.session.commit()
    actions.note(report.id, verifier, text="Sudah dicek.")  # the statistics never saw the rest
    assert snapshot()["rollups"] == expected["rollups"]
    facts = db.session.get(StatsReportFacts, report.id)
    assert facts is not None and facts.last_seq == 3


def test_a_rolled_back_action_counts_nothing(world: Any, moved_clock: Any) -> None:
    report = file()
    version = report.version
    actions.note(report.id, actions.actor_for(world.verifier), text="lihat")
    before = snapshot()
    with pytest.raises(Conflict):
        actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id,
                         expected_version=version)
    assert snapshot() == before


def test_a_failure_in_the_statistics_never_costs_the_action(
    world: Any, moved_clock: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    report = file()
    before = snapshot()

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("bug in the statistics")

    monkeypatch.setattr(fold, "apply", broken)
    with caplog.at_level(logging.ERROR, logger="grievance.stats.rollups"):
        actions.dispatch(report.id, actions.actor_for(world.verifier), agency_id=world.city.id)
    assert "grievance stats rebuild" in caplog.text
    db.session.expire_all()
    assert db.session.get(Report, report.id).agency_id == world.city.id  # the action stands
    assert snapshot() == before  # and nothing half-counted
    monkeypatch.undo()
    rebuild(db.session)
    assert queries.scorecard(queries.NATIONAL, queries.default_period()).total["dispatched"] == 1


def test_live_path_equals_rebuild_on_generated_lives(app: Any, world: Any) -> None:
    """Hundreds of generated lives (returns, forwards, units, appeals, escalations, timeouts),
    fed to the live path in a shuffled interleaving of reports, give the rebuild's numbers."""
    generate.generate(db.session, reports=160, months=6, seed=3, workers=1,
                      now=datetime(2026, 6, 1, tzinfo=UTC))
    rebuild(db.session)
    rebuilt = snapshot()
    assert len(rebuilt["facts"]) == 160
    for table in (StatsDurationHistogram, StatsRollup, StatsStock, StatsReportFacts):
        db.session.execute(delete(table))
    db.session.commit()
    columns = [ReportEvent.__table__.c[name] for name in rollups.EVENT_NAMES]
    queues = {}
    ordered = select(*columns).order_by(ReportEvent.report_id, ReportEvent.seq)
    for row in db.session.execute(ordered):
        queues.setdefault(row.report_id, []).append(dict(row._mapping))
    rng = random.Random(11)
    while queues:
        batch = []
        for report_id in rng.sample(sorted(queues), k=min(len(queues), rng.randint(1, 12))):
            take = rng.randint(1, 4)
            batch += queues[report_id][:take]
            queues[report_id] = queues[report_id][take:]
            if not queues[report_id]:
                del queues[report_id]
        rollups.on_events(db.session, batch)
        db.session.commit()
    assert snapshot() == rebuilt
