"""Benchmark scorecards on PostgreSQL: generator load, full rollup rebuild, page and API latency.

    .venv/bin/python bench/bench_scorecards.py [--reports 1000000] [--months 24] [--requests 40]

Creates a database of its own, then:
1. generates `--reports` reports with `grievance.stats.generate` (COPY, worker processes) and
   times it;
2. rebuilds every rollup from the events (`grievance.stats.rebuild`) and times it;
3. times scorecard pages, their JSON, the API's scorecards and rankings, and the oversight page
   and a CSV download, each `--requests` times over random agencies and regions, through the
   WSGI app in process (no network): p50, p95 and max per kind (target: p95 under 200 ms);
4. times person actions with and without the live rollup update (the cost per event);
5. times a sweep over the due actions the generator left (the last `--unswept-hours`) with the
   live rollup update.
The database is dropped at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, g
from flask_login.utils import _create_identifier
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from grievance import create_app
from grievance.extensions import db
from grievance.models import Agency, Region, Report, StaffUser
from grievance.services import actions, sweep
from grievance.settings import Settings
from grievance.stats import generate, rollups
from grievance.stats.rebuild import rebuild
from tests.conftest import create_postgres_database, drop_postgres_database
from workflows.states import AgencyLevel, Outcome, Role, State
from workflows.transitions import Actor


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """Return p50, p95 and max of latencies in seconds, as milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def timed(label: str, work: Callable[[], Any]) -> tuple[Any, float]:
    """Run work, print how long it took, return its result and the seconds."""
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.1f} s", flush=True)
    return result, elapsed


