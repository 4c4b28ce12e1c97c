"""Keep the rollup tables current as events happen.

Events are born in two places: `grievance.services.audit.append` (one event, in the caller's
transaction) and the sweep's bulk insert. Both hand their events to `on_events`, which queues
them on the session; when that session commits, the queue is folded (`grievance.stats.fold`)
into each report's facts and the counters, in the same transaction. Doing it at commit, after
the session has flushed the reports' own changes, means a stale version still fails the way the
services expect, and every writer locks rows in one order (report, facts, rollups sorted by key),
so concurrent writers cannot deadlock.

A failure here must not cost a resident their complaint: it is rolled back to a savepoint,
logged, and the action commits without its statistics; `grievance stats rebuild` repairs them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from grievance.models import Agency, Calendar, Region, Report, ReportEvent
from grievance.services.policy import default_calendar_row, load_policy, working_calendar
from grievance.stats import fold
from grievance.stats.fastcalendar import IndexedCalendar
from grievance.stats.fold import DAY_US, Deltas, EventView, Facts
from grievance.stats.models import (
    COUNTERS,
    StatsDurationHistogram,
    StatsReportFacts,
    StatsRollup,
    StatsStock,
)
from workflows.calendar import WorkingCalendar

logger = logging.getLogger(__name__)

PENDING = "grievance.stats.pending"
_US = timedelta(microseconds=1)
_CHUNK = 500  # ids per IN (...) list: well inside every database's parameter limit
PRELOAD_ABOVE = 50  # reports in one batch above which the whole hierarchy is read at once


# --- the environment -----------------------------------------------------------------------------


class DatabaseEnvironment:
    """Calendars, months and hierarchies read from the database, remembered for one run."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.zone = ZoneInfo(current_app.config["GRIEVANCE_SETTINGS"].timezone)
        self._limit: int | None = None
        self._calendars: dict[int | None, IndexedCalendar] = {}
        self._rows: dict[int, Calendar | None] = {}
        # agency id -> (parent id, calendar id); region code -> parent code
        self._agencies: dict[int, tuple[int | None, int | None]] = {}
        self._regions: dict[str, str | None] = {}
        self._agency_chains: dict[int, tuple[int, ...]] = {}
        self._region_chains: dict[str, tuple[str, ...]] = {}

    @property
    def verification_limit_us(self) -> int:
        """Return the screening limit of the SLA policy in force."""
        if self._limit is None:
            self._limit = load_policy().verification_days * DAY_US
        return self._limit

    def preload(self) -> None:
        """Read the whole agency and region trees at once (for the rebuild)."""
        query = select(Agency.id, Agency.parent_id, Agency.calendar_id)
        for agency_id, parent_id, calendar_id in self.session.execute(query):
            self._agencies[agency_id] = (parent_id, calendar_id)
        for code, parent_code in self.session.execute(select(Region.code, Region.parent_code)):
            self._regions[code] = parent_code

    def month(self, instant: datetime) -> int:
        """Return the month (YYYYMM) of an instant in the deployment's time zone."""
        local = instant.astimezone(self.zone)
        return local.year * 100 + local.month

    def calendar(self, agency_id: int | None) -> IndexedCalendar:
        """Return an agency's calendar: the nearest one up its hierarchy, else the national one.

        The same rule as `grievance.services.policy.calendar_for_agency`, read from the chain
        this environment loads anyway (one query instead of one per level).
        """
        calendar = self._calendars.get(agency_id)
        if calendar is None:
            row = None
            if agency_id is not None:
                calendar_id = next(
                    (self._agencies[a][1] for a in self.agency_chain(agency_id)
                     if self._agencies.get(a, (None, None))[1] is not None),
                    None,
                )
                row = self._calendar_row(calendar_id) if calendar_id is not None else None
            calendar = indexed(working_calendar(row or default_calendar_row()))
            self._calendars[agency_id] = calendar
        return calendar

    def _calendar_row(self, calendar_id: int) -> Calendar | None:
        if calendar_id not in self._rows:
            self._rows[calendar_id] = self.session.get(Calendar, calendar_id)
        return self._rows[calendar_id]

    def working_us(self, agency_id: int | None, start: datetime, end: datetime) -> int:
        """Return working time in [start, end), in microseconds of a 24-hour working day."""
        calendar = self.calendar(agency_id)
        elapsed = calendar.working_time_between(start, end) // _US
        day = calendar.day_length // _US
        return elapsed if day == DAY_US else elapsed * DAY_US // day

    def agency_chain(self, agency_id: int) -> tuple[int, ...]:
        """Return an agency and its ancestors, nearest first."""
        chain = self._agency_chains.get(agency_id)
        if chain is None:
            if agency_id not in self._agencies:
                self._load_agency_chain(agency_id)
            chain = self._agency_chains[agency_id] = tuple(
                _walk(agency_id, lambda a: self._agencies.get(a, (None, None))[0])
            )
        return chain

    def region_chain(self, region_code: str) -> tuple[str, ...]:
        """Return a region and the regions containing it, nearest first."""
        chain = self._region_chains.get(region_code)
        if chain is None:
            if region_code not in self._regions:
                self._load_region_chain(region_code)
            chain = self._region_chains[region_code] = tuple(
                _walk(region_code, lambda code: self._regions.get(code))
            )
        return chain

    def _load_agency_chain(self, agency_id: int) -> None:
        # One recursive query for the agency and all its ancestors.
        agencies = Agency.__table__
        chain = (
            select(agencies.c.id, agencies.c.parent_id, agencies.c.calendar_id)
            .where(agencies.c.id == agency_id)
            .cte("chain", recursive=True)
        )
        chain = chain.union(
            select(agencies.c.id, agencies.c.parent_id, agencies.c.calendar_id).join(
                chain, agencies.c.id == chain.c.parent_id
            )
        )
        for row in self.session.execute(select(chain)):
            self._agencies[row.id] = (row.parent_id, row.calendar_id)

    def _load_region_chain(self, code: str) -> None:
        regions = Region.__table__
        chain = (
            select(regions.c.code, regions.c.parent_code)
            .where(regions.c.code == code)
            .cte("chain", recursive=True)
        )
        chain = chain.union(
            select(regions.c.code, regions.c.parent_code).join(
                chain, regions.c.code == chain.c.parent_code
            )
        )
        for row in self.session.execute(select(chain)):
            self._regions[row.code] = row.parent_code


