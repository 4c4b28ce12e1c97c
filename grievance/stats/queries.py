"""Read scorecards and oversight tables from the rollups: a few rows per page, never the reports."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import func, select

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Agency, Category, Region, SlaPolicyRow
from grievance.services.errors import N_
from grievance.stats.fold import BUCKET_COUNT
from grievance.stats.indicators import Figures, Thresholds, empty_counts
from grievance.stats.models import (
    ALL_AGENCIES,
    ALL_CATEGORIES,
    ALL_CHANNELS,
    ALL_REGIONS,
    COUNTERS,
    NO_CATEGORY,
    StatsDurationHistogram,
    StatsRollup,
    StatsStock,
)
from workflows.states import AgencyLevel

MAX_MONTHS = 120
MANY_SCOPES = 1000  # above this, read every agency's totals in one range
DEFAULT_MONTHS = 12
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_R = StatsRollup.__table__.c
_H = StatsDurationHistogram.__table__.c
_S = StatsStock.__table__.c


# --- periods -------------------------------------------------------------------------------------


def month_add(month: int, count: int) -> int:
    """Return the month `count` months after a YYYYMM month (before when negative)."""
    index = (month // 100) * 12 + (month % 100 - 1) + count
    return (index // 12) * 100 + index % 12 + 1


def month_text(month: int) -> str:
    """Return a YYYYMM month as YYYY-MM."""
    return f"{month // 100:04d}-{month % 100:02d}"


def current_month() -> int:
    """Return this month in the deployment's time zone."""
    local = utcnow().astimezone(ZoneInfo(current_app.config["GRIEVANCE_SETTINGS"].timezone))
    return local.year * 100 + local.month


@dataclass(frozen=True)
class Period:
    """Whole months from `first` to `last` (YYYYMM), both included."""

    first: int
    last: int

    @property
    def months(self) -> list[int]:
        """Return every month of the period, in order."""
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = month_add(month, 1)
        return months

    @property
    def first_text(self) -> str:
        """Return the first month as YYYY-MM."""
        return month_text(self.first)

    @property
    def last_text(self) -> str:
        """Return the last month as YYYY-MM."""
        return month_text(self.last)

    def args(self) -> dict[str, str]:
        """Return the query arguments that select this period."""
        return {"from": self.first_text, "to": self.last_text}


def default_period() -> Period:
    """Return the twelve months up to and including this one."""
    last = current_month()
    return Period(month_add(last, 1 - DEFAULT_MONTHS), last)


def parse_period(raw_from: str | None, raw_to: str | None) -> tuple[Period, str | None]:
    """Read ?from=YYYY-MM&to=YYYY-MM; on bad input return the default and a message id."""
    default = default_period()
    if not raw_from and not raw_to:
        return default, None
    first = _parse_month(raw_from) if raw_from else None
    last = _parse_month(raw_to) if raw_to else None
    if (raw_from and first is None) or (raw_to and last is None):
        return default, N_("Give months as YYYY-MM, for example 2026-03.")
    if first is None:
        first = month_add(last or default.last, 1 - DEFAULT_MONTHS)
    if last is None:
        last = min(month_add(first, DEFAULT_MONTHS - 1), max(first, default.last))
    if first > last:
        return default, N_("The first month must not come after the last one.")
    if len(Period(first, last).months) > MAX_MONTHS:
        return default, N_("Choose at most 120 months.")
    return Period(first, last), None


