"""The public form of reports: the one place a Report becomes something anyone may read.

Every public output (Open311, the JSON API, open-data exports) goes through here, so the rules
hold everywhere at once:

- Nothing that identifies a reporter is ever read: no contact, no name, phone or email, no
  staff names either (events carry a role, never a person).
- Confidential reports are never listed nor served; asking for one is "not found".
- Free text (title, description, event texts, address) is published only once a verifier has
  screened the report (it was dispatched at least once) and never for a report archived as
  abusive: until then it is the reporter's unchecked words, which may hold personal data the
  verifier would mark confidential.
- The map point and address are published only for screened reports whose reporter is not
  anonymous, and the point is rounded to about 100 m; exports carry the region only.
- A photo is published under the same rule as the text (the web channel serves it).
- Events: their public text only; internal notes, identity reveals and SMS/USSD messages never.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import aliased, selectinload

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Agency, Category, Rating, Region, Report, ReportEvent
from grievance.services import actions
from grievance.services import reports as report_service
from grievance.services.errors import N_, NotFound
from grievance.services.policy import load_policy
from workflows import transitions
from workflows.states import (
    OPEN_STATES,
    Action,
    ArchiveReason,
    Channel,
    Classification,
    Outcome,
    Role,
    State,
    Tier,
)

# Round public map points to 3 decimal places (about 110 m of latitude): enough to put a
# pothole on a map, too coarse to point at one house.
COORDINATE_QUANTUM = Decimal("0.001")

# Actions whose events never appear in public, whatever their texts.
PRIVATE_ACTIONS = frozenset(
    {Action.NOTE, Action.REVEAL_IDENTITY, Action.MESSAGE_IN, Action.MESSAGE_OUT}
)
# Only these authors' texts become Open311 status notes: the agency's word on the status.
STAFF_ROLES = frozenset(
    {Role.VERIFIER, Role.COORDINATOR, Role.OFFICER, Role.OVERSIGHT, Role.ADMIN, Role.SYSTEM}
)

# What a reporter may do, each with inputs that satisfy its form, so asking the workflow
# whether it would accept them tells which actions to offer (state, windows, once-only rules).
REPORTER_PROBES: dict[Action, dict[str, Any]] = {
    Action.ADD_INFORMATION: {"text": "-"},
    Action.ACCEPT: {},
    Action.DISPUTE: {"reason": "-"},
    Action.RATE: {"score": 5},
    Action.APPEAL: {"reason": "-"},
}

STATE_LABELS: dict[State, str] = {
    State.SUBMITTED: N_("Waiting for screening"),
    State.DEFERRED: N_("Waiting for information from the reporter"),
    State.DISPATCHED: N_("With the agency, not yet followed up"),
    State.IN_PROGRESS: N_("In progress"),
    State.RESPONDED: N_("Answered, waiting for the reporter"),
    State.CLOSED: N_("Closed"),
    State.ARCHIVED: N_("Archived"),
}

TIER_LABELS: dict[Tier, str] = {
    Tier.MINOR: N_("Minor"),
    Tier.NORMATIVE: N_("Normative"),
    Tier.STANDARD: N_("Standard"),
    Tier.INVESTIGATION: N_("Investigation"),
}

EXPORT_BATCH = 500


@dataclass(frozen=True)
class PublicEvent:
    """One public step of a report: what happened, by which role, with its public text."""

    action: Action
    actor_role: Role
    from_state: State | None
    to_state: State | None
    text: str | None
    created_at: datetime


@dataclass(frozen=True)
class PublicReport:
    """What anyone may know about a report."""

    tracking_number: str
    classification: Classification
    category_code: str | None
    category_name: str | None
    title: str | None
    description: str | None
    text_published: bool
    state: State
    is_open: bool
    outcome: Outcome | None
    archive_reason: ArchiveReason | None
    region_code: str | None
    region_name: str | None
    agency_code: str | None
    agency_name: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    channel: Channel
    created_at: datetime
    updated_at: datetime
    dispatched_at: datetime | None
    first_update_at: datetime | None
    responded_at: datetime | None
    closed_at: datetime | None
    expected_at: datetime | None
    overdue: bool
    reopen_count: int
    appealed: bool
    duplicate_of: str | None
    status_notes: str | None
    events: tuple[PublicEvent, ...] = ()
    # A photo is published under the rule of the reporter's words (the web serves it).
    photo_published: bool = False


@dataclass(frozen=True)
class ReporterView:
    """What a report's own reporter sees (proved by the access code): all of their report."""

    report: PublicReport
    anonymous: bool
    confidential: bool
    clock_due_at: datetime | None
    rating: int | None
    allowed_actions: tuple[Action, ...]