# Working calendars are values: their indexes are kept for the process, like policy's cache.
_INDEXED: dict[WorkingCalendar, IndexedCalendar] = {}
INDEX_FIRST, INDEX_LAST = date(2015, 1, 1), date(2040, 12, 31)


def indexed(calendar: WorkingCalendar) -> IndexedCalendar:
    """Return a calendar indexed for constant-time arithmetic (exactly the same answers)."""
    found = _INDEXED.get(calendar)
    if found is None:
        found = _INDEXED[calendar] = IndexedCalendar(calendar, INDEX_FIRST, INDEX_LAST)
    return found


def _walk(start: Any, parent_of: Callable[[Any], Any]) -> list[Any]:
    chain: list[Any] = []
    node = start
    while node is not None and node not in chain:  # a cycle is a data error; stop, don't loop
        chain.append(node)
        node = parent_of(node)
    return chain


# --- as events happen ----------------------------------------------------------------------------


def on_events(session: Session, events: Sequence[Mapping[str, Any]]) -> None:
    """Queue new events (their column values) for the statistics of the session's transaction.

    Call it wherever events are written, in the same transaction: `audit.append` with
    ``[values]`` and the sweep's `_write` with its ``events`` list. The rollups change when the
    session commits; if the transaction rolls back, nothing is counted.
    """
    if events:
        session.info.setdefault(PENDING, []).extend(dict(values) for values in events)


