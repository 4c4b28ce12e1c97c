"""The citizen pages: home, filing, confirmation, tracking, the public list and the reporter's view.

Views parse input, call one service, and render. What the public may see follows the rules of
`grievance.services.public`, the one place a report becomes public (for the API and Open311 too):
never a confidential report's content nor anyone's identity; free text only once the screening
desk has checked the report; address and map point only when the reporter is not anonymous. Here
a confidential report's public page answers as an unknown number would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from babel.dates import get_datetime_format
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_number, format_time, get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from wtforms.fields.choices import SelectChoice

from channels.web import forms
from channels.web.labels import (
    ARCHIVE_REASONS,
    CLASSIFICATION_HINTS,
    CLASSIFICATIONS,
    CLOCKS,
    OUTCOMES,
    PUBLIC_EVENTS,
    STATES,
)
from grievance import ratelimit, uploads
from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Category, Region, Report
from grievance.ratelimit import Limit, RateLimited
from grievance.services import actions, public
from grievance.services import reports as report_service
from grievance.services.errors import N_, NotFound, ServiceError
from workflows.states import Action, AgencyLevel, ArchiveReason, Channel, Classification, State

blueprint = Blueprint("web", __name__, template_folder="templates")

DEFAULT_USSD_CODE = "*384*1234#"
# Per client address, and for everyone together: a flood from many addresses must not bury the
# screening desk either. Both can be changed in app.config (see grievance.ratelimit).
FILING_PER_CLIENT = Limit(10, 3600)
FILING_GLOBAL = Limit(600, 60)
LOOKUPS_PER_CLIENT = Limit(120, 60)
PAGE_SIZE = 20

# The SQL twin of public.text_is_public (screened, and not archived as abusive): text search
# must match only text the public may read, or the search would answer questions about the rest.
TEXT_IS_PUBLIC = sa.and_(
    Report.dispatched_at.is_not(None),
    sa.or_(Report.archive_reason.is_(None), Report.archive_reason != ArchiveReason.ABUSIVE),
)


def _locale() -> str:
    return str(get_locale())


def _settings() -> Any:
    return current_app.config["GRIEVANCE_SETTINGS"]


def _message(status: int, title: str, text: str, **extra: Any) -> ResponseReturnValue:
    return render_template("web/message.html", title=title, text=text, **extra), status


def _service_error(exc: ServiceError) -> ResponseReturnValue:
    title = gettext("Not found") if isinstance(exc, NotFound) else gettext("This did not work")
    return _message(exc.status, title, gettext(exc.message, **exc.params), show_track=True)


def _no_store(response: Response) -> Response:
    # Pages that show the private link: keep them out of caches, and keep the link out of the
    # Referer of anything the page loads.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- choices -----------------------------------------------------------------------------------


def category_choices(empty_label: str) -> list[SelectChoice]:
    """Return the active categories as select choices, named in the current language."""
    locale = _locale()
    rows = db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.position, Category.code)
    )
    return [SelectChoice("", empty_label), *(SelectChoice(c.code, c.name(locale)) for c in rows)]


def region_choices(empty_label: str) -> list[SelectChoice]:
    """Return provinces and regencies as select choices, an optgroup per province."""
    # Two levels only: a few hundred rows, which one select (and a slow phone) can hold.
    levels = (AgencyLevel.PROVINCE, AgencyLevel.REGENCY)
    regions = list(db.session.scalars(select(Region).where(Region.level.in_(levels))))
    by_code = {r.code: r for r in regions}

    def province(region: Region) -> Region:
        node = region
        while node.level is not AgencyLevel.PROVINCE and node.parent_code in by_code:
            node = by_code[node.parent_code]
        return node

    choices = [SelectChoice("", empty_label)]
    for region in sorted(regions, key=lambda r: (province(r).name, r is not province(r), r.name)):
        group = province(region)
        label = (
            gettext("%(region)s (all of it)", region=region.name)
            if region is group
            else region.name
        )
        choices.append(SelectChoice(region.code, label, optgroup=group.name))
    return choices


def region_subtree(code: str) -> list[str]:
    """Return a region's code and the codes of every region beneath it."""
    children: dict[str | None, list[str]] = {}
    for child, parent in db.session.execute(select(Region.code, Region.parent_code)):
        children.setdefault(parent, []).append(child)
    found: set[str] = set()
    todo = [code]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return sorted(found)


