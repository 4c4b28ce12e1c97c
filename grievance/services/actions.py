"""One function per workflow action: the only path web, SMS, USSD, the API and jobs use.

Each loads the report, asks the workflow whether the action is allowed, applies the decision,
appends the audit event and writes the outbox rows, all in one transaction that it commits.
Two staff acting on one report at once: the version column lets one win; the other gets Conflict.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Agency, Category, Rating, Report, SlaBreach, StaffUser
from grievance.services import audit, notify, scope
from grievance.services.errors import N_, Conflict, Forbidden, Invalid, NotFound, ServiceError
from grievance.services.policy import calendar_for_agency, load_policy
from grievance.services.reports import ReporterAccess, find_by_tracking_number
from workflows.states import Action, Classification, Clock, Role, State
from workflows.transitions import (
    REPORTER,
    ROLE_LABELS,
    SYSTEM,
    Actor,
    Context,
    Decision,
    Snapshot,
    TransitionRefused,
    decide,
)


def actor_for(user: StaffUser) -> Actor:
    """Return the workflow actor of a staff user."""
    return Actor(role=Role(user.role), user_id=user.id, agency_id=user.agency_id)


def snapshot(report: Report) -> Snapshot:
    """Return what the workflow rules need to know about a report."""
    cycle = int(report.appealed)
    rating = next((r for r in report.ratings if r.cycle == cycle), None)
    return Snapshot(
        state=report.state,
        tier=report.category.tier if report.category is not None else None,
        agency_id=report.agency_id,
        officer_id=report.officer_id,
        deferred_from=report.deferred_from,
        outcome=report.outcome,
        clock=report.clock,
        due_at=report.due_at,
        level2_at=report.level2_at,
        escalation_level=report.escalation_level,
        clock_started_at=report.clock_started_at,
        clock_consumed=report.clock_consumed,
        paused_clock=report.paused_clock,
        paused_consumed=report.paused_consumed,
        paused_level=report.paused_level,
        first_update_at=report.first_update_at,
        dispatched_at=report.dispatched_at,
        closed_at=report.closed_at,
        reopen_count=report.reopen_count,
        appealed=report.appealed,
        forward_count=report.forward_count,
        rated=rating is not None,
        rating_score=rating.score if rating is not None else None,
        anonymous=report.anonymous,
    )


def context_for(report: Report, actor: Actor, calendar_agency_id: int | None = None) -> Context:
    """Return the workflow context of an action on a report now."""
    return Context(
        now=utcnow(),
        calendar=calendar_for_agency(calendar_agency_id or report.agency_id),
        policy=load_policy(),
        in_scope=scope.in_scope(actor, report.agency_id),
    )


class RoleNames:
    """Role names that translate when the message is shown, in the reader's language."""

    def __init__(self, roles: list[str]) -> None:
        self.roles = roles

    def __str__(self) -> str:
        """Return the roles' labels in the current language, joined."""
        from flask_babel import gettext

        return ", ".join(gettext(ROLE_LABELS[Role(role)]) for role in self.roles)


class StateName:
    """A state's label that translates when the message is shown."""

    def __init__(self, state: State) -> None:
        self.state = state

    def __str__(self) -> str:
        """Return the state's label in the current language."""
        from flask_babel import gettext

        from grievance.services.public import STATE_LABELS

        return gettext(STATE_LABELS[self.state]).lower()


def get_report(report_id: int) -> Report:
    """Return a report by id, or raise NotFound."""
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound(N_("This report does not exist."))
    return report