@event.listens_for(Session, "before_commit")
def _apply_pending(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.get(PENDING):
        return
    pending = session.info.pop(PENDING)
    # The reports' own changes first: their version checks fail here, where the services catch
    # them, and their rows are locked before any statistics row (the sweep's order too).
    session.flush()
    try:
        with session.begin_nested():
            apply_events(session, pending)
    except Exception:
        logger.exception(
            "statistics not updated for %d events; run `grievance stats rebuild`", len(pending)
        )


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def apply_events(session: Session, events: Iterable[Mapping[str, Any]]) -> None:
    """Fold events into the facts and rollups now, in the session's transaction."""
    by_report: dict[int, list[EventView]] = defaultdict(list)
    for values in events:
        view = EventView.from_values(values)
        by_report[view.report_id].append(view)
    if not by_report:
        return
    env = DatabaseEnvironment(session)
    ids = sorted(by_report)
    if len(ids) > PRELOAD_ABOVE:
        env.preload()  # a sweep's batch touches hundreds of agencies: read the trees at once
    known = load_facts(session, ids)
    # The report row is read only for reports the statistics have not seen yet.
    statics = _report_statics(session, [i for i in ids if i not in known])
    deltas = Deltas()
    changed: list[Facts] = []
    for report_id in ids:
        facts = known.get(report_id)
        if facts is None and report_id not in statics:
            continue  # deleted meanwhile: nothing to count
        views = sorted(by_report[report_id], key=lambda view: view.seq)
        last_seq = facts.last_seq if facts is not None else 0
        if views[0].seq > last_seq + 1:
            # Events this table never saw (written before the statistics existed, or lost to
            # an error): catch up from the audit trail before going on.
            views = _events_between(session, report_id, last_seq, views[0].seq) + views
        if facts is not None:
            region_code, channel, category_id = facts.region_code, facts.channel, facts.category_id
        else:
            region_code, channel, category_id = statics[report_id]
        facts = fold.replay(
            facts, views, region_code=region_code, channel=channel,
            category_id=category_id, env=env, deltas=deltas,
        )
        if facts is not None:
            changed.append(facts)
    save_facts(session, changed)
    rows, histogram = fold.expand(deltas, env)
    add_rollups(session, rows, histogram)


def load_facts(session: Session, report_ids: Sequence[int]) -> dict[int, Facts]:
    """Return the stored facts of some reports."""
    table = StatsReportFacts.__table__
    found: dict[int, Facts] = {}
    for chunk in _chunks(report_ids):
        for row in session.execute(select(table).where(table.c.report_id.in_(chunk))).mappings():
            found[row["report_id"]] = Facts.from_values(row)
    return found


def _report_statics(
    session: Session, report_ids: Sequence[int]
) -> dict[int, tuple[str | None, str, int | None]]:
    table = Report.__table__
    statics: dict[int, tuple[str | None, str, int | None]] = {}
    for chunk in _chunks(report_ids):
        query = select(table.c.id, table.c.region_code, table.c.channel, table.c.category_id)
        for row in session.execute(query.where(table.c.id.in_(chunk))):
            statics[row.id] = (row.region_code, str(row.channel), row.category_id)
    return statics


def _events_between(session: Session, report_id: int, after: int, before: int) -> list[EventView]:
    table = ReportEvent.__table__
    query = (
        select(*EVENT_COLUMNS)
        .where(table.c.report_id == report_id, table.c.seq > after, table.c.seq < before)
        .order_by(table.c.seq)
    )
    return [EventView.from_values(row) for row in session.execute(query).mappings()]


EVENT_NAMES = (
    "report_id", "seq", "action", "actor_role", "from_state", "to_state", "data", "created_at",
)
EVENT_COLUMNS = tuple(ReportEvent.__table__.c[name] for name in EVENT_NAMES)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for position in range(0, len(ids), _CHUNK):
        yield ids[position : position + _CHUNK]


# --- writing -------------------------------------------------------------------------------------


def _insert(session: Session, table: sa.Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


BULK_ABOVE = 200  # rows above which PostgreSQL upserts go through COPY and one statement


def _upsert(
    session: Session, table: sa.Table, rows: Sequence[Mapping[str, Any]], *, add: bool
) -> None:
    """Insert rows, or on a key conflict add to (`add`) or replace the existing row's values.

    Rows come sorted by key, so every writer locks in the same order. Many rows on PostgreSQL
    are copied into a temporary table and upserted by one INSERT ... SELECT (a sweep's batch);
    a few go as one executemany (a person's action).
    """
    if not rows:
        return
    keys = [column.name for column in table.primary_key.columns]
    values = [column.name for column in table.columns if column.name not in keys]
    postgres = session.get_bind().dialect.name == "postgresql"
    statement = _insert(session, table)
    if postgres and len(rows) > BULK_ABOVE:
        scratch = _scratch_table(session, table)
        columns = [column.name for column in table.columns]
        _copy(session, scratch, columns, ([row[name] for name in columns] for row in rows))
        statement = statement.from_select(
            columns, select(*(scratch.c[name] for name in columns)).order_by(
                *(scratch.c[name] for name in keys)
            )
        )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in keys],
        set_={
            name: (table.c[name] + statement.excluded[name]) if add else statement.excluded[name]
            for name in values
        },
    )
    if postgres and len(rows) > BULK_ABOVE:
        session.execute(statement)
    else:
        session.execute(statement, list(rows))