def login(app: Flask, client: Any, user: StaffUser) -> None:
    """Log an oversight user in (as Flask-Login's strong protection expects)."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update({"_user_id": str(user.id), "_fresh": True, "_id": identifier})
    g.pop("_login_user", None)


Latency = tuple[float, float, float]


def latencies(app: Flask, requests: int, rng: random.Random) -> dict[str, Latency]:
    """Time each kind of scorecard request over random scopes."""
    codes = {level: db.session.scalars(select(Agency.code).where(Agency.level == level)).all()
             for level in AgencyLevel}
    agencies = [code for level in AgencyLevel for code in codes[level]]
    provinces = db.session.scalars(select(Region.code).where(Region.parent_code.is_(None))).all()
    regencies = db.session.scalars(select(Region.code).where(Region.parent_code.is_not(None))).all()
    periods = ["", "from=2025-07&to=2026-06", "from=2024-07&to=2026-06", "from=2026-03&to=2026-03"]
    kinds: dict[str, Callable[[], str]] = {
        "page: national": lambda: "/scorecards/",
        "page: agency": lambda: f"/scorecards/agencies/{rng.choice(agencies)}",
        "page: region": lambda: f"/scorecards/regions/{rng.choice(provinces + regencies)}",
        "page: ranking (regencies)": lambda: "/scorecards/rankings/regency",
        "json: national": lambda: "/scorecards/data.json",
        "json: agency": lambda: f"/scorecards/agencies/{rng.choice(agencies)}/data.json",
        "json: region": lambda: f"/scorecards/regions/{rng.choice(regencies)}/data.json",
        "json: ranking (regencies)": lambda: "/scorecards/rankings/regency/data.json",
        "api: /api/v1/scorecards": lambda: "/api/v1/scorecards",
        "api: /api/v1/scorecards/agencies": lambda: (
            f"/api/v1/scorecards/agencies/{rng.choice(agencies)}"
        ),
        "api: /api/v1/rankings/regency": lambda: "/api/v1/rankings/regency",
        "oversight: page": lambda: "/statistics/",
        "oversight: breaches by agency (CSV)": lambda: "/statistics/breaches_by_agency.csv",
    }
    client = app.test_client()
    oversight = db.session.scalar(select(StaffUser).where(StaffUser.role == Role.OVERSIGHT))
    login(app, client, oversight)
    results = {}
    for kind, path in kinds.items():
        client.get(path())  # warm the caches the first request of a kind fills
        samples = []
        for _ in range(requests):
            url = path()
            period = rng.choice(periods)
            if period:
                url += ("&" if "?" in url else "?") + period
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            db.session.remove()  # each request as a fresh worker would see it
        results[kind] = percentiles(samples)
        print(f"  {kind}: p50 {results[kind][0]:.1f} ms, p95 {results[kind][1]:.1f} ms, "
              f"max {results[kind][2]:.1f} ms", flush=True)
    return results


def live_updates(count: int, rng: random.Random) -> tuple[float, float]:
    """Time person actions without and with the live rollup update; return mean ms of each."""
    ids = db.session.scalars(
        select(Report.id).where(Report.state == State.DISPATCHED).limit(4 * count)
    ).all()
    rng.shuffle(ids)
    half = len(ids) // 2
    plain, live = ids[:half], ids[half:]
    count = min(count, half)

    def run(report_ids: list[int]) -> float:
        samples = []
        for report_id in report_ids[:count]:
            agency_id = db.session.get(Report, report_id).agency_id
            officer = Actor(Role.OFFICER, agency_id=agency_id)
            started = time.perf_counter()
            actions.post_update(report_id, officer, text="Sedang ditangani.")
            actions.respond(report_id, officer, text="Selesai.", outcome=Outcome.RESOLVED)
            samples.append((time.perf_counter() - started) / 2)
            db.session.remove()
        return statistics.mean(samples) * 1000

    live_update = rollups.on_events
    rollups.on_events = lambda *_args, **_kwargs: None  # type: ignore[assignment]
    try:
        without = run(plain)
    finally:
        rollups.on_events = live_update  # type: ignore[assignment]
    return without, run(live)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--requests", type=int, default=40, help="requests per kind")
    parser.add_argument("--workers", type=int, default=None, help="generator processes")
    parser.add_argument("--unswept-hours", type=float, default=96.0,
                        help="sweep actions left undone (96 h spans a weekend)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    rng = random.Random(1)
    url = create_postgres_database("grievance_bench_scorecards")
    settings = Settings(environment="testing", database_url=url, in_process_ticker=False,
                        secret_key="benchmark-secret-key-0123456789")
    app = create_app(settings)
    now = datetime.now(UTC)
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, {args.reports:,} reports over {args.months} months")
    try:
        with app.app_context():
            upgrade()
            db.session.add(StaffUser(email="oversight@example.org", name="Oversight",
                                     role=Role.OVERSIGHT, password_hash="x"))
            db.session.commit()
            made, load_s = timed("generate", lambda: generate.generate(
                db.session, reports=args.reports, months=args.months, workers=args.workers,
                now=now, unswept_hours=args.unswept_hours,
            ))
            print(f"  {made.reports:,} reports, {made.events:,} events, {made.ratings:,} ratings, "
                  f"{made.breaches:,} breaches: {made.reports / load_s:,.0f} reports/s")
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            built, rebuild_s = timed("rebuild", lambda: rebuild(db.session))
            print(f"  {built.events:,} events folded: {built.events / rebuild_s:,.0f} events/s; "
                  f"{built.rollup_rows:,} rollup rows, {built.histogram_rows:,} histogram rows")
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            sizes = db.session.execute(text(
                "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
                "WHERE relname IN ('reports', 'report_events', 'stats_rollups', 'stats_stocks', "
                "'stats_duration_histograms', 'stats_report_facts')"
            )).all()
            print("  sizes: " + ", ".join(f"{name} {size}" for name, size in sizes))
            print("latency (in-process WSGI, no network):", flush=True)
            results = latencies(app, args.requests, rng)
            pages = max(p95 for kind, (_p, p95, _m) in results.items() if kind.startswith("page"))
            apis = max(p95 for kind, (_p, p95, _m) in results.items()
                       if not kind.startswith("page"))
            print(f"worst p95: pages {pages:.1f} ms, JSON and API {apis:.1f} ms (target 200 ms)")
            without, with_live = live_updates(100, rng)
            print(f"person action: {without:.1f} ms without the live rollup update, "
                  f"{with_live:.1f} ms with it")
            # Delivery is not what is measured: the outbox rows are written and stay pending.
            sweep.jobs = SimpleNamespace(enqueue=lambda *_args: None)  # type: ignore[assignment]
            swept, _seconds = timed("sweep with live rollups", lambda: sweep.run_sweep())
            print(f"  {swept.total:,} actions")
            count = db.session.scalar(select(func.count()).select_from(Report))
            print(f"reports in the database: {count:,}; peak RSS "
                  f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
            db.session.remove()
            db.engine.dispose()
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            drop_postgres_database(url)


if __name__ == "__main__":
    main()
