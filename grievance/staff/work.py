"""The work of verifiers, coordinators and officers: queues, report pages, actions, bulk actions.

Every action is a small POST form carrying the report's version; the view hands it to the one
service function for that action, so a stale form gets the Conflict message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Agency, Report, ReportEvent, StaffUser
from grievance.services import actions, scope
from grievance.services.errors import N_, Conflict, Forbidden, Invalid, NotFound, ServiceError
from grievance.services.reports import find_by_tracking_number
from grievance.staff import labels, queries
from grievance.staff.access import (
    arg_int,
    current_actor,
    current_staff,
    error_text,
    form_int,
    form_optional_text,
    form_text,
    parse_int,
    roles_required,
)
from workflows import transitions
from workflows.states import Action, ArchiveReason, Classification, Outcome, Role, State
from workflows.transitions import Actor

blueprint = Blueprint("work", __name__)

WORK_ROLES = (Role.VERIFIER, Role.COORDINATOR, Role.OFFICER, Role.OVERSIGHT)
BULK_LIMIT = 100

# The actions a staff report page may offer, in the order the page shows them.
STAFF_ACTIONS = (
    Action.DISPATCH,
    Action.DEFER,
    Action.ARCHIVE,
    Action.MERGE,
    Action.ASSIGN,
    Action.FORWARD,
    Action.RETURN,
    Action.POST_UPDATE,
    Action.REQUEST_INFORMATION,
    Action.RESPOND,
    Action.ESCALATE,
    Action.NOTE,
    Action.REVEAL_IDENTITY,
)
ARCHIVE_CHOICES = (ArchiveReason.INCOMPLETE, ArchiveReason.OUT_OF_SCOPE, ArchiveReason.ABUSIVE)

STALE_FORM = N_("This form is out of date. Reload the page and try again.")


# --- queues ------------------------------------------------------------------------------------


@blueprint.get("/queue")
@roles_required(*WORK_ROLES)
def queue() -> ResponseReturnValue:
    """List the reports waiting for this user, soonest due first, a page at a time."""
    actor = current_actor()
    user = current_staff()
    _default, offered = queries.QUEUE_STATES[actor.role]
    state = _state(request.args.get("state"), offered)
    category_id = arg_int("category")
    after = queries.Cursor.parse(request.args.get("after"))
    rows, cursor = queries.queue_page(
        user, actor, state=state, category_id=category_id, after=after, size=queries.PAGE_SIZE
    )
    next_url = None
    if cursor is not None:
        next_url = url_for(
            ".queue",
            state=state.value if state else None,
            category=category_id,
            after=cursor.token(),
        )
    bulk = actor.role is Role.VERIFIER
    return render_template(
        "staff/queue.html",
        rows=rows,
        now=utcnow(),
        is_overdue=queries.is_overdue,
        states=offered,
        state=state,
        categories=queries.active_categories(),
        category_id=category_id,
        next_url=next_url,
        first_page=after is None,
        bulk=bulk,
        agency_groups=queries.agencies_by_level() if bulk and rows else [],
    )


def _state(raw: str | None, offered: tuple[State, ...]) -> State | None:
    try:
        state = State(raw) if raw else None
    except ValueError:
        return None
    return state if state in offered else None


@blueprint.get("/find")
@roles_required(*WORK_ROLES)
def find() -> ResponseReturnValue:
    """Open a report by its tracking number, when it is open to this user."""
    number = request.args.get("number", "")[:40]
    actor = current_actor()
    try:
        report = find_by_tracking_number(number)
    except NotFound as exc:
        flash(error_text(exc), "error")
        return redirect(url_for(".queue"), 303)
    if (
        db.session.scalar(
            select(Report.id).where(Report.id == report.id, scope.report_filter(actor))
        )
        is None
    ):
        # Out of reach reads exactly like "no such number": no existence leak.
        flash(
            gettext("No report has the tracking number %(number)s.", number=report.tracking_number),
            "error",
        )
        return redirect(url_for(".queue"), 303)
    return redirect(url_for(".report", report_id=report.id), 303)


# --- the report page ---------------------------------------------------------------------------


@blueprint.get("/reports/<int:report_id>")
@roles_required(*WORK_ROLES)
def report(report_id: int) -> ResponseReturnValue:
    """Show a report, its timeline, and the actions this user may take on it now."""
    actor = current_actor()
    return _report_page(actions.visible_report(report_id, actor), actor)


def offered_actions(report: Report, actor: Actor) -> list[Action]:
    """Return the actions the workflow allows this actor on this report now."""
    snap = actions.snapshot(report)
    ctx = actions.context_for(report, actor)
    offered = [a for a in STAFF_ACTIONS if transitions.allowed(snap, a, actor, ctx)]
    if not report.anonymous and Action.REVEAL_IDENTITY in offered:
        offered.remove(Action.REVEAL_IDENTITY)
    return offered


def _report_page(
    report: Report,
    actor: Actor,
    *,
    status: int = 200,
    error: str | None = None,
    failed: str | None = None,
    identity: dict[str, str | None] | None = None,
) -> ResponseReturnValue:
    offered = offered_actions(report, actor)
    events = list(
        db.session.scalars(
            select(ReportEvent)
            .where(ReportEvent.report_id == report.id)
            .options(selectinload(ReportEvent.actor))
            .order_by(ReportEvent.seq)
        )
    )
    # An anonymous reporter is shown only in the response to the verifier's reveal.
    contact = None
    if not report.anonymous and scope.can_see_identity(actor, report):
        contact = report.contact
    needs_agencies = {Action.DISPATCH, Action.FORWARD} & set(offered)
    page = render_template(
        "staff/report.html",
        report=report,
        now=utcnow(),
        overdue=queries.is_overdue(report, utcnow()),
        offered=offered,
        events=events,
        names=_event_names(events),
        contact=contact,
        identity=identity,
        error=error,
        failed=failed,
        form=request.form if failed else {},
        agency_groups=queries.agencies_by_level() if needs_agencies else [],
        suggested_agency_id=queries.suggested_agency_id(report)
        if Action.DISPATCH in offered
        else None,
        categories=queries.active_categories() if Action.DISPATCH in offered else [],
        units=queries.assignable_units(actor) if Action.ASSIGN in offered else [],
        officers=queries.assignable_officers(actor) if Action.ASSIGN in offered else [],
        classifications=list(Classification),
        outcomes=list(Outcome),
        archive_reasons=ARCHIVE_CHOICES,
        is_oversight=actor.role is Role.OVERSIGHT,
    )
    return page, status


def _event_names(events: list[ReportEvent]) -> dict[str, dict[int, str]]:
    """Return the names of the agencies and officers events refer to, looked up at once."""
    agency_ids: set[int] = set()
    officer_ids: set[int] = set()
    for event in events:
        for key in ("agency_id", "from_agency_id", "unit_id"):
            if isinstance(event.data.get(key), int):
                agency_ids.add(event.data[key])
        if isinstance(event.data.get("officer_id"), int):
            officer_ids.add(event.data["officer_id"])
    agencies = (
        {a.id: a.name for a in db.session.scalars(select(Agency).where(Agency.id.in_(agency_ids)))}
        if agency_ids
        else {}
    )
    officers = (
        {
            u.id: u.name
            for u in db.session.scalars(select(StaffUser).where(StaffUser.id.in_(officer_ids)))
        }
        if officer_ids
        else {}
    )
    return {"agencies": agencies, "officers": officers}


# --- actions -----------------------------------------------------------------------------------


def _version() -> int:
    version = form_int("expected_version")
    if version is None:
        raise Conflict(STALE_FORM)
    return version


def _required_id(name: str, field: str, message: str) -> int:
    value = form_int(name)
    if value is None:
        raise Invalid(field, message)
    return value


def _classification() -> str | None:
    raw = form_text("classification")
    if not raw:
        return None
    if raw not in {c.value for c in Classification}:
        raise Invalid("classification", N_("Choose complaint, aspiration or information request."))
    return raw


def _dispatch(report_id: int, actor: Actor) -> Report:
    return actions.dispatch(
        report_id,
        actor,
        agency_id=_required_id("agency", "agency", N_("Choose an agency from the list.")),
        category_id=form_int("category"),
        classification=_classification(),
        title=form_optional_text("title"),
        expected_version=_version(),
    )


def _escalate(report_id: int, actor: Actor) -> Report:
    # The service takes no version: check it here, so two stale clicks cannot reach level 2.
    version = _version()
    if actions.get_report(report_id).version != version:
        raise Conflict(N_("Someone else changed this report meanwhile. Reload it and try again."))
    return actions.escalate(report_id, actor, comment=form_optional_text("comment"))


HANDLERS: dict[Action, Callable[[int, Actor], Report]] = {
    Action.DISPATCH: _dispatch,
    Action.DEFER: lambda rid, actor: actions.defer(
        rid, actor, question=form_text("question"), expected_version=_version()
    ),
    Action.ARCHIVE: lambda rid, actor: actions.archive(
        rid,
        actor,
        reason=form_text("reason"),
        comment=form_optional_text("comment"),
        expected_version=_version(),
    ),
    Action.MERGE: lambda rid, actor: actions.merge(
        rid, actor, into_tracking_number=form_text("into"), expected_version=_version()
    ),
    Action.ASSIGN: lambda rid, actor: actions.assign(
        rid,
        actor,
        unit_id=form_int("unit"),
        officer_id=form_int("officer"),
        expected_version=_version(),
    ),
    Action.FORWARD: lambda rid, actor: actions.forward(
        rid,
        actor,
        agency_id=_required_id("agency", "agency", N_("Choose an agency from the list.")),
        reason=form_optional_text("reason"),
        expected_version=_version(),
    ),
    Action.RETURN: lambda rid, actor: actions.return_report(
        rid, actor, reason=form_text("reason"), expected_version=_version()
    ),
    Action.POST_UPDATE: lambda rid, actor: actions.post_update(
        rid, actor, text=form_text("text"), expected_version=_version()
    ),
    Action.REQUEST_INFORMATION: lambda rid, actor: actions.request_information(
        rid, actor, question=form_text("question"), expected_version=_version()
    ),
    Action.RESPOND: lambda rid, actor: actions.respond(
        rid,
        actor,
        text=form_text("text"),
        outcome=form_text("outcome"),
        expected_version=_version(),
    ),
    Action.ESCALATE: _escalate,
    # A note adds to the trail and changes nothing else: a newer version is no reason to refuse it.
    Action.NOTE: lambda rid, actor: actions.note(rid, actor, text=form_text("text")),
}


def _check_role(action: Action, actor: Actor, report: Report) -> None:
    """Refuse an action this role may never take on this report, before reading any input."""
    rule = transitions.RULES[action]
    if actor.role not in rule.roles or (
        actor.role in rule.needs_scope and not scope.in_scope(actor, report.agency_id)
    ):
        raise Forbidden(N_("Your role may not do this on this report."))


def _status(exc: ServiceError) -> int:
    # The report itself was found; a NotFound here is about an input (a merge target).
    if isinstance(exc, Conflict | Forbidden):
        return exc.status
    return 400


@blueprint.post("/reports/<int:report_id>/<name>")
@roles_required(*WORK_ROLES)
def act(report_id: int, name: str) -> ResponseReturnValue:
    """Take one workflow action on a report through its service."""
    actor = current_actor()
    report = actions.visible_report(report_id, actor)
    action = next((a for a in HANDLERS if a.value == name), None)
    if action is None:
        abort(404)
    number = report.tracking_number
    try:
        _check_role(action, actor, report)
        HANDLERS[action](report_id, actor)
    except ServiceError as exc:
        return _refused(report_id, actor, name, exc)
    flash(str(labels.DONE[action] % {"number": number}), "success")
    if scope.in_scope(actor, report.agency_id):
        return redirect(url_for(".report", report_id=report_id), 303)
    # Forwarded or returned out of this user's reach: back to the queue.
    return redirect(url_for(".queue"), 303)


@blueprint.get("/reports/<int:report_id>/<name>")
@roles_required(*WORK_ROLES)
def act_page(report_id: int, name: str) -> ResponseReturnValue:
    """Send a GET of an action's address (a login that came back to it) to the report page."""
    return redirect(url_for(".report", report_id=report_id), 303)