@dataclass(frozen=True)
class PublicService:
    """A category offered to the public (an Open311 service)."""

    code: str
    name: str
    names: dict[str, str]
    tier: Tier
    resolution_days: int


@dataclass(frozen=True)
class RequestSearch:
    """A search of public reports (Open311 GET requests), already validated."""

    start: datetime
    end: datetime
    tracking_numbers: tuple[str, ...] | None = None
    category_codes: tuple[str, ...] | None = None
    statuses: frozenset[str] | None = None
    limit: int = 1000
    offset: int = 0


@dataclass(frozen=True)
class Column:
    """One column of the open-data export, for the data dictionary."""

    name: str
    type: str
    description: str
    nullable: bool = True
    values: tuple[str, ...] = field(default=())


EXPORT_COLUMNS: tuple[Column, ...] = (
    Column(
        "tracking_number", "string",
        N_("Public tracking number of the report (10 digits, the last a Damm check digit)."),
        nullable=False,
    ),
    Column(
        "created_at", "datetime", N_("When the report was filed (ISO 8601 with offset)."),
        nullable=False,
    ),
    Column(
        "classification", "string", N_("Kind of report."),
        nullable=False, values=tuple(c.value for c in Classification),
    ),
    Column(
        "category_code", "string",
        N_("Code of the category (the Open311 service_code); empty until a verifier "
           "classifies the report."),
    ),
    Column("category_name", "string", N_("Name of the category in the language asked for.")),
    Column(
        "title", "string",
        N_("Title, once the report has been screened; empty before, and for reports archived "
           "as abusive."),
    ),
    Column(
        "description", "string",
        N_("The reporter's description, published under the same rule as the title. It never "
           "holds the reporter's name, phone or email, but it is free text the reporter wrote."),
    ),
    Column(
        "state", "string", N_("Workflow state."),
        nullable=False, values=tuple(s.value for s in State),
    ),
    Column(
        "status", "string", N_("open for every state but closed and archived; closed otherwise."),
        nullable=False, values=("open", "closed"),
    ),
    Column(
        "outcome", "string", N_("How a responded or closed report ended."),
        values=tuple(o.value for o in Outcome),
    ),
    Column(
        "archive_reason", "string", N_("Why an archived report was archived."),
        values=tuple(r.value for r in ArchiveReason),
    ),
    Column(
        "region_code", "string",
        N_("Official code of the administrative region (the finest location published)."),
    ),
    Column("region_name", "string", N_("Name of the administrative region.")),
    Column("agency_code", "string", N_("Code of the agency handling the report now.")),
    Column("agency_name", "string", N_("Name of the agency handling the report now.")),
    Column(
        "channel", "string", N_("How the report came in."),
        nullable=False, values=tuple(c.value for c in Channel),
    ),
    Column("dispatched_at", "datetime", N_("When a verifier first sent the report to an agency.")),
    Column("first_update_at", "datetime", N_("When the agency first posted a public follow-up.")),
    Column(
        "responded_at", "datetime",
        N_("When the agency posted its resolution (cleared when the reporter disputes it)."),
    ),
    Column("closed_at", "datetime", N_("When the report closed.")),
    Column(
        "expected_at", "datetime",
        N_("Open reports only: when the resolution is due once the agency has followed up; "
           "before that, when the current step (screening, first follow-up) is due."),
    ),
    Column(
        "overdue", "boolean",
        N_("true when an open report has passed the deadline of its current step, at the time "
           "of the export."),
        nullable=False,
    ),
    Column(
        "reopen_count", "integer", N_("How many times the reporter disputed a resolution."),
        nullable=False,
    ),
    Column(
        "appealed", "boolean", N_("true when the reporter appealed the closing."), nullable=False,
    ),
    Column("rating", "integer", N_("The reporter's latest satisfaction rating, 1 to 5.")),
)


def public_reports() -> Select[tuple[Report]]:
    """Return the base query of every report that may be published: never a confidential one."""
    return select(Report).where(Report.confidential.is_(False))


def text_is_public(report: Report) -> bool:
    """Tell whether a report's free text may be published (screened, and not abusive)."""
    return _text_rule(report.dispatched_at, report.archive_reason)


def _text_rule(dispatched_at: datetime | None, archive_reason: ArchiveReason | None) -> bool:
    return dispatched_at is not None and archive_reason is not ArchiveReason.ABUSIVE


def location_is_public(report: Report) -> bool:
    """Tell whether a report's address and (rounded) map point may be published."""
    return text_is_public(report) and not report.anonymous