def _perform(
    report_id: int,
    action: Action,
    actor: Actor,
    inputs: dict[str, Any],
    *,
    expected_version: int | None = None,
    calendar_agency_id: int | None = None,
    extra_params: dict[str, Any] | None = None,
) -> Report:
    report = get_report(report_id)
    if expected_version is not None and report.version != expected_version:
        raise Conflict(N_("Someone else changed this report meanwhile. Reload it and try again."))
    ctx = context_for(report, actor, calendar_agency_id)
    try:
        decision = decide(snapshot(report), action, actor, inputs, ctx)
    except TransitionRefused as refused:
        db.session.rollback()
        error_type = Forbidden if refused.kind in ("role", "scope") else ServiceError
        params = dict(refused.params)
        if "roles" in params:
            params["roles"] = RoleNames(params["roles"].split(", "))
        if "state" in params:
            params["state"] = StateName(State(params["state"]))
        raise error_type(refused.reason, **params) from None
    try:
        # Autoflush may send the versioned UPDATE while the event and outbox rows are written.
        apply_decision(report, decision, actor, ctx, extra_params)
        db.session.commit()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        # Either guard can trip first: the versioned UPDATE, or the (report, seq) key of the
        # event both writers appended at the same chain position.
        if isinstance(exc, IntegrityError) and "report_seq" not in str(exc.orig):
            raise
        raise Conflict(
            N_("Someone else changed this report meanwhile. Reload it and try again.")
        ) from None
    return report


def apply_decision(
    report: Report,
    decision: Decision,
    actor: Actor,
    ctx: Context,
    extra_params: dict[str, Any] | None = None,
) -> None:
    """Apply a decision to a report with its event, rating, breaches and notices (no commit)."""
    # One action, one versioned UPDATE: the report's changes and its new chain tail go together.
    with db.session.no_autoflush:
        for name, value in decision.changes.items():
            setattr(report, name, value)
        report.updated_at = ctx.now
        if decision.rating is not None:
            score, comment = decision.rating
            report.ratings.append(
                Rating(cycle=int(report.appealed), score=score, comment=comment, created_at=ctx.now)
            )
        audit.append(
            report,
            actor_id=actor.user_id,
            actor_role=actor.role,
            action=decision.action,
            from_state=decision.from_state,
            to_state=decision.to_state,
            public_text=decision.public_text,
            internal_text=decision.internal_text,
            data=decision.data,
            created_at=ctx.now,
        )
    if "clock" in decision.changes:
        _end_breaches(report, decision.changes["clock"], ctx)
    notify.send_notices(report, decision.notices, extra_params)


def _end_breaches(report: Report, new_clock: Clock | None, ctx: Context) -> None:
    # A breach lasts while its clock runs; a deferral only pauses the clock, so it keeps it open.
    if new_clock is Clock.DEFERRAL:
        return
    db.session.execute(
        update(SlaBreach)
        .where(SlaBreach.report_id == report.id, SlaBreach.ended_at.is_(None))
        .values(ended_at=ctx.now)
    )


def _agency(agency_id: Any, field: str = "agency") -> Agency:
    agency = db.session.get(Agency, agency_id) if isinstance(agency_id, int) else None
    if agency is None or not agency.active:
        raise Invalid(field, N_("Choose an agency from the list."))
    return agency


# --- the verifier ------------------------------------------------------------------------------


def dispatch(
    report_id: int,
    actor: Actor,
    *,
    agency_id: int,
    category_id: int | None = None,
    classification: str | None = None,
    title: str | None = None,
    expected_version: int | None = None,
) -> Report:
    """Send a screened report to the agency with authority, fixing its classification."""
    agency = _agency(agency_id)
    inputs: dict[str, Any] = {"agency_id": agency.id}
    if category_id is not None:
        category = db.session.get(Category, category_id)
        if category is None or not category.active:
            raise Invalid("category", N_("Choose a category from the list."))
        inputs["category_id"] = category.id
    if classification:
        if classification not in {c.value for c in Classification}:
            raise Invalid(
                "classification", N_("Choose complaint, aspiration or information request.")
            )
        inputs["classification"] = classification
    if title and title.strip():
        inputs["title"] = title.strip()[:200]
    return _perform(
        report_id,
        Action.DISPATCH,
        actor,
        inputs,
        expected_version=expected_version,
        calendar_agency_id=agency.id,
    )


