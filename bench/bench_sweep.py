"""Benchmark the SLA sweep over a million open reports on PostgreSQL.

    .venv/bin/python bench/bench_sweep.py [--reports 1000000] [--due 100000]

Creates a database of its own, loads the reports with COPY, then times:
1. a sweep when nothing is due (target: under 1 s);
2. a sweep when `--due` actions are due: level 1 escalations, reply timeouts and deferral
   timeouts in equal parts, the timeouts to reporters with phones, so each also writes an SMS
   to the outbox (target: under 10 s for 100,000);
3. the run after it, which must find nothing (idempotence).
The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import func, select

from grievance import create_app, tracking
from grievance.extensions import db
from grievance.models import Agency, ReportEvent, StaffUser
from grievance.services import (
    audit,
    sweep,
)
from grievance.services.sweep import run_sweep
from grievance.settings import Settings
from tests.conftest import create_postgres_database, drop_postgres_database
from workflows.states import AgencyLevel, Role

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
GENESIS = "0" * 64


def copy_rows(table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
    """Load rows into a table with COPY (text format)."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    raw = db.engine.raw_connection()
    try:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()


def load(reports: int, due: int, rng: random.Random) -> None:
    """Load agencies, coordinators, contacts and reports; `due` of them due at NOW."""
    agencies = [
        Agency(code=f"A{i}", name=f"Agency {i}", level=AgencyLevel.REGENCY) for i in range(20)
    ]
    db.session.add_all(agencies)
    db.session.flush()
    for agency in agencies:
        db.session.add(
            StaffUser(
                email=f"coord{agency.id}@example.org",
                name="C",
                role=Role.COORDINATOR,
                agency_id=agency.id,
                password_hash="x",
            )
        )
    db.session.add(
        StaffUser(email="ov@example.org", name="O", role=Role.OVERSIGHT, password_hash="x")
    )
    db.session.commit()
    agency_ids = [a.id for a in agencies]

    kinds = [
        ("escalate", "reply", "deferral")[i % 3] if i < due else "quiet" for i in range(reports)
    ]
    timeouts = sum(1 for kind in kinds if kind in ("reply", "deferral"))
    copy_rows(
        "contacts",
        ["id", "phone", "language", "opted_out", "created_at"],
        [(i + 1, f"+62812{i + 1:08d}", "id", "false", NOW.isoformat()) for i in range(timeouts)],
    )
    db.session.execute(db.text("SELECT setval('contacts_id_seq', :n)"), {"n": timeouts})
    db.session.commit()

    numbers: set[str] = set()
    while len(numbers) < reports:
        numbers.add(tracking.new_tracking_number())
    future = (NOW + timedelta(days=30)).isoformat()
    past = (NOW - timedelta(hours=1)).isoformat()
    columns = [
        "tracking_number",
        "access_code_hash",
        "classification",
        "title",
        "description",
        "channel",
        "language",
        "state",
        "deferred_from",
        "clock",
        "clock_started_at",
        "clock_consumed",
        "due_at",
        "level2_at",
        "remind_at",
        "escalation_level",
        "agency_id",
        "contact_id",
        "outcome",
        "anonymous",
        "confidential",
        "paused_level",
        "reopen_count",
        "appealed",
        "forward_count",
        "created_at",
        "updated_at",
        "last_event_seq",
        "last_event_hash",
        "version",
    ]
    rows = []
    next_contact = 0
    for kind, number in zip(kinds, numbers, strict=True):
        state, clock = {
            "quiet": ("dispatched", "follow_up"),
            "escalate": ("dispatched", "follow_up"),
            "reply": ("responded", "reply"),
            "deferral": ("deferred", "deferral"),
        }[kind]
        contact = None
        if kind in ("reply", "deferral"):
            next_contact += 1
            contact = next_contact
        rows.append(
            (
                number,
                "0" * 64,
                "complaint",
                "Jalan rusak",
                "Jalan rusak di depan pasar",
                "sms" if contact else "web",
                "id",
                state,
                "dispatched" if state == "deferred" else None,
                clock,
                (NOW - timedelta(days=10)).isoformat(),
                "0 seconds",
                past if kind != "quiet" else future,
                future,
                None,
                0,
                rng.choice(agency_ids),
                contact,
                "resolved" if state == "responded" else None,
                "false",
                "false",
                0,
                0,
                "false",
                0,
                (NOW - timedelta(days=10)).isoformat(),
                (NOW - timedelta(days=10)).isoformat(),
                0,
                GENESIS,
                1,
            )
        )
    copy_rows("reports", columns, rows)
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument(
        "--profile", action="store_true", help="write a cProfile to /tmp/sweep.prof"
    )
    parser.add_argument(
        "--without-rollups",
        action="store_true",
        help="leave the statistics out, to see the sweep's own share",
    )
    args = parser.parse_args()
    url = create_postgres_database("grievance_bench_sweep")
    settings = Settings(
        environment="testing",
        database_url=url,
        in_process_ticker=False,
        secret_key="benchmark-secret-key-0123456789",
    )
    app = create_app(settings)
    # Delivery is not what is measured here: the outbox rows are, and they stay pending.
    sweep.jobs = SimpleNamespace(enqueue=lambda *args: None)  # type: ignore[assignment]
    if args.without_rollups:
        sweep.rollups = SimpleNamespace(on_events=lambda *args: None)  # type: ignore[assignment]
    if args.without_rollups:
        sweep.rollups = SimpleNamespace(on_events=lambda *args: None)  # type: ignore[assignment]
    try:
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            load(args.reports, args.due, random.Random(7))
            print(f"loaded {args.reports:,} open reports in {time.perf_counter() - started:.1f} s")

            started = time.perf_counter()
            quiet = run_sweep(now=NOW - timedelta(hours=2))
            print(f"nothing due: {time.perf_counter() - started:.3f} s ({quiet.total} actions)")

            started = time.perf_counter()
            if args.profile:
                import cProfile

                cProfile.runctx(
                    "globals()['busy'] = run_sweep(now=NOW)", globals(), locals(), "/tmp/sweep.prof"
                )
                busy = globals()["busy"]
            else:
                busy = run_sweep(now=NOW)
            elapsed = time.perf_counter() - started
            print(
                f"{busy.total:,} due: {elapsed:.2f} s; {dict(busy.counts)}; "
                f"{busy.notifications:,} notifications"
            )
            started = time.perf_counter()
            again = run_sweep(now=NOW)
            print(f"second run: {time.perf_counter() - started:.3f} s ({again.total} actions)")
            events = db.session.scalar(select(func.count()).select_from(ReportEvent))
            sample = audit.verify(
                report_id=db.session.scalar(select(ReportEvent.report_id).limit(1))
            )
            print(f"events written: {events:,}; a sampled chain verifies: {sample == []}")
            print(f"machine: {platform.machine()}, {platform.python_version()}, 2 cores")
            db.engine.dispose()
    finally:
        drop_postgres_database(url)


if __name__ == "__main__":
    main()
