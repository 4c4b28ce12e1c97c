"""Oversight: every agency's backlog, the breach register (and its CSV), verified audit trails."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import selectinload

from grievance.extensions import db
from grievance.models import Agency, Report, ReportEvent, SlaBreach
from grievance.services import actions, audit, scope
from grievance.staff import queries
from grievance.staff.access import arg_int, current_actor, parse_int, roles_required
from workflows.states import Clock, Role

blueprint = Blueprint("oversight", __name__, url_prefix="/oversight")

BREACH_PAGE_SIZE = 100
CSV_BATCH = 1000


@blueprint.get("/")
@roles_required(Role.OVERSIGHT)
def agencies() -> ResponseReturnValue:
    """List every agency in its hierarchy with its open and overdue reports."""
    return render_template(
        "staff/oversight/agencies.html", loads=queries.agency_loads(current_actor())
    )


@dataclass(frozen=True)
class BreachFilter:
    """The breach register's filters, read from the query string."""

    agency_id: int | None = None
    clock: Clock | None = None
    level: int | None = None
    start: date | None = None
    end: date | None = None
    status: str = ""  # "", "open" (overdue now) or "ended" (breached before)

    @classmethod
    def from_args(cls) -> BreachFilter:
        """Read the filters; a value that does not parse is ignored."""
        args = request.args
        try:
            clock = Clock(args.get("clock", "")) if args.get("clock") else None
        except ValueError:
            clock = None
        level = arg_int("level")
        status = args.get("status", "")
        return cls(
            agency_id=arg_int("agency"),
            clock=clock,
            level=level if level in (1, 2) else None,
            start=_date(args.get("start")),
            end=_date(args.get("end")),
            status=status if status in ("open", "ended") else "",
        )

    def args(self) -> dict[str, str]:
        """Return the filters as query-string values (for links and the CSV)."""
        values = {
            "agency": self.agency_id,
            "clock": self.clock.value if self.clock else None,
            "level": self.level,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "status": self.status or None,
        }
        return {k: str(v) for k, v in values.items() if v is not None}

    def where(self) -> ColumnElement[bool]:
        """Return the WHERE clause of these filters."""
        zone = ZoneInfo(current_app.config["GRIEVANCE_SETTINGS"].timezone)
        clauses: list[ColumnElement[bool]] = []
        if self.agency_id is not None:
            clauses.append(SlaBreach.agency_id.in_(scope.agency_subtree_ids(self.agency_id)))
        if self.clock is not None:
            clauses.append(SlaBreach.clock == self.clock)
        if self.level is not None:
            clauses.append(SlaBreach.level == self.level)
        if self.start is not None:
            clauses.append(SlaBreach.breached_at >= _local_midnight(self.start, zone))
        if self.end is not None:
            clauses.append(
                SlaBreach.breached_at < _local_midnight(self.end + timedelta(days=1), zone)
            )
        if self.status == "open":
            clauses.append(SlaBreach.ended_at.is_(None))
        elif self.status == "ended":
            clauses.append(SlaBreach.ended_at.is_not(None))
        return and_(true(), *clauses)


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def _breach_query(filters: BreachFilter) -> Select[tuple[SlaBreach, Report, Agency | None]]:
    actor = current_actor()
    return (
        select(SlaBreach, Report, Agency)
        .join(Report, SlaBreach.report_id == Report.id)
        .outerjoin(Agency, SlaBreach.agency_id == Agency.id)
        .where(scope.report_filter(actor), filters.where())
        .order_by(SlaBreach.breached_at.desc(), SlaBreach.id.desc())
    )


def _parse_cursor(token: str | None) -> tuple[datetime, int] | None:
    if not token or token.count(".") != 1:
        return None
    micros, rid = (parse_int(part) for part in token.split("."))
    if micros is None or rid is None:
        return None
    try:
        return datetime.fromtimestamp(micros / 1_000_000, UTC), rid
    except (OverflowError, OSError, ValueError):
        return None


@blueprint.get("/breaches")
@roles_required(Role.OVERSIGHT)
def breaches() -> ResponseReturnValue:
    """Show the breach register: clocks overdue now and breached before, newest first."""
    filters = BreachFilter.from_args()
    query = _breach_query(filters)
    cursor = _parse_cursor(request.args.get("after"))
    if cursor is not None:
        instant, breach_id = cursor
        query = query.where(
            or_(
                SlaBreach.breached_at < instant,
                and_(SlaBreach.breached_at == instant, SlaBreach.id < breach_id),
            )
        )
    size = BREACH_PAGE_SIZE
    rows = list(db.session.execute(query.limit(size + 1)))
    next_url = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1][0]
        token = f"{int(last.breached_at.timestamp() * 1_000_000)}.{last.id}"
        next_url = url_for(".breaches", **filters.args(), after=token)
    return render_template(
        "staff/oversight/breaches.html",
        rows=rows,
        filters=filters,
        agency_groups=queries.agencies_by_level(),
        clocks=list(Clock),
        next_url=next_url,
        csv_url=url_for(".breaches_csv", **filters.args()),
        first_page=cursor is None,
    )


CSV_COLUMNS = (
    "tracking_number",
    "agency_code",
    "agency_name",
    "clock",
    "level",
    "due_at",
    "breached_at",
    "ended_at",
    "overdue_now",
    "report_state",
)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting with a formula sign would run as a formula in a spreadsheet.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _iso(instant: datetime | None) -> str:
    return instant.isoformat() if instant is not None else ""


@blueprint.get("/breaches.csv")
@roles_required(Role.OVERSIGHT)
def breaches_csv() -> ResponseReturnValue:
    """Stream the breach register, with the page's filters, as CSV."""
    query = _breach_query(BreachFilter.from_args()).execution_options(yield_per=CSV_BATCH)

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for count, (breach, report, agency) in enumerate(db.session.execute(query), start=1):
            writer.writerow(
                [
                    _cell(report.tracking_number),
                    _cell(agency.code if agency else ""),
                    _cell(agency.name if agency else ""),
                    breach.clock.value,
                    breach.level,
                    _iso(breach.due_at),
                    _iso(breach.breached_at),
                    _iso(breach.ended_at),
                    "yes" if breach.ended_at is None else "no",
                    report.state.value,
                ]
            )
            if count % CSV_BATCH == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=sla-breaches.csv"},
    )


@blueprint.get("/reports/<int:report_id>/audit")
@roles_required(Role.OVERSIGHT)
def audit_trail(report_id: int) -> ResponseReturnValue:
    """Show a report's full audit trail and whether its hash chain verifies."""
    report = actions.visible_report(report_id, current_actor())
    broken = audit.verify(report.id)
    events = list(
        db.session.scalars(
            select(ReportEvent)
            .where(ReportEvent.report_id == report.id)
            .options(selectinload(ReportEvent.actor))
            .order_by(ReportEvent.seq)
        )
    )
    return render_template(
        "staff/oversight/audit.html",
        report=report,
        events=events,
        broken=broken[0] if broken else None,
    )