def defer(
    report_id: int, actor: Actor, *, question: str, expected_version: int | None = None
) -> Report:
    """Ask the reporter for information during screening; the clock pauses."""
    return _perform(
        report_id, Action.DEFER, actor, {"question": question}, expected_version=expected_version
    )


def archive(
    report_id: int,
    actor: Actor,
    *,
    reason: str,
    comment: str | None = None,
    expected_version: int | None = None,
) -> Report:
    """Reject a report at screening with a reason the reporter is told."""
    return _perform(
        report_id,
        Action.ARCHIVE,
        actor,
        {"reason": reason, "comment": comment},
        expected_version=expected_version,
    )


def merge(
    report_id: int, actor: Actor, *, into_tracking_number: str, expected_version: int | None = None
) -> Report:
    """Archive a report as a duplicate of another; its reporter follows the original."""
    original = find_by_tracking_number(into_tracking_number)
    if original.id == report_id:
        raise Invalid("into", N_("A report cannot duplicate itself."))
    if original.duplicate_of_id is not None:
        original = original.duplicate_of or original
    return _perform(
        report_id,
        Action.MERGE,
        actor,
        {"into_report_id": original.id, "into_tracking_number": original.tracking_number},
        expected_version=expected_version,
    )


def reveal_identity(
    report_id: int, actor: Actor, *, reason: str | None = None
) -> dict[str, str | None]:
    """Show an anonymous reporter's identity to a verifier, and record that it was seen."""
    report = _perform(report_id, Action.REVEAL_IDENTITY, actor, {"reason": reason})
    contact = report.contact
    if contact is None:
        return {"name": None, "phone": None, "email": None}
    return {"name": contact.name, "phone": contact.phone, "email": contact.email}


# --- the agency --------------------------------------------------------------------------------


def assign(
    report_id: int,
    actor: Actor,
    *,
    unit_id: int | None = None,
    officer_id: int | None = None,
    expected_version: int | None = None,
) -> Report:
    """Assign a report to a unit beneath the agency, or to one of its officers."""
    reach = set(scope.agency_subtree_ids(actor.agency_id)) if actor.agency_id else set()
    if unit_id is not None:
        unit = _agency(unit_id, "unit")
        if unit.id not in reach:
            raise Invalid("unit", N_("Choose a unit of your own agency."))
    if officer_id is not None:
        officer = db.session.get(StaffUser, officer_id) if isinstance(officer_id, int) else None
        target_reach = set(scope.agency_subtree_ids(unit_id)) if unit_id is not None else reach
        if (
            officer is None
            or not officer.active
            or officer.role is not Role.OFFICER
            or officer.agency_id not in target_reach
        ):
            raise Invalid("officer", N_("Choose an officer of your own agency."))
        report_agency = get_report(report_id).agency_id
        if unit_id is None and report_agency not in scope.agency_subtree_ids(officer.agency_id):
            # An officer of a unit works the unit's reports: the report moves there with them,
            # or they could neither see it nor act on it. One who reaches it already leaves it.
            unit_id = officer.agency_id
    return _perform(
        report_id,
        Action.ASSIGN,
        actor,
        {"unit_id": unit_id, "officer_id": officer_id},
        expected_version=expected_version,
    )


