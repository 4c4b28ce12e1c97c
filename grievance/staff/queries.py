"""Read queries of the staff pages: queues, pickers, counts. Every report query is scoped.

Queues page by keyset on (due time, id), never OFFSET: the next page starts after the last row
shown, so a page costs the same at row 50 and at row 5,000,000, and rows do not shift between
pages while others work the queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, true
from sqlalchemy.orm import selectinload

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Agency, Category, Region, Report, RoutingRule, StaffUser
from grievance.services import scope
from workflows.sla import ESCALATING_CLOCKS
from workflows.states import OPEN_STATES, AgencyLevel, Role, State
from workflows.transitions import Actor

PAGE_SIZE = 50
LEVEL_ORDER = (AgencyLevel.NATIONAL, AgencyLevel.PROVINCE, AgencyLevel.REGENCY, AgencyLevel.UNIT)

# The states each role's queue offers; the first tuple is what it shows unfiltered.
_AGENCY_DEFAULT = (State.DISPATCHED, State.IN_PROGRESS, State.RESPONDED)
QUEUE_STATES: dict[Role, tuple[tuple[State, ...], tuple[State, ...]]] = {
    Role.VERIFIER: ((State.SUBMITTED, State.DEFERRED), (State.SUBMITTED, State.DEFERRED)),
    Role.COORDINATOR: (_AGENCY_DEFAULT, (*_AGENCY_DEFAULT, State.DEFERRED)),
    Role.OFFICER: (_AGENCY_DEFAULT, (*_AGENCY_DEFAULT, State.DEFERRED)),
    Role.OVERSIGHT: (
        (State.SUBMITTED, State.DISPATCHED, State.IN_PROGRESS),
        (State.SUBMITTED, State.DEFERRED, State.DISPATCHED, State.IN_PROGRESS, State.RESPONDED),
    ),
}


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """Return the condition "a staff clock ran past its due time" (deferral and reply windows
    wait on the reporter, so they make nobody overdue)."""
    return and_(Report.clock.in_(tuple(ESCALATING_CLOCKS)), Report.due_at < now)


def is_overdue(report: Report, now: datetime) -> bool:
    """Tell whether a report's staff clock has run past its due time."""
    return report.clock in ESCALATING_CLOCKS and report.due_at is not None and report.due_at < now


@dataclass(frozen=True)
class Cursor:
    """Where a queue page ends: the last row's due time (None sorts last) and id."""

    due_at: datetime | None
    report_id: int

    def token(self) -> str:
        """Return the cursor as a URL-safe string."""
        if self.due_at is None:
            return f"n.{self.report_id}"
        micros = int(self.due_at.timestamp() * 1_000_000)
        return f"{micros}.{self.report_id}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """Read a cursor token; None when it is absent or malformed."""
        if not token or token.count(".") != 1:
            return None
        due, _, rid = token.partition(".")
        if not rid.isdigit() or len(rid) > 18:
            return None
        if due == "n":
            return cls(None, int(rid))
        if not due.isdigit() or len(due) > 18:
            return None
        try:
            instant = datetime.fromtimestamp(int(due) / 1_000_000, UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return cls(instant, int(rid))


def _after(cursor: Cursor) -> ColumnElement[bool]:
    if cursor.due_at is None:
        return and_(Report.due_at.is_(None), Report.id > cursor.report_id)
    return or_(
        Report.due_at > cursor.due_at,
        and_(Report.due_at == cursor.due_at, Report.id > cursor.report_id),
        Report.due_at.is_(None),
    )


def queue_condition(user: StaffUser, actor: Actor) -> ColumnElement[bool]:
    """Return which reports belong in a user's queue (before state and category filters)."""
    role = actor.role
    if role is Role.VERIFIER:
        # Screening: new reports, and those the desk itself deferred to ask the reporter.
        return or_(
            Report.state == State.SUBMITTED,
            and_(Report.state == State.DEFERRED, Report.deferred_from == State.SUBMITTED),
        )
    if role is Role.COORDINATOR:
        return Report.agency_id.is_not(None)
    if role is Role.OFFICER:
        return or_(
            Report.officer_id == user.id,
            and_(Report.officer_id.is_(None), Report.agency_id == user.agency_id),
        )
    if role is Role.OVERSIGHT:
        # What reaches oversight: escalations and appeals.
        return or_(Report.escalation_level >= 1, Report.appealed.is_(True))
    return false()