def _parse_month(raw: str) -> int | None:
    match = _MONTH.match(raw.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return year * 100 + month


# --- scopes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a scorecard covers: the country, an agency and its units, or a region."""

    kind: str  # national, agency, region
    agency_id: int = ALL_AGENCIES
    region_code: str = ALL_REGIONS
    code: str = ""
    name: str = ""
    level: AgencyLevel | None = None
    parent: Scope | None = None


NATIONAL = Scope("national")


def agency_scope(code: str) -> Scope | None:
    """Return the scope of an active agency by its code, with its parent (None: unknown)."""
    if not _plausible_code(code, 40):
        return None
    agency = db.session.scalar(select(Agency).where(Agency.code == code, Agency.active.is_(True)))
    if agency is None:
        return None
    return _agency(agency, with_parent=True)


def _plausible_code(code: str, limit: int) -> bool:
    # PostgreSQL refuses NUL in text, and no code is longer than its column: not found, not 500.
    return bool(code) and len(code) <= limit and "\x00" not in code


def _agency(agency: Agency, *, with_parent: bool = False) -> Scope:
    parent = _agency(agency.parent) if with_parent and agency.parent is not None else None
    return Scope(
        "agency", agency_id=agency.id, code=agency.code, name=agency.name,
        level=AgencyLevel(agency.level), parent=parent,
    )


def region_scope(code: str) -> Scope | None:
    """Return the scope of a region by its code, with its parent (None: unknown)."""
    if not _plausible_code(code, 20):
        return None
    region = db.session.get(Region, code)
    if region is None:
        return None
    return _region(region, with_parent=True)


def _region(region: Region, *, with_parent: bool = False) -> Scope:
    parent = _region(region.parent) if with_parent and region.parent is not None else None
    return Scope(
        "region", region_code=region.code, code=region.code, name=region.name,
        level=AgencyLevel(region.level), parent=parent,
    )


def child_agencies(scope: Scope) -> list[Scope]:
    """Return the agencies directly beneath a scope (the top ones for the country)."""
    query = select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
    if scope.kind == "agency":
        query = query.where(Agency.parent_id == scope.agency_id)
    elif scope.kind == "national":
        query = query.where(Agency.parent_id.is_(None))
    else:
        return []
    return [_agency(agency) for agency in db.session.scalars(query)]


def child_regions(scope: Scope) -> list[Scope]:
    """Return the regions directly inside a scope (the top ones for the country)."""
    query = select(Region).order_by(Region.code)
    if scope.kind == "region":
        query = query.where(Region.parent_code == scope.region_code)
    elif scope.kind == "national":
        query = query.where(Region.parent_code.is_(None))
    else:
        return []
    return [_region(region) for region in db.session.scalars(query)]


def agencies_at_level(level: AgencyLevel) -> list[Scope]:
    """Return the active agencies of one level."""
    query = (
        select(Agency.id, Agency.code, Agency.name)
        .where(Agency.level == level, Agency.active.is_(True))
        .order_by(Agency.name)
    )
    return [
        Scope("agency", agency_id=row.id, code=row.code, name=row.name, level=level)
        for row in db.session.execute(query)
    ]


def thresholds() -> Thresholds:
    """Return the zone thresholds of the SLA policy in force."""
    row = db.session.get(SlaPolicyRow, 1)
    if row is None:
        return Thresholds()
    return Thresholds(green=row.green_threshold, yellow=row.yellow_threshold)


# --- scorecards ----------------------------------------------------------------------------------


@dataclass
class Scorecard:
    """A scope's indicators over a period, and month by month."""

    scope: Scope
    period: Period
    total: Figures
    by_month: list[tuple[int, Figures]] = field(default_factory=list)


def _scope_rows(columns: Any, scope: Scope) -> list[sa.ColumnElement[bool]]:
    return [
        columns.agency_id == scope.agency_id,
        columns.region_code == scope.region_code,
        columns.category_id == ALL_CATEGORIES,
        columns.channel == ALL_CHANNELS,
    ]


def scorecard(scope: Scope, period: Period, limits: Thresholds | None = None) -> Scorecard:
    """Return the scorecard of a scope: a few indexed range reads of the rollup tables.

    Stocks at the end of a month are today's stock less the changes of the months after it, so
    only the months from the period's start are read, however long the history.
    """
    limits = limits or thresholds()
    current = db.session.execute(
        select(_S.open_now, _S.overdue_now).where(*_scope_rows(_S, scope))
    ).first()
    stock_open, stock_overdue = (current.open_now, current.overdue_now) if current else (0, 0)
    query = (
        select(_R.month, *(_R[name] for name in COUNTERS))
        .where(*_scope_rows(_R, scope), _R.month >= period.first)
        .order_by(_R.month.desc())
    )
    monthly = {month: empty_counts() for month in period.months}
    total = empty_counts()
    stocks: dict[int, tuple[int, int]] = {}
    rows = list(db.session.execute(query))
    position = 0
    for month in reversed(period.months):
        # Undo the changes of the months after this one, latest first.
        while position < len(rows) and rows[position].month > month:
            stock_open -= rows[position].open_change
            stock_overdue -= rows[position].overdue_change
            position += 1
        stocks[month] = (stock_open, stock_overdue)
        if position < len(rows) and rows[position].month == month:
            row = rows[position]
            for name in COUNTERS:
                value = getattr(row, name)
                monthly[month][name] = value
                total[name] += value

    histograms = {month: [0] * BUCKET_COUNT for month in period.months}
    hquery = select(_H.month, _H.bucket, _H.count).where(
        _H.agency_id == scope.agency_id,
        _H.region_code == scope.region_code,
        _H.category_id == ALL_CATEGORIES,
        _H.month.between(period.first, period.last),
    )
    overall = [0] * BUCKET_COUNT
    for month, bucket, count in db.session.execute(hquery):
        histograms[month][bucket] += count
        overall[bucket] += count
    last_open, last_overdue = stocks[period.last]
    return Scorecard(
        scope=scope,
        period=period,
        total=Figures(total, last_open, last_overdue, overall, limits),
        by_month=[
            (month, Figures(monthly[month], *stocks[month], histograms[month], limits))
            for month in period.months
        ],
    )


# --- many scopes at once: rankings, drill-down lists, breach tables ------------------------------


def _summaries(
    key: str,
    where: Callable[[Any], list[sa.ColumnElement[bool]]],
    period: Period,
    limits: Thresholds,
) -> dict[object, Figures]:
    """Return the figures of many scopes, grouped by one key column, in three indexed reads."""
    flows = (
        select(_R[key], *(func.sum(_R[name]) for name in COUNTERS))
        .where(*where(_R), _R.month.between(period.first, period.last))
        .group_by(_R[key])
    )
    figures: dict[object, Figures] = {}
    for scope_key, *values in db.session.execute(flows):
        counts = {name: int(value or 0) for name, value in zip(COUNTERS, values, strict=True)}
        figures[scope_key] = Figures(counts, thresholds=limits)
    for scope_key, open_now, overdue_now in db.session.execute(
        select(_S[key], _S.open_now, _S.overdue_now).where(*where(_S))
    ):
        entry = figures.setdefault(scope_key, Figures(empty_counts(), thresholds=limits))
        entry.open_end, entry.overdue_end = open_now, overdue_now
    later = (
        select(_R[key], func.sum(_R.open_change), func.sum(_R.overdue_change))
        .where(*where(_R), _R.month > period.last)
        .group_by(_R[key])
    )
    for scope_key, open_after, overdue_after in db.session.execute(later):
        entry = figures.setdefault(scope_key, Figures(empty_counts(), thresholds=limits))
        entry.open_end -= int(open_after or 0)
        entry.overdue_end -= int(overdue_after or 0)
    return figures


def agency_figures(
    agencies: Iterable[Scope], period: Period, limits: Thresholds | None = None
) -> list[tuple[Scope, Figures]]:
    """Return the period's figures of several agencies (their units included)."""
    agencies = list(agencies)
    limits = limits or thresholds()
    ids = [scope.agency_id for scope in agencies]
    found: dict[object, Figures] = {}
    if len(ids) > MANY_SCOPES:
        # A whole level or more: one range read of every agency's totals (the grouping-month
        # index) beats a thousand index descents; the few others are dropped here.
        def every(columns: Any) -> list[sa.ColumnElement[bool]]:
            return [
                columns.agency_id != ALL_AGENCIES,
                columns.region_code == ALL_REGIONS,
                columns.category_id == ALL_CATEGORIES,
                columns.channel == ALL_CHANNELS,
            ]

        found = _summaries("agency_id", every, period, limits)
    else:

        def where(columns: Any) -> list[sa.ColumnElement[bool]]:
            return [
                columns.agency_id.in_(ids),
                columns.region_code == ALL_REGIONS,
                columns.category_id == ALL_CATEGORIES,
                columns.channel == ALL_CHANNELS,
            ]

        found = _summaries("agency_id", where, period, limits) if ids else {}
    return [(scope, found.get(scope.agency_id) or _empty(limits)) for scope in agencies]


def region_figures(
    regions: Iterable[Scope], period: Period, limits: Thresholds | None = None
) -> list[tuple[Scope, Figures]]:
    """Return the period's figures of several regions (the regions inside them included)."""
    regions = list(regions)
    limits = limits or thresholds()
    codes = [scope.region_code for scope in regions]
    found: dict[object, Figures] = {}
    for start in range(0, len(codes), 1000):
        chunk = codes[start : start + 1000]

        def where(columns: Any, chunk: list[str] = chunk) -> list[sa.ColumnElement[bool]]:
            return [
                columns.agency_id == ALL_AGENCIES,
                columns.region_code.in_(chunk),
                columns.category_id == ALL_CATEGORIES,
                columns.channel == ALL_CHANNELS,
            ]

        found.update(_summaries("region_code", where, period, limits))
    return [(scope, found.get(scope.region_code) or _empty(limits)) for scope in regions]


def _empty(limits: Thresholds) -> Figures:
    return Figures(empty_counts(), thresholds=limits)


@dataclass
class Ranked:
    """One agency in a ranking; `rank` is None when it had no SLA clock due in the period."""

    scope: Scope
    figures: Figures
    rank: int | None


def ranking(level: AgencyLevel, period: Period, limits: Thresholds | None = None) -> list[Ranked]:
    """Rank the agencies of one level by compliance (then by reports received)."""
    rows = agency_figures(agencies_at_level(level), period, limits)
    rows.sort(
        key=lambda item: (
            item[1].compliance is None,
            -(item[1].compliance or 0.0),
            -item[1]["received"],
            item[0].name,
        )
    )
    ranked: list[Ranked] = []
    for position, (scope, figures) in enumerate(rows, start=1):
        ranked.append(Ranked(scope, figures, position if figures.compliance is not None else None))
    return ranked


# --- oversight tables ----------------------------------------------------------------------------


def by_category(
    scope: Scope, period: Period, limits: Thresholds | None = None
) -> list[tuple[int, str, Figures]]:
    """Return a scope's figures per category: (category id, code, figures); -1 = none yet."""
    limits = limits or thresholds()
    def where(columns: Any) -> list[sa.ColumnElement[bool]]:
        return [
            columns.agency_id == scope.agency_id,
            columns.region_code == scope.region_code,
            columns.category_id != ALL_CATEGORIES,
            columns.channel == ALL_CHANNELS,
        ]

    found = _summaries("category_id", where, period, limits)
    codes = {row.id: row.code for row in db.session.execute(select(Category.id, Category.code))}
    rows: list[tuple[int, str, Figures]] = []
    for key, figures in found.items():
        category_id = int(str(key))
        rows.append((category_id, codes.get(category_id, ""), figures))
    return sorted(rows, key=lambda row: (row[0] == NO_CATEGORY, row[1]))


def by_channel(scope: Scope, period: Period) -> list[tuple[str, int]]:
    """Return how many reports the scope received by each channel in the period."""
    query = (
        select(_R.channel, func.coalesce(func.sum(_R.received), 0))
        .where(
            _R.agency_id == scope.agency_id,
            _R.region_code == scope.region_code,
            _R.category_id == ALL_CATEGORIES,
            _R.channel != ALL_CHANNELS,
            _R.month.between(period.first, period.last),
        )
        .group_by(_R.channel)
        .order_by(_R.channel)
    )
    return [(channel, int(count)) for channel, count in db.session.execute(query)]


def category_names(locale: str) -> dict[int, str]:
    """Return every category's name in a language."""
    return {category.id: category.name(locale) for category in db.session.scalars(select(Category))}