def forward(
    report_id: int,
    actor: Actor,
    *,
    agency_id: int,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Report:
    """Pass a report to another agency with authority (disposisi), at any level."""
    agency = _agency(agency_id)
    return _perform(
        report_id,
        Action.FORWARD,
        actor,
        {"agency_id": agency.id, "reason": reason},
        expected_version=expected_version,
    )


def return_report(
    report_id: int, actor: Actor, *, reason: str, expected_version: int | None = None
) -> Report:
    """Send a report back to screening as not this agency's authority."""
    return _perform(
        report_id, Action.RETURN, actor, {"reason": reason}, expected_version=expected_version
    )


def post_update(
    report_id: int, actor: Actor, *, text: str, expected_version: int | None = None
) -> Report:
    """Post a public follow-up; the first one meets the follow-up clock."""
    return _perform(
        report_id, Action.POST_UPDATE, actor, {"text": text}, expected_version=expected_version
    )


def request_information(
    report_id: int, actor: Actor, *, question: str, expected_version: int | None = None
) -> Report:
    """Ask the reporter for information; the clock pauses until they answer."""
    return _perform(
        report_id,
        Action.REQUEST_INFORMATION,
        actor,
        {"question": question},
        expected_version=expected_version,
    )


def respond(
    report_id: int, actor: Actor, *, text: str, outcome: str, expected_version: int | None = None
) -> Report:
    """Post the resolution; the reporter then has a window to accept or dispute it."""
    return _perform(
        report_id,
        Action.RESPOND,
        actor,
        {"text": text, "outcome": outcome},
        expected_version=expected_version,
    )


def note(report_id: int, actor: Actor, *, text: str) -> Report:
    """Add an internal note, never shown to the public or the reporter."""
    return _perform(report_id, Action.NOTE, actor, {"text": text})


def escalate(
    report_id: int,
    actor: Actor,
    *,
    comment: str | None = None,
    expected_version: int | None = None,
) -> Report:
    """Escalate a report one level by hand (oversight)."""
    return _perform(
        report_id, Action.ESCALATE, actor, {"comment": comment}, expected_version=expected_version
    )


# --- the reporter ------------------------------------------------------------------------------


def add_information(access: ReporterAccess, *, text: str) -> Report:
    """Answer a request for information; the paused clock resumes where it stopped."""
    return _perform(access.report_id, Action.ADD_INFORMATION, REPORTER, {"text": text})


def accept(
    access: ReporterAccess, *, score: int | str | None = None, comment: str | None = None
) -> Report:
    """Accept the resolution, optionally rating it; the report closes."""
    return _perform(access.report_id, Action.ACCEPT, REPORTER, {"score": score, "comment": comment})


def dispute(access: ReporterAccess, *, reason: str) -> Report:
    """Say the problem is not solved; the report reopens with a new resolution clock."""
    return _perform(access.report_id, Action.DISPUTE, REPORTER, {"reason": reason})


def rate(access: ReporterAccess, *, score: int | str, comment: str | None = None) -> Report:
    """Rate the resolution of a closed report, once, within the rating window."""
    return _perform(access.report_id, Action.RATE, REPORTER, {"score": score, "comment": comment})


def appeal(access: ReporterAccess, *, reason: str) -> Report:
    """Appeal a closed report to the parent agency (or oversight at the top)."""
    report = get_report(access.report_id)
    parent_id = report.agency.parent_id if report.agency is not None else None
    return _perform(
        access.report_id,
        Action.APPEAL,
        REPORTER,
        {"reason": reason, "appeal_agency_id": parent_id},
        calendar_agency_id=parent_id,
    )


# --- channels ----------------------------------------------------------------------------------


def record_message(report_id: int, *, direction: str, channel: str, text: str) -> None:
    """Put an SMS or USSD message on the report's trail (no phone number: anonymity holds)."""
    report = get_report(report_id)
    action = Action.MESSAGE_IN if direction == "in" else Action.MESSAGE_OUT
    ctx = context_for(report, SYSTEM)
    decision = decide(
        snapshot(report), action, SYSTEM, {"text": text, "data": {"channel": channel}}, ctx
    )
    apply_decision(report, decision, SYSTEM, ctx)


def visible_report(report_id: int, actor: Actor) -> Report:
    """Return a report the actor may see, or raise NotFound (other agencies' reports included)."""
    report = db.session.scalar(
        select(Report).where(Report.id == report_id, scope.report_filter(actor))
    )
    if report is None:
        raise NotFound(N_("This report does not exist or is not with your agency."))
    return report