def is_open(state: State) -> bool:
    """Tell whether a state counts as open (Open311 status "open")."""
    return state in OPEN_STATES


def _point(value: Decimal | None, *, exact: bool = False) -> float | None:
    if value is None:
        return None
    if exact:
        return float(value)
    return float(Decimal(value).quantize(COORDINATE_QUANTUM, rounding=ROUND_HALF_EVEN))


def _expected_at(
    state: State, due_at: datetime | None, resolution_due_at: datetime | None
) -> datetime | None:
    if not is_open(state):
        return None
    if state is State.DEFERRED:
        # A deferred report's running deadline is the reporter's, not the agency's.
        return resolution_due_at
    return resolution_due_at or due_at


def _overdue(state: State, due_at: datetime | None, now: datetime) -> bool:
    return is_open(state) and state is not State.DEFERRED and due_at is not None and due_at < now


def _category_name(category: Category | None, locale: str) -> str | None:
    return category.name(locale) if category is not None else None


def _build(
    report: Report,
    locale: str,
    *,
    now: datetime,
    events: Sequence[PublicEvent] = (),
    status_notes: str | None = None,
    full: bool = False,
) -> PublicReport:
    """Turn a report into its public form; `full` (the reporter's own view) keeps every text."""
    show_text = full or text_is_public(report)
    show_location = full or location_is_public(report)
    duplicate = report.duplicate_of
    return PublicReport(
        tracking_number=report.tracking_number,
        classification=report.classification,
        category_code=report.category.code if report.category is not None else None,
        category_name=_category_name(report.category, locale),
        title=report.title if show_text else None,
        description=report.description if show_text else None,
        text_published=show_text,
        state=report.state,
        is_open=is_open(report.state),
        outcome=report.outcome,
        archive_reason=report.archive_reason,
        region_code=report.region_code,
        region_name=report.region.name if report.region is not None else None,
        agency_code=report.agency.code if report.agency is not None else None,
        agency_name=report.agency.name if report.agency is not None else None,
        address=report.address if show_location else None,
        latitude=_point(report.latitude, exact=full) if show_location else None,
        longitude=_point(report.longitude, exact=full) if show_location else None,
        channel=report.channel,
        created_at=report.created_at,
        updated_at=report.updated_at,
        dispatched_at=report.dispatched_at,
        first_update_at=report.first_update_at,
        responded_at=report.responded_at,
        closed_at=report.closed_at,
        expected_at=_expected_at(report.state, report.due_at, report.resolution_due_at),
        overdue=_overdue(report.state, report.due_at, now),
        reopen_count=report.reopen_count,
        appealed=report.appealed,
        duplicate_of=duplicate.tracking_number
        if duplicate is not None and not duplicate.confidential
        else None,
        status_notes=status_notes if show_text else None,
        # Before screening the steps show, their texts do not.
        events=tuple(events) if show_text else tuple(replace(e, text=None) for e in events),
        photo_published=bool(report.photo_path) and text_is_public(report),
    )


def _public_events(report_id: int) -> list[PublicEvent]:
    rows = db.session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id == report_id, ReportEvent.action.not_in(PRIVATE_ACTIONS))
        .order_by(ReportEvent.seq)
    )
    return [
        PublicEvent(
            action=e.action,
            actor_role=e.actor_role,
            from_state=e.from_state,
            to_state=e.to_state,
            text=e.public_text or None,
            created_at=e.created_at,
        )
        for e in rows
    ]


def _status_notes(report_ids: Iterable[int]) -> dict[int, str]:
    """Return the latest staff public text of each report (one query for a whole page)."""
    ids = list(report_ids)
    if not ids:
        return {}
    staff_text = and_(
        ReportEvent.report_id.in_(ids),
        ReportEvent.public_text.is_not(None),
        ReportEvent.public_text != "",
        ReportEvent.actor_role.in_(STAFF_ROLES),
        ReportEvent.action.not_in(PRIVATE_ACTIONS),
    )
    latest = (
        select(ReportEvent.report_id, sa.func.max(ReportEvent.seq).label("seq"))
        .where(staff_text)
        .group_by(ReportEvent.report_id)
        .subquery()
    )
    rows = db.session.execute(
        select(ReportEvent.report_id, ReportEvent.public_text).join(
            latest,
            and_(ReportEvent.report_id == latest.c.report_id, ReportEvent.seq == latest.c.seq),
        )
    )
    return {report_id: text for report_id, text in rows if text}


def _load_options() -> tuple[Any, ...]:
    return (
        selectinload(Report.category),
        selectinload(Report.region),
        selectinload(Report.agency),
        selectinload(Report.duplicate_of),
    )