# --- home and filing ---------------------------------------------------------------------------


@blueprint.get("/")
def home() -> ResponseReturnValue:
    """Say what the service is and how to file by web, SMS and USSD; offer tracking."""
    settings = _settings()
    return render_template(
        "web/home.html",
        sms_number=settings.twilio_from_number,
        ussd_code=settings.extra.get("ussd_code", DEFAULT_USSD_CODE),
    )


def _filing_form() -> forms.FilingForm:
    form = forms.FilingForm()
    form.category.choices = category_choices(gettext("I don't know"))
    form.region.choices = region_choices(gettext("I don't know"))
    return form


# Service field names onto form fields; anything else is shown at the top of the form.
_FIELD_OF = {"location": "latitude"}


@blueprint.route("/report/new", methods=["GET", "POST"])
def new_report() -> ResponseReturnValue:
    """Show the filing form; file the report and show its tracking number and private link."""
    form = _filing_form()
    if request.method == "GET":
        return _filing_page(form)
    ratelimit.enforce("filing", FILING_PER_CLIENT)
    ratelimit.enforce("filing-all", FILING_GLOBAL, key="all")
    valid = form.validate_on_submit()
    # The photo is checked with the rest, so every problem shows at once.
    photo = None
    try:
        photo = uploads.read_photo(form.photo.data)
    except uploads.PhotoRejected as exc:
        form.photo.errors = [gettext(exc.message, **exc.params)]
        valid = False
    if not valid:
        if photo is not None:
            # A browser never fills a file input back in: say so rather than lose it silently.
            form.photo.errors = [gettext("Choose the photo again: it could not be kept.")]
        return _filing_page(form), 400
    photo_name = uploads.save_photo(photo) if photo is not None else None
    try:
        filed = report_service.file_report(
            description=form.description.data,
            channel=Channel.WEB,
            language=_locale(),
            classification=form.classification.data,
            title=form.title.data or None,
            category_code=form.category.data or None,
            region_code=form.region.data or None,
            address=form.address.data or None,
            latitude=form.latitude.data or None,
            longitude=form.longitude.data or None,
            name=form.name.data or None,
            phone=form.phone.data or None,
            email=form.email.data or None,
            anonymous=form.anonymous.data,
            confidential=form.confidential.data,
            photo_path=photo_name,
        )
    except ServiceError as exc:
        uploads.delete_photo(photo_name)
        message = gettext(exc.message, **exc.params)
        name = getattr(exc, "field", "")
        name = _FIELD_OF.get(name, name)
        if name and name in form:
            field = form[name]
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
        if photo is not None:
            form.photo.errors = [gettext("Choose the photo again: it could not be kept.")]
        return _filing_page(form), exc.status
    report = filed.report
    # Rendered straight from the POST: the access code is never stored, so it is shown only now.
    response = Response(
        render_template(
            "web/filed.html",
            report=report,
            # The deployment's public address, not whatever Host the request came in with.
            private_url=_settings().public_base_url
            + url_for(".reporter_view", tracking=report.tracking_number, code=filed.access_code),
            notified=report.contact is not None,
        )
    )
    return _no_store(response)