@blueprint.get("/bulk")
@roles_required(Role.VERIFIER)
def bulk_page() -> ResponseReturnValue:
    """Send a GET of the bulk address to the queue, where bulk actions start."""
    return redirect(url_for(".queue"), 303)


def _refused(report_id: int, actor: Actor, name: str, exc: ServiceError) -> ResponseReturnValue:
    db.session.rollback()
    report = actions.visible_report(report_id, actor)
    return _report_page(report, actor, status=_status(exc), error=error_text(exc), failed=name)


@blueprint.post("/reports/<int:report_id>/reveal_identity")
@roles_required(*WORK_ROLES)
def reveal(report_id: int) -> ResponseReturnValue:
    """Show an anonymous reporter's identity to the verifier once, recording that it was seen."""
    actor = current_actor()
    report = actions.visible_report(report_id, actor)
    try:
        _check_role(Action.REVEAL_IDENTITY, actor, report)
        identity = actions.reveal_identity(report_id, actor, reason=form_optional_text("reason"))
    except ServiceError as exc:
        return _refused(report_id, actor, Action.REVEAL_IDENTITY.value, exc)
    return _report_page(actions.visible_report(report_id, actor), actor, identity=identity)


# --- bulk actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkResult:
    """What happened to one report of a bulk action."""

    report_id: int
    number: str | None
    ok: bool
    message: str