def _public_by_tracking_number(raw: str) -> Report:
    """Return a publishable report by tracking number, or raise NotFound (confidential too)."""
    report = report_service.find_by_tracking_number(raw)
    if report.confidential:
        # The same answer as for a number that does not exist: not even its existence leaks.
        raise NotFound(
            N_("No report has the tracking number %(number)s."), number=report.tracking_number
        )
    return report


def get_public(tracking_number: str, locale: str, *, with_events: bool = True) -> PublicReport:
    """Return the public form of one report, or raise NotFound (confidential reports too)."""
    report = _public_by_tracking_number(tracking_number)
    events = _public_events(report.id) if with_events else []
    notes = _status_notes([report.id]).get(report.id)
    return _build(report, locale, now=utcnow(), events=events, status_notes=notes)


def get_for_reporter(tracking_number: str, access_code: str, locale: str) -> ReporterView:
    """Return a report as its reporter sees it, proved by the access code (confidential too)."""
    access = report_service.reporter_by_code(tracking_number, access_code)
    report = db.session.get(Report, access.report_id)
    if report is None:  # pragma: no cover - reporter_by_code just found it
        raise NotFound(N_("This report does not exist."))
    snap = actions.snapshot(report)
    ctx = actions.context_for(report, transitions.REPORTER)
    allowed = tuple(
        action
        for action, inputs in REPORTER_PROBES.items()
        if _would_accept(snap, action, inputs, ctx)
    )
    cycle = int(report.appealed)
    rating = next((r.score for r in report.ratings if r.cycle == cycle), None)
    notes = _status_notes([report.id]).get(report.id)
    public = _build(
        report, locale, now=ctx.now, events=_public_events(report.id), status_notes=notes, full=True
    )
    return ReporterView(
        report=public,
        anonymous=report.anonymous,
        confidential=report.confidential,
        clock_due_at=report.due_at,
        rating=rating,
        allowed_actions=allowed,
    )


def _would_accept(
    snap: transitions.Snapshot, action: Action, inputs: dict[str, Any], ctx: transitions.Context
) -> bool:
    try:
        transitions.decide(snap, action, transitions.REPORTER, inputs, ctx)
    except transitions.TransitionRefused:
        return False
    return True


def exists_public(tracking_number: str) -> str:
    """Return the tracking number of a publishable report, or raise NotFound."""
    return _public_by_tracking_number(tracking_number).tracking_number


def search(query: RequestSearch, locale: str) -> list[PublicReport]:
    """Return publishable reports matching a search, newest first (no events, status notes)."""
    statement = public_reports().options(*_load_options())
    if query.tracking_numbers is not None:
        # A list of ids overrides every other filter (Open311).
        statement = statement.where(Report.tracking_number.in_(query.tracking_numbers))
    else:
        statement = statement.where(
            Report.created_at >= query.start, Report.created_at <= query.end
        )
        if query.category_codes is not None:
            statement = statement.join(Category, Report.category_id == Category.id).where(
                Category.code.in_(query.category_codes)
            )
        if query.statuses is not None and len(query.statuses) == 1:
            wanted_open = "open" in query.statuses
            statement = statement.where(
                Report.state.in_(OPEN_STATES) if wanted_open else Report.state.not_in(OPEN_STATES)
            )
    statement = (
        statement.order_by(Report.created_at.desc(), Report.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    reports = list(db.session.scalars(statement))
    now = utcnow()
    notes = _status_notes(r.id for r in reports if text_is_public(r))
    return [_build(r, locale, now=now, status_notes=notes.get(r.id)) for r in reports]


def unknown_category_codes(codes: Iterable[str]) -> list[str]:
    """Return the codes among these that name no category."""
    wanted = set(codes)
    known = set(db.session.scalars(select(Category.code).where(Category.code.in_(wanted))))
    return sorted(wanted - known)


def services(locale: str) -> list[PublicService]:
    """Return the active categories, in their display order, as public services."""
    policy = load_policy()
    rows = db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.position, Category.code)
    )
    return [_service(c, locale, policy.tier_days[c.tier]) for c in rows]


def service(code: str, locale: str) -> PublicService:
    """Return one active category as a public service, or raise NotFound."""
    category = db.session.scalar(
        select(Category).where(Category.code == code, Category.active.is_(True))
    )
    if category is None:
        raise NotFound(N_("No service has the code %(code)s."), code=code[:40])
    return _service(category, locale, load_policy().tier_days[category.tier])


