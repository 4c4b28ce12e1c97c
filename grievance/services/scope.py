"""Who sees which reports: agency staff their agency and its sub-units, the centre everything."""

from __future__ import annotations

from sqlalchemy import ColumnElement, literal, select, true

from grievance.extensions import db
from grievance.models import Agency, Report
from workflows.states import Role
from workflows.transitions import Actor

SEES_EVERYTHING = frozenset({Role.VERIFIER, Role.OVERSIGHT})


def agency_subtree_ids(agency_id: int) -> list[int]:
    """Return an agency's id and the ids of every agency beneath it."""
    tree = select(Agency.id).where(Agency.id == agency_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Agency.id).where(Agency.parent_id == tree.c.id))
    return list(db.session.scalars(select(tree.c.id)))


def report_filter(actor: Actor) -> ColumnElement[bool]:
    """Return a WHERE clause limiting reports to those the actor may see."""
    if actor.role in SEES_EVERYTHING:
        return true()
    if actor.role in (Role.COORDINATOR, Role.OFFICER) and actor.agency_id is not None:
        return Report.agency_id.in_(agency_subtree_ids(actor.agency_id))
    return literal(False)


def in_scope(actor: Actor, agency_id: int | None) -> bool:
    """Tell whether a report at this agency is within the actor's reach."""
    if actor.role in SEES_EVERYTHING:
        return True
    if actor.agency_id is None or agency_id is None:
        return False
    return agency_id in agency_subtree_ids(actor.agency_id)


def can_see_identity(actor: Actor, report: Report) -> bool:
    """Tell whether the actor may see who filed the report (anonymous: the verifier only)."""
    if report.anonymous:
        return actor.role is Role.VERIFIER
    return actor.role in SEES_EVERYTHING or in_scope(actor, report.agency_id)