def _filing_page(form: forms.FilingForm) -> str:
    return render_template(
        "web/new_report.html",
        form=form,
        hints=CLASSIFICATION_HINTS,
        max_photo_mb=format_number(uploads.MAX_PHOTO_BYTES // (1024 * 1024)),
        description_min=format_number(report_service.DESCRIPTION_MIN),
        description_max=format_number(report_service.DESCRIPTION_MAX),
    )


# --- tracking and the public view --------------------------------------------------------------


@blueprint.get("/track")
def track() -> ResponseReturnValue:
    """Find a report by its tracking number and show its public page."""
    raw = (request.args.get("number") or "").strip()
    if not raw:
        return render_template("web/track.html", number="")
    ratelimit.enforce("lookup", LOOKUPS_PER_CLIENT)
    try:
        report = report_service.find_by_tracking_number(raw[:40])
    except ServiceError as exc:
        return (
            render_template(
                "web/track.html", number=raw[:40], error=gettext(exc.message, **exc.params)
            ),
            exc.status,
        )
    return redirect(url_for(".public_view", tracking=report.tracking_number))


def _due(report: Report) -> dict[str, Any]:
    """Return the running clock's plain-words label, due time and whether it has passed."""
    if report.clock is None or report.due_at is None:
        return {"due_label": None, "due_at": None, "overdue": False}
    return {
        "due_label": CLOCKS.get(report.clock),
        "due_at": report.due_at,
        "overdue": report.due_at < utcnow(),
    }


def _labels(pub: public.PublicReport) -> dict[str, Any]:
    return {
        "state": STATES[pub.state],
        "classification": CLASSIFICATIONS[pub.classification],
        "outcome": OUTCOMES.get(pub.outcome) if pub.outcome is not None else None,
        "archive_reason": ARCHIVE_REASONS.get(pub.archive_reason)
        if pub.archive_reason is not None
        else None,
        "event_labels": PUBLIC_EVENTS,
    }


@blueprint.get("/reports/<tracking>")
def public_view(tracking: str) -> ResponseReturnValue:
    """Show a report as the public sees it; a confidential one is not found."""
    ratelimit.enforce("lookup", LOOKUPS_PER_CLIENT)
    try:
        report = report_service.find_by_tracking_number(tracking)
    except ServiceError as exc:
        return _service_error(exc)
    if report.tracking_number != tracking:
        return redirect(url_for(".public_view", tracking=report.tracking_number), 301)
    if report.confidential:
        # Not even its existence is published (WORKFLOW.md): the same answer as an unknown number,
        # as Open311 and the API give. Its reporter follows it by the private link.
        return _service_error(
            NotFound(
                N_("No report has the tracking number %(number)s."),
                number=report.tracking_number,
            )
        )
    pub = public.get_public(report.tracking_number, _locale())
    return render_template(
        "web/report.html",
        report=pub,
        has_photo=bool(report.photo_path) and pub.text_published,
        **_labels(pub),
        **_due(report),
    )


@blueprint.get("/reports/<tracking>/photo")
def public_photo(tracking: str) -> ResponseReturnValue:
    """Send a report's photo when its text is public; never a confidential report's photo."""
    ratelimit.enforce("lookup", LOOKUPS_PER_CLIENT)
    try:
        report = report_service.find_by_tracking_number(tracking)
    except ServiceError:
        abort(404)
    # A photo is published under the rule of the report's own words.
    if report.confidential or not public.text_is_public(report):
        abort(404)
    return uploads.send_photo(report.photo_path)


# --- the public list ---------------------------------------------------------------------------


def _cursor(report: Report) -> str:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    micros = (report.created_at - epoch) // timedelta(microseconds=1)
    return f"{micros}.{report.id}"


def _parse_cursor(raw: str | None) -> tuple[datetime, int] | None:
    if not raw:
        return None
    micros, _, report_id = raw.partition(".")
    if not (micros.isascii() and micros.isdigit() and report_id.isascii() and report_id.isdigit()):
        return None
    if len(micros) > 18 or len(report_id) > 18:
        return None
    try:
        instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))
    except OverflowError:
        return None
    return instant, int(report_id)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@blueprint.get("/reports")