def queue_page(
    user: StaffUser,
    actor: Actor,
    *,
    state: State | None,
    category_id: int | None,
    after: Cursor | None,
    size: int = PAGE_SIZE,
) -> tuple[list[Report], Cursor | None]:
    """Return one page of a user's queue, soonest due first, and the cursor of the next page."""
    default, offered = QUEUE_STATES.get(actor.role, ((), ()))
    states = (state,) if state is not None and state in offered else default
    query: Select[tuple[Report]] = (
        select(Report)
        .where(
            scope.report_filter(actor),
            queue_condition(user, actor),
            Report.state.in_(states) if states else false(),
            Report.category_id == category_id if category_id is not None else true(),
        )
        .options(
            selectinload(Report.category), selectinload(Report.agency), selectinload(Report.officer)
        )
        # NULL due times (no running clock) sort last, on every database.
        .order_by(Report.due_at.is_(None), Report.due_at, Report.id)
    )
    if after is not None:
        query = query.where(_after(after))
    rows = list(db.session.scalars(query.limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    cursor = Cursor(rows[-1].due_at, rows[-1].id) if more else None
    return rows, cursor


def active_categories() -> list[Category]:
    """Return the active categories in their display order."""
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.active.is_(True))
            .order_by(Category.position, Category.code)
        )
    )


def agencies_by_level(exclude: Iterable[int] = ()) -> list[tuple[AgencyLevel, list[Agency]]]:
    """Return active agencies grouped by level (national first), each group by name."""
    skip = set(exclude)
    agencies = db.session.scalars(
        select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
    )
    groups: dict[AgencyLevel, list[Agency]] = {level: [] for level in LEVEL_ORDER}
    for agency in agencies:
        if agency.id not in skip:
            groups.setdefault(AgencyLevel(agency.level), []).append(agency)
    return [(level, members) for level, members in groups.items() if members]


def suggested_agency_id(report: Report) -> int | None:
    """Return the agency the routing rules name for a report's category and region, if any.

    The rule for the report's own region wins, then its parent regions' nearest first, then the
    category's rule without a region.
    """
    if report.category_id is None:
        return None
    rules = {
        rule.region_code: rule.agency_id
        for rule in db.session.scalars(
            select(RoutingRule).where(RoutingRule.category_id == report.category_id)
        )
    }
    if report.region is not None:
        for region in report.region.ancestry():
            if region.code in rules:
                return rules[region.code]
    return rules.get(None)


def assignable_units(actor: Actor) -> list[Agency]:
    """Return the active units beneath a coordinator's agency."""
    if actor.agency_id is None:
        return []
    reach = [i for i in scope.agency_subtree_ids(actor.agency_id) if i != actor.agency_id]
    if not reach:
        return []
    return list(
        db.session.scalars(
            select(Agency)
            .where(Agency.id.in_(reach), Agency.active.is_(True))
            .order_by(Agency.name)
        )
    )


def assignable_officers(actor: Actor) -> list[StaffUser]:
    """Return the active officers of a coordinator's agency and its units."""
    if actor.agency_id is None:
        return []
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(
                StaffUser.role == Role.OFFICER,
                StaffUser.active.is_(True),
                StaffUser.agency_id.in_(scope.agency_subtree_ids(actor.agency_id)),
            )
            .options(selectinload(StaffUser.agency))
            .order_by(StaffUser.name)
        )
    )


@dataclass(frozen=True)
class AgencyLoad:
    """Open and overdue reports at one agency (None: the central screening desk)."""

    agency: Agency | None
    depth: int
    open: int
    overdue: int


def agency_loads(actor: Actor) -> list[AgencyLoad]:
    """Return every agency in hierarchy order with its open and overdue counts."""
    now = utcnow()
    counts = {
        agency_id: (total, overdue or 0)
        for agency_id, total, overdue in db.session.execute(
            select(
                Report.agency_id,
                func.count(),
                func.sum(case((overdue_clause(now), 1), else_=0)),
            )
            .where(Report.state.in_(tuple(OPEN_STATES)), scope.report_filter(actor))
            .group_by(Report.agency_id)
        )
    }
    loads = [AgencyLoad(None, 0, *counts.get(None, (0, 0)))]
    for agency, depth in agency_tree():
        loads.append(AgencyLoad(agency, depth, *counts.get(agency.id, (0, 0))))
    return loads


def agency_tree() -> list[tuple[Agency, int]]:
    """Return every agency with its depth, each followed by its units (a depth-first walk)."""
    agencies = list(db.session.scalars(select(Agency).order_by(Agency.name)))
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    tree: list[tuple[Agency, int]] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for agency in children.get(parent_id, []):
            if agency.id not in seen:
                seen.add(agency.id)
                tree.append((agency, depth))
                walk(agency.id, depth + 1)

    walk(None, 0)
    return tree


def regions_ordered() -> Sequence[Region]:
    """Return every region by code."""
    return list(db.session.scalars(select(Region).order_by(Region.code)))
