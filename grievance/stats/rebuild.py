"""Recompute every rollup from the audit trail, report by report, with the fold the live path uses.

The events are read in report order, a range of report ids at a time (keyset on the events'
(report_id, seq) index), folded into facts and deltas, and written in bulk: COPY on PostgreSQL,
executemany on SQLite. Counters are summed in memory and written once at the end (flushed early
as upserts if they grow past a bound), so the run streams the events and holds only the sums.

On PostgreSQL the rebuild holds a SHARE ROW EXCLUSIVE lock on the three statistics tables: pages
keep reading the old figures until it commits, while actions wait at their commit, so none is
counted twice or lost. Run it in a quiet hour; on SQLite it locks the database file.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from grievance.models import Report, ReportEvent
from grievance.stats import fold
from grievance.stats.fold import DATA_KEYS, Deltas, EventView, Facts
from grievance.stats.models import (
    COUNTERS,
    StatsDurationHistogram,
    StatsReportFacts,
    StatsRollup,
    StatsStock,
)
from grievance.stats.rollups import DatabaseEnvironment, add_rollups

FACT_COLUMNS = tuple(column.name for column in StatsReportFacts.__table__.columns)
ROLLUP_KEY = ("agency_id", "region_code", "category_id", "channel", "month")
STOCK_COLUMNS = ("agency_id", "region_code", "category_id", "channel", "open_now", "overdue_now")
HISTOGRAM_COLUMNS = ("agency_id", "region_code", "category_id", "month", "bucket", "count")
# Base keys held before they are spread over scopes, and rollup rows held before an early write.
BASE_KEY_LIMIT = 400_000
ROW_LIMIT = 3_000_000


@dataclass
class RebuildResult:
    """What a rebuild read and wrote."""

    reports: int = 0
    events: int = 0
    rollup_rows: int = 0
    histogram_rows: int = 0


def bulk_insert(
    session: Session, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows fast in the session's transaction: COPY on PostgreSQL, executemany elsewhere."""
    count = 0
    if session.get_bind().dialect.name == "postgresql":
        from psycopg import sql

        raw = session.connection().connection.driver_connection
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) >= 5000:
            session.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        session.execute(table.insert(), batch)
        count += len(batch)
    return count


def _clear(session: Session) -> None:
    tables = [StatsDurationHistogram.__table__, StatsRollup.__table__, StatsStock.__table__,
              StatsReportFacts.__table__]
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        # Readers go on seeing the old figures; writers wait for the new ones (see module doc).
        session.execute(sa.text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
    for table in tables:
        session.execute(delete(table))


_EVENTS = ReportEvent.__table__.c
_REPORTS = Report.__table__.c


_DATA_COLUMNS = tuple(
    (_EVENTS.data[key].as_integer() if kind is int else
     _EVENTS.data[key].as_boolean() if kind is bool else
     _EVENTS.data[key].as_string()).label(f"d_{key}")
    for key, kind in DATA_KEYS.items()
)


def _events_of_range(session: Session, low: int, high: int) -> Iterable[Any]:
    # Raw strings for the enum columns and only the data keys the fold reads, extracted by the
    # database: decoding every event's JSON and enums in Python would be most of the work.
    query = (
        select(
            _EVENTS.report_id, _EVENTS.seq,
            *(sa.type_coerce(_EVENTS[name], sa.String)
              for name in ("action", "actor_role", "from_state", "to_state")),
            _EVENTS.created_at,
            _REPORTS.region_code, sa.type_coerce(_REPORTS.channel, sa.String), _REPORTS.category_id,
            *_DATA_COLUMNS,
        )
        .join(Report.__table__, _REPORTS.id == _EVENTS.report_id)
        .where(_EVENTS.report_id >= low, _EVENTS.report_id < high)
        .order_by(_EVENTS.report_id, _EVENTS.seq)
    )
    return session.execute(query)


def _view(row: Any) -> EventView:
    data = {key: value for key, value in zip(DATA_KEYS, row[10:], strict=True) if value is not None}
    return EventView.from_row(row[0], row[1], row[2], row[3], row[4], row[5], data, row[6])


def rebuild(
    session: Session,
    *,
    ids_per_batch: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> RebuildResult:
    """Replace every rollup, histogram and facts row by a recomputation from the events; commit."""
    result = RebuildResult()
    _clear(session)
    env = DatabaseEnvironment(session)
    env.preload()
    low, high = session.execute(select(func.min(Report.id), func.max(Report.id))).one()
    deltas = Deltas()
    rows: dict[fold.RollupKey, list[int]] = {}
    histogram: dict[fold.HistogramKey, int] = {}
    flushed = False
    start = low or 0
    while low is not None and start <= high:
        facts: list[Facts] = []
        reports_seen = 0
        events = _events_of_range(session, start, start + ids_per_batch)
        for _report_id, group in itertools.groupby(events, key=lambda row: row[0]):
            group_rows = list(group)
            first = group_rows[0]
            views = [_view(row) for row in group_rows]
            result.events += len(views)
            reports_seen += 1
            state = fold.replay(
                None, views, region_code=first[7], channel=first[8],
                category_id=first[9], env=env, deltas=deltas,
            )
            if state is not None:
                facts.append(state)
        bulk_insert(
            session, StatsReportFacts.__table__, FACT_COLUMNS,
            (_fact_row(item) for item in facts),
        )
        result.reports += reports_seen
        if len(deltas.counters) > BASE_KEY_LIMIT:
            _spread(deltas, env, rows, histogram)
            deltas = Deltas()
        if len(rows) > ROW_LIMIT:
            add_rollups(session, rows, histogram)  # too many to hold: add them now, go on
            rows, histogram, flushed = {}, {}, True
        if progress is not None:
            progress(reports_seen)
        start += ids_per_batch
    _spread(deltas, env, rows, histogram)
    if flushed:
        add_rollups(session, rows, histogram)
    else:
        result.rollup_rows = bulk_insert(
            session, StatsRollup.__table__, ROLLUP_KEY + COUNTERS,
            ((*key, *values) for key, values in rows.items() if any(values)),
        )
        bulk_insert(
            session, StatsStock.__table__, STOCK_COLUMNS,
            ((*key, *value) for key, value in fold.stocks_of(rows).items()),
        )
        result.histogram_rows = bulk_insert(
            session, StatsDurationHistogram.__table__, HISTOGRAM_COLUMNS,
            ((*key, count) for key, count in histogram.items() if count),
        )
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # Fresh statistics for the planner: the tables were just emptied and refilled.
        session.execute(sa.text(
            "ANALYZE stats_rollups, stats_stocks, stats_duration_histograms, stats_report_facts"
        ))
        session.commit()
    return result


def _fact_row(facts: Facts) -> tuple[Any, ...]:
    values = facts.values()
    return tuple(values[name] for name in FACT_COLUMNS)


def _spread(
    deltas: Deltas,
    env: DatabaseEnvironment,
    rows: dict[fold.RollupKey, list[int]],
    histogram: dict[fold.HistogramKey, int],
) -> None:
    expanded, expanded_histogram = fold.expand(deltas, env)
    for key, values in expanded.items():
        target = rows.get(key)
        if target is None:
            rows[key] = values
        else:
            for position, value in enumerate(values):
                target[position] += value
    for hkey, count in expanded_histogram.items():
        histogram[hkey] = histogram.get(hkey, 0) + count