def _scratch_table(session: Session, table: sa.Table) -> sa.Table:
    """Return an empty temporary copy of a table, emptied again at commit."""
    name = f"scratch_{table.name}"
    session.execute(sa.text(
        f'CREATE TEMP TABLE IF NOT EXISTS "{name}" (LIKE "{table.name}") ON COMMIT DELETE ROWS'
    ))
    # An earlier batch of this transaction may have left rows; the name is our own table's.
    session.execute(sa.text(f'DELETE FROM "{name}"'))  # noqa: S608
    return sa.Table(name, sa.MetaData(), *(sa.Column(c.name, c.type) for c in table.columns))


def _copy(session: Session, table: sa.Table, columns: Sequence[str],
          rows: Iterable[Sequence[Any]]) -> None:
    from psycopg import sql

    raw = session.connection().connection.driver_connection
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def save_facts(session: Session, facts: Sequence[Facts]) -> None:
    """Insert or replace reports' facts, in report order."""
    ordered = sorted(facts, key=lambda item: item.report_id)
    _upsert(session, StatsReportFacts.__table__, [item.values() for item in ordered], add=False)


def add_rollups(
    session: Session,
    rows: Mapping[fold.RollupKey, list[int]],
    histogram: Mapping[fold.HistogramKey, int],
) -> None:
    """Add counter changes to the rollup, stock and histogram rows (creating them), in key order."""
    _upsert(session, StatsRollup.__table__,
            [_rollup_values(key, row) for key, row in sorted(rows.items())], add=True)
    stocks = fold.stocks_of(dict(rows))
    _upsert(session, StatsStock.__table__, [
        {"agency_id": key[0], "region_code": key[1], "category_id": key[2], "channel": key[3],
         "open_now": opened, "overdue_now": overdue}
        for key, (opened, overdue) in sorted(stocks.items())
    ], add=True)
    _upsert(session, StatsDurationHistogram.__table__,
            [_histogram_values(key, count) for key, count in sorted(histogram.items())], add=True)


def _rollup_values(key: fold.RollupKey, row: Sequence[int]) -> dict[str, Any]:
    agency_id, region_code, category_id, channel, month = key
    values: dict[str, Any] = {
        "agency_id": agency_id,
        "region_code": region_code,
        "category_id": category_id,
        "channel": channel,
        "month": month,
    }
    values.update(zip(COUNTERS, row, strict=True))
    return values


def _histogram_values(key: fold.HistogramKey, count: int) -> dict[str, Any]:
    agency_id, region_code, category_id, month, bucket = key
    return {
        "agency_id": agency_id,
        "region_code": region_code,
        "category_id": category_id,
        "month": month,
        "bucket": bucket,
        "count": count,
    }