def report_list() -> ResponseReturnValue:
    """List public reports, newest first, with search, filters and keyset pagination.

    The search is a case-insensitive LIKE on title and description: fine for thousands of
    reports, a full scan beyond that (full-text search or pg_trgm is the next step).
    """
    any_label = gettext("Any")
    filters = forms.ListFilters(request.args)
    filters.state.choices = [
        SelectChoice("", any_label),
        *(SelectChoice(s.value, str(STATES[s].name)) for s in State),
    ]
    filters.category.choices = category_choices(any_label)
    filters.region.choices = region_choices(any_label)
    filters.classification.choices = [
        SelectChoice("", any_label),
        *(SelectChoice(c.value, str(label)) for c, label in CLASSIFICATIONS.items()),
    ]
    filters.validate()
    wanted = {field.name: field.data for field in filters if field.data and not field.errors}

    query = public.public_reports().options(
        selectinload(Report.category), selectinload(Report.region)
    )
    if "q" in wanted:
        pattern = f"%{_escape_like(wanted['q'])}%"
        query = query.where(
            TEXT_IS_PUBLIC,
            sa.or_(
                Report.title.ilike(pattern, escape="\\"),
                Report.description.ilike(pattern, escape="\\"),
            ),
        )
    if "state" in wanted:
        query = query.where(Report.state == State(wanted["state"]))
    if "classification" in wanted:
        query = query.where(Report.classification == Classification(wanted["classification"]))
    if "category" in wanted:
        query = query.join(Category, Report.category_id == Category.id).where(
            Category.code == wanted["category"]
        )
    if "region" in wanted:
        query = query.where(Report.region_code.in_(region_subtree(wanted["region"])))
    cursor = _parse_cursor(request.args.get("after"))
    if cursor is not None:
        created, report_id = cursor
        query = query.where(
            sa.or_(
                Report.created_at < created,
                sa.and_(Report.created_at == created, Report.id < report_id),
            )
        )
    query = query.order_by(Report.created_at.desc(), Report.id.desc()).limit(PAGE_SIZE + 1)
    rows = list(db.session.scalars(query))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_args = None
    if more:
        next_args = {**wanted, "after": _cursor(rows[-1])}
    locale = _locale()
    return render_template(
        "web/list.html",
        filters=filters,
        reports=rows,
        text_public={r.id for r in rows if public.text_is_public(r)},
        states=STATES,
        category_names={r.id: r.category.name(locale) for r in rows if r.category is not None},
        next_args=next_args,
        first_args=wanted if cursor is not None else None,
        bad_cursor=request.args.get("after") is not None and cursor is None,
    )


# --- the reporter's view -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """One reporter action: its form, the service call, and what to tell them when it worked."""

    action: Action
    form: type[FlaskForm]
    perform: Callable[[report_service.ReporterAccess, Any], object]
    done: str


_STEPS: Mapping[str, _Step] = {
    "add-information": _Step(
        Action.ADD_INFORMATION,
        forms.AddInformationForm,
        lambda access, f: actions.add_information(access, text=f.text.data),
        _l("Thank you. Your information was added and the report goes on."),
    ),
    "accept": _Step(
        Action.ACCEPT,
        forms.AcceptForm,
        lambda access, f: actions.accept(
            access, score=f.score.data or None, comment=f.comment.data or None
        ),
        _l("Thank you. The report is closed."),
    ),
    "dispute": _Step(
        Action.DISPUTE,
        forms.DisputeForm,
        lambda access, f: actions.dispute(access, reason=f.reason.data),
        _l("The report is open again; the agency must answer anew."),
    ),
    "rate": _Step(
        Action.RATE,
        forms.RateForm,
        lambda access, f: actions.rate(access, score=f.score.data, comment=f.comment.data or None),
        _l("Thank you for your rating."),
    ),
    "appeal": _Step(
        Action.APPEAL,
        forms.AppealForm,
        lambda access, f: actions.appeal(access, reason=f.reason.data),
        _l("Your appeal was sent to the higher authority."),
    ),
}


def _open_question(view: public.ReporterView) -> str | None:
    """Return the question the report waits on, when it waits on the reporter."""
    if view.report.state is not State.DEFERRED:
        return None
    asked = [e for e in view.report.events if e.action in _QUESTIONS]
    return asked[-1].text if asked else None


_QUESTIONS = frozenset({Action.DEFER, Action.REQUEST_INFORMATION})


def _reporter_page(
    tracking: str, code: str, failed: tuple[str, FlaskForm] | None = None
) -> Response:
    view = public.get_for_reporter(tracking, code, _locale())
    report = report_service.find_by_tracking_number(tracking)
    step_forms = {
        name: step.form() for name, step in _STEPS.items() if step.action in view.allowed_actions
    }
    if failed is not None:
        step_forms[failed[0]] = failed[1]
    page = render_template(
        "web/reporter.html",
        view=view,
        report=view.report,
        code=code,
        has_photo=bool(report.photo_path),
        question=_open_question(view),
        step_forms=step_forms,
        **_labels(view.report),
        **_due(report),
    )
    return _no_store(Response(page, status=400 if failed is not None else 200))


@blueprint.get("/r/<tracking>/<code>")
def reporter_view(tracking: str, code: str) -> ResponseReturnValue:
    """Show the reporter their report in full, with the actions open to them now."""
    ratelimit.enforce("lookup", LOOKUPS_PER_CLIENT)
    try:
        return _reporter_page(tracking, code)
    except ServiceError as exc:
        return _service_error(exc)