def _service(category: Category, locale: str, days: int) -> PublicService:
    return PublicService(
        code=category.code,
        name=category.name(locale),
        names=dict(category.names),
        tier=category.tier,
        resolution_days=days,
    )


def verification_days() -> int:
    """Return how many working days screening takes at most (for notices to filers)."""
    return load_policy().verification_days


def regions(parent_code: str | None) -> list[Region]:
    """Return the regions directly under a region (the top level for None), by code."""
    if parent_code is not None and db.session.get(Region, parent_code) is None:
        raise NotFound(N_("No region has the code %(code)s."), code=parent_code[:20])
    condition = (
        Region.parent_code.is_(None) if parent_code is None else Region.parent_code == parent_code
    )
    return list(db.session.scalars(select(Region).where(condition).order_by(Region.code)))


# --- open-data export --------------------------------------------------------------------------


def export_rows(
    start: datetime | None, end: datetime | None, locale: str, batch_size: int = EXPORT_BATCH
) -> Iterator[dict[str, Any]]:
    """Yield every publishable report filed in [start, end) as an export row, oldest first.

    Reads in keyset batches on (created_at, id), so memory stays flat and no transaction or
    cursor is held open between batches, however long the client takes to read.
    """
    now = utcnow()
    region = aliased(Region)
    agency = aliased(Agency)
    category = aliased(Category)
    rating = (
        select(Rating.score)
        .where(Rating.report_id == Report.id)
        .order_by(Rating.cycle.desc())
        .limit(1)
        .scalar_subquery()
    )
    base = (
        select(
            Report.id,
            Report.tracking_number,
            Report.created_at,
            Report.classification,
            category.code,
            category.names,
            Report.title,
            Report.description,
            Report.state,
            Report.outcome,
            Report.archive_reason,
            Report.region_code,
            region.name,
            agency.code,
            agency.name,
            Report.channel,
            Report.dispatched_at,
            Report.first_update_at,
            Report.responded_at,
            Report.closed_at,
            Report.due_at,
            Report.resolution_due_at,
            Report.reopen_count,
            Report.appealed,
            rating,
        )
        .outerjoin(category, Report.category_id == category.id)
        .outerjoin(region, Report.region_code == region.code)
        .outerjoin(agency, Report.agency_id == agency.id)
        .where(Report.confidential.is_(False))
    )
    if start is not None:
        base = base.where(Report.created_at >= start)
    if end is not None:
        base = base.where(Report.created_at < end)
    last: tuple[datetime, int] | None = None
    while True:
        statement = base
        if last is not None:
            statement = statement.where(
                or_(
                    Report.created_at > last[0],
                    and_(Report.created_at == last[0], Report.id > last[1]),
                )
            )
        rows = db.session.execute(
            statement.order_by(Report.created_at, Report.id).limit(batch_size)
        ).all()
        # End the read-only transaction between batches (nothing to keep): a slow client must
        # not hold a transaction open on the database.
        db.session.rollback()
        for row in rows:
            yield _export_row(row, locale, now)
        if len(rows) < batch_size:
            return
        last = (rows[-1][2], rows[-1][0])


def _export_row(row: Sequence[Any], locale: str, now: datetime) -> dict[str, Any]:
    (
        _id, tracking_number, created_at, classification, category_code, category_names,
        title, description, state, outcome, archive_reason, region_code, region_name,
        agency_code, agency_name, channel, dispatched_at, first_update_at, responded_at,
        closed_at, due_at, resolution_due_at, reopen_count, appealed, rating,
    ) = row
    show_text = _text_rule(dispatched_at, archive_reason)
    names = category_names or {}
    return {
        "tracking_number": tracking_number,
        "created_at": created_at,
        "classification": classification.value,
        "category_code": category_code,
        "category_name": (names.get(locale) or names.get("en") or category_code)
        if category_code
        else None,
        "title": title if show_text else None,
        "description": description if show_text else None,
        "state": state.value,
        "status": "open" if is_open(state) else "closed",
        "outcome": outcome.value if outcome is not None else None,
        "archive_reason": archive_reason.value if archive_reason is not None else None,
        "region_code": region_code,
        "region_name": region_name,
        "agency_code": agency_code,
        "agency_name": agency_name,
        "channel": channel.value,
        "dispatched_at": dispatched_at,
        "first_update_at": first_update_at,
        "responded_at": responded_at,
        "closed_at": closed_at,
        "expected_at": _expected_at(state, due_at, resolution_due_at),
        "overdue": _overdue(state, due_at, now),
        "reopen_count": reopen_count,
        "appealed": bool(appealed),
        "rating": rating,
    }
