"""Recompute the due times of open reports after a calendar or the SLA policy changed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Report
from grievance.services import scope
from grievance.services.policy import calendar_for_agency, load_policy
from workflows.states import State
from workflows.transitions import Context, clock_instants

BATCH_SIZE = 1000


def recompute_open_reports(agency_ids: Iterable[int] | None = None) -> int:
    """Recompute due, level 2 and reminder instants of open reports with a running clock.

    Only the future moves: each clock keeps its start and the working time it had already used,
    and its instants are computed again under the calendar and policy now in force. Returns the
    number of reports whose instants changed. Commits per batch.
    """
    policy = load_policy()
    now = utcnow()
    query = select(Report).where(
        Report.state.in_(
            (State.SUBMITTED, State.DEFERRED, State.DISPATCHED, State.IN_PROGRESS, State.RESPONDED)
        ),
        Report.clock.is_not(None),
        Report.clock_started_at.is_not(None),
    )
    if agency_ids is not None:
        reach: set[int] = set()
        for agency_id in agency_ids:
            reach.update(scope.agency_subtree_ids(agency_id))
        query = query.where(Report.agency_id.in_(reach))
    changed = 0
    last_id = 0
    while True:
        batch = db.session.scalars(
            query.where(Report.id > last_id).order_by(Report.id).limit(BATCH_SIZE)
        ).all()
        if not batch:
            break
        for report in batch:
            ctx = Context(now=now, calendar=calendar_for_agency(report.agency_id), policy=policy)
            tier = report.category.tier if report.category is not None else None
            instants = clock_instants(
                report.clock, report.clock_started_at, report.clock_consumed, ctx, tier
            )
            if any(getattr(report, name) != value for name, value in instants.items()):
                for name, value in instants.items():
                    setattr(report, name, value)
                changed += 1
        last_id = batch[-1].id
        db.session.commit()
    return changed