@blueprint.get("/r/<tracking>/<code>/photo")
def reporter_photo(tracking: str, code: str) -> ResponseReturnValue:
    """Send the reporter their report's photo."""
    ratelimit.enforce("lookup", LOOKUPS_PER_CLIENT)
    try:
        access = report_service.reporter_by_code(tracking, code)
    except ServiceError:
        abort(404)
    return _no_store(uploads.send_photo(actions.get_report(access.report_id).photo_path))


@blueprint.post("/r/<tracking>/<code>/<step>")
def reporter_action(tracking: str, code: str, step: str) -> ResponseReturnValue:
    """Take one reporter action (add information, accept, dispute, rate, appeal), then go back."""
    ratelimit.enforce("lookup", LOOKUPS_PER_CLIENT)
    spec = _STEPS.get(step)
    if spec is None:
        abort(404)
    try:
        access = report_service.reporter_by_code(tracking, code)
    except ServiceError as exc:
        return _service_error(exc)
    form = spec.form()
    status = 400
    if form.validate_on_submit():
        try:
            spec.perform(access, form)
        except ServiceError as exc:
            db.session.rollback()
            form.form_errors.append(gettext(exc.message, **exc.params))
            status = exc.status
        else:
            flash(str(spec.done), "success")
            return redirect(url_for(".reporter_view", tracking=tracking, code=code), 303)
    response = _reporter_page(tracking, code, (step, form))
    response.status_code = status
    return response


# --- errors ------------------------------------------------------------------------------------


@blueprint.app_template_filter("when")
def when(instant: datetime | None) -> str:
    """Format an instant as a date and a time of day in the user's language and time zone."""
    if instant is None:
        return ""
    # The locale's own way of joining a date and a time ("{1}, {0}", "{1} {0}", ...).
    pattern = get_datetime_format("medium", locale=get_locale())
    return pattern.replace("{1}", format_date(instant, "medium")).replace(
        "{0}", format_time(instant, "short")
    )


@blueprint.app_template_filter("grouped")
def grouped(number: str) -> str:
    """Group a tracking number's digits for reading aloud and typing: 123 456 7890."""
    if len(number) != 10:
        return number
    return f"{number[:3]} {number[3:6]} {number[6:]}"


@blueprint.errorhandler(CSRFError)
def csrf_failed(_error: CSRFError) -> ResponseReturnValue:
    """Explain a missing or expired form token without losing the user."""
    return _message(
        400,
        gettext("The form could not be sent"),
        gettext(
            "The form has expired or did not come from this site. Go back, reload the page "
            "and send it again. Nothing was saved."
        ),
    )


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """Explain an upload over the size limit."""
    return _message(
        413,
        gettext("The upload is too large"),
        gettext(
            "What you sent is too large: a photo can be at most %(size)s MB. Go back and "
            "choose a smaller one. Nothing was saved.",
            size=format_number(uploads.MAX_PHOTO_BYTES // (1024 * 1024)),
        ),
    )


@blueprint.errorhandler(RateLimited)
def rate_limited(error: RateLimited) -> ResponseReturnValue:
    """Ask the client to slow down, in their language, with Retry-After."""
    body, status = _message(429, gettext("Please slow down"), str(error.description))
    return body, status, {"Retry-After": str(error.wait_seconds)}


@blueprint.errorhandler(404)
def not_found(_error: HTTPException) -> ResponseReturnValue:
    """Say a page does not exist, and offer tracking."""
    return _message(
        404,
        gettext("Not found"),
        gettext("There is no such page. Check the address, or look a report up by its number."),
        show_track=True,
    )


@blueprint.app_context_processor
def language_links() -> dict[str, object]:
    """Offer `lang_url(code)`: this same page in another language (a GET page keeps its query)."""

    def lang_url(code: str) -> str:
        rule = request.url_rule
        if request.endpoint is None or rule is None or "GET" not in (rule.methods or ()):
            return f"?lang={code}"
        # Underscored keys would be url_for's own options (_external, _scheme...): never pass them.
        args = {k: v for k, v in request.args.items() if not k.startswith("_") and k != "lang"}
        return url_for(request.endpoint, **{**args, **(request.view_args or {}), "lang": code})

    return {"lang_url": lang_url}