@blueprint.post("/bulk")
@roles_required(Role.VERIFIER)
def bulk() -> ResponseReturnValue:
    """Dispatch selected screening reports to one agency, or merge them into one original."""
    actor = current_actor()
    operation = form_text("operation")
    ids = list(dict.fromkeys(i for i in map(parse_int, request.form.getlist("report")) if i))
    problem = None
    agency_id = form_int("agency")
    into = form_text("into")
    if operation not in ("dispatch", "merge"):
        problem = gettext("Choose what to do with the selected reports.")
    elif not ids:
        problem = gettext("Select at least one report.")
    elif len(ids) > BULK_LIMIT:
        problem = gettext("Select at most %(limit)s reports at a time.", limit=BULK_LIMIT)
    elif operation == "dispatch" and agency_id is None:
        problem = gettext("Choose an agency from the list.")
    elif operation == "merge" and not into:
        problem = gettext("Enter the tracking number of the original report.")
    if problem is not None:
        return render_template("staff/bulk_results.html", problem=problem, results=[]), 400
    results = [_bulk_one(rid, actor, operation, agency_id, into) for rid in ids]
    return render_template("staff/bulk_results.html", problem=None, results=results)


def _bulk_one(
    report_id: int, actor: Actor, operation: str, agency_id: int | None, into: str
) -> BulkResult:
    number = None
    try:
        number = actions.visible_report(report_id, actor).tracking_number
        version = form_int(f"v{report_id}")
        if version is None:
            raise Conflict(STALE_FORM)
        kwargs: dict[str, Any] = {"expected_version": version}
        if operation == "dispatch":
            actions.dispatch(report_id, actor, agency_id=agency_id or 0, **kwargs)
            done = labels.DONE[Action.DISPATCH]
        else:
            actions.merge(report_id, actor, into_tracking_number=into, **kwargs)
            done = labels.DONE[Action.MERGE]
    except ServiceError as exc:
        db.session.rollback()
        return BulkResult(report_id, number, False, error_text(exc))
    return BulkResult(report_id, number, True, str(done % {"number": number}))
