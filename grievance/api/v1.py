"""The JSON API at /api/v1/: file a report, read its public view, track it with the access code.

Thin views: parse JSON, call a service, render. Every error is ``{"error": {"code", "message",
"field"}}`` with the message in the request's language (Accept-Language or ?lang=). The OpenAPI
document at /api/v1/openapi.json (grievance/api/openapi.py) describes exactly this.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from grievance import ratelimit
from grievance.api.formats import iso, other_methods, photo_url, without_nul
from grievance.api.openapi import openapi_document
from grievance.extensions import db
from grievance.ratelimit import Limit
from grievance.services import public
from grievance.services.errors import ServiceError
from grievance.services.reports import file_report
from grievance.settings import SUPPORTED_LOCALES
from grievance.stats import queries as stats
from grievance.stats.queries import Period
from workflows.states import AgencyLevel, Channel, Classification

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

# The web form's budgets, under the same names: a client has one filing budget, whichever door.
FILING_PER_CLIENT = Limit(10, 3600)
FILING_GLOBAL = Limit(600, 60)
LOOKUPS_PER_CLIENT = Limit(120, 60)

# Fields of a filing and the JSON types each accepts (None: null is always accepted).
_STRING_FIELDS = (
    "description", "classification", "title", "category", "region", "address", "name", "phone",
    "email", "language",
)
_NUMBER_FIELDS = ("latitude", "longitude")
_BOOLEAN_FIELDS = ("anonymous", "confidential")
FILING_FIELDS = frozenset(_STRING_FIELDS + _NUMBER_FIELDS + _BOOLEAN_FIELDS)


class ApiError(Exception):
    """An error answered as JSON; `message` is already translated."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def _locale() -> str:
    return str(get_locale() or "en")


def _error(status: int, code: str, message: str, field: str | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    response.headers["Content-Language"] = _locale()
    return response


@blueprint.errorhandler(ApiError)
def _api_error(exc: ApiError) -> ResponseReturnValue:
    return _error(exc.status, exc.code, exc.message, exc.field)


@blueprint.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> ResponseReturnValue:
    db.session.rollback()
    return _error(exc.status, exc.code, _(exc.message, **exc.params), getattr(exc, "field", None))


@blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_").replace("'", "")
    response = _error(status, code, exc.description or exc.name)
    for name, value in exc.get_headers():
        if name.lower() in ("retry-after", "allow"):
            response.headers[name] = value
    return response


def _external(endpoint: str, **values: Any) -> str:
    # The configured public URL, not the Host header: behind a proxy only the former is right.
    return current_app.config["GRIEVANCE_SETTINGS"].public_base_url + url_for(endpoint, **values)


def _links(tracking_number: str) -> dict[str, str]:
    return {
        "self": _external("api.get_report", tracking_number=tracking_number),
        "open311": _external("open311.get_request", name=f"{tracking_number}.json"),
    }


def _event(event: public.PublicEvent) -> dict[str, Any]:
    return {
        "action": event.action.value,
        "actor": event.actor_role.value,
        "from_state": event.from_state.value if event.from_state is not None else None,
        "to_state": event.to_state.value if event.to_state is not None else None,
        "text": event.text,
        "created_at": iso(event.created_at),
    }


def _report(report: public.PublicReport) -> dict[str, Any]:
    location = None
    if report.address is not None or report.latitude is not None:
        location = {
            "address": report.address,
            "latitude": report.latitude,
            "longitude": report.longitude,
        }
    return {
        "tracking_number": report.tracking_number,
        "classification": report.classification.value,
        "category": {"code": report.category_code, "name": report.category_name}
        if report.category_code is not None
        else None,
        "title": report.title,
        "description": report.description,
        "text_published": report.text_published,
        "state": report.state.value,
        "state_label": _(public.STATE_LABELS[report.state]),
        "status": "open" if report.is_open else "closed",
        "outcome": report.outcome.value if report.outcome is not None else None,
        "archive_reason": (
            report.archive_reason.value if report.archive_reason is not None else None
        ),
        "region": {"code": report.region_code, "name": report.region_name}
        if report.region_code is not None
        else None,
        "agency": {"code": report.agency_code, "name": report.agency_name}
        if report.agency_code is not None
        else None,
        "location": location,
        "channel": report.channel.value,
        "created_at": iso(report.created_at),
        "updated_at": iso(report.updated_at),
        "dispatched_at": iso(report.dispatched_at),
        "first_update_at": iso(report.first_update_at),
        "responded_at": iso(report.responded_at),
        "closed_at": iso(report.closed_at),
        "expected_at": iso(report.expected_at),
        "overdue": report.overdue,
        "reopen_count": report.reopen_count,
        "appealed": report.appealed,
        "duplicate_of": report.duplicate_of,
        "status_notes": report.status_notes,
        "photo_url": photo_url(report.tracking_number, report.photo_published),
        "events": [_event(e) for e in report.events],
    }


def _public_view(report: public.PublicReport) -> dict[str, Any]:
    return {"view": "public", **_report(report), "links": _links(report.tracking_number)}


def _reporter_view(view: public.ReporterView) -> dict[str, Any]:
    return {
        "view": "reporter",
        **_report(view.report),
        "anonymous": view.anonymous,
        "confidential": view.confidential,
        "step_due_at": iso(view.clock_due_at),
        "rating": view.rating,
        "allowed_actions": [a.value for a in view.allowed_actions],
        "links": _links(view.report.tracking_number),
    }


# --- reading -----------------------------------------------------------------------------------


@blueprint.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """Serve the OpenAPI 3.1 document of this API."""
    settings = current_app.config["GRIEVANCE_SETTINGS"]
    return jsonify(openapi_document(settings.public_base_url))


@blueprint.get("/categories")
def categories() -> ResponseReturnValue:
    """List the categories a report may be filed under, named in the request's language."""
    services = public.services(_locale())
    return jsonify(
        {
            "categories": [
                {"code": s.code, "name": s.name, "resolution_days": s.resolution_days}
                for s in services
            ]
        }
    )


@blueprint.get("/regions")
def regions() -> ResponseReturnValue:
    """List the regions under `parent` (the top level without it)."""
    parent = without_nul(request.args.get("parent") or "").strip() or None
    rows = public.regions(parent)
    return jsonify(
        {
            "regions": [
                {"code": r.code, "name": r.name, "level": r.level.value, "parent": r.parent_code}
                for r in rows
            ]
        }
    )


@blueprint.get("/reports/<tracking_number>")
def get_report(tracking_number: str) -> ResponseReturnValue:
    """Show a report's public view; with ?code= (the private access code), the reporter's view."""
    ratelimit.enforce("lookup", LOOKUPS_PER_CLIENT)
    code = request.args.get("code")
    if code is not None:
        view = public.get_for_reporter(tracking_number, code, _locale())
        response = jsonify(_reporter_view(view))
        # The reporter's view is private: no shared cache may keep it.
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return jsonify(_public_view(public.get_public(tracking_number, _locale())))


# --- filing ------------------------------------------------------------------------------------


def _filing_body() -> dict[str, Any]:
    """Return the JSON object of a filing, its types checked; refuse anything else."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", _("Send the report as application/json."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid", _("The body must be a JSON object."))
    for name in sorted(body):
        if name not in FILING_FIELDS:
            raise ApiError(400, "invalid", _("Unknown field %(name)s.", name=name[:40]), name[:40])
    for name, value in body.items():
        if value is None:
            continue
        if name in _STRING_FIELDS:
            ok = isinstance(value, str)
            if ok:
                body[name] = without_nul(value)
        elif name in _NUMBER_FIELDS:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        else:
            ok = isinstance(value, bool)
        if not ok:
            raise ApiError(400, "invalid", _("%(name)s has the wrong type.", name=name), name)
    if not isinstance(body.get("description"), str):
        raise ApiError(400, "invalid", _("description is required."), "description")
    return body


@blueprint.post("/reports")
def create_report() -> ResponseReturnValue:
    """File a report like the web form does; answer its tracking number and private access code."""
    ratelimit.enforce("filing", FILING_PER_CLIENT)
    ratelimit.enforce("filing-all", FILING_GLOBAL, key="all")
    body = _filing_body()
    language = body.get("language") or _locale()
    if language not in SUPPORTED_LOCALES:
        message = _("Unknown language %(code)s.", code=language[:8])
        raise ApiError(400, "invalid", message, "language")
    filed = file_report(
        description=body["description"],
        channel=Channel.API,
        language=language,
        classification=body.get("classification") or Classification.COMPLAINT,
        title=body.get("title"),
        category_code=body.get("category"),
        region_code=body.get("region"),
        address=body.get("address"),
        latitude=body.get("latitude"),
        longitude=body.get("longitude"),
        name=body.get("name"),
        phone=body.get("phone"),
        email=body.get("email"),
        anonymous=bool(body.get("anonymous")),
        confidential=bool(body.get("confidential")),
    )
    view = public.get_for_reporter(filed.report.tracking_number, filed.access_code, _locale())
    response = jsonify(
        {
            "tracking_number": filed.report.tracking_number,
            "access_code": filed.access_code,
            "report": _reporter_view(view),
        }
    )
    response.status_code = 201
    response.headers["Location"] = _external(
        "api.get_report", tracking_number=filed.report.tracking_number
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- scorecards (aggregates from grievance.stats: never a report, never a reporter) ------------


def _period() -> Period:
    period, problem = stats.parse_period(request.args.get("from"), request.args.get("to"))
    if problem:
        raise ApiError(400, "invalid", _(problem), "from")
    return period


def _scope(scope: stats.Scope) -> dict[str, Any]:
    return {
        "kind": scope.kind,
        "code": scope.code or None,
        "name": scope.name or None,
        "level": scope.level.value if scope.level is not None else None,
    }


def _scorecard(scope: stats.Scope) -> Response:
    period = _period()
    limits = stats.thresholds()
    card = stats.scorecard(scope, period, limits)
    children = stats.agency_figures(stats.child_agencies(scope), period, limits)
    children += stats.region_figures(stats.child_regions(scope), period, limits)
    return jsonify(
        {
            "scope": _scope(scope),
            "period": {"from": period.first_text, "to": period.last_text},
            "thresholds": {"green_percent": limits.green, "yellow_percent": limits.yellow},
            "total": card.total.as_dict(),
            "months": [
                {"month": stats.month_text(month), "figures": figures.as_dict()}
                for month, figures in card.by_month
            ],
            "children": [
                {"scope": _scope(child), "figures": figures.as_dict()}
                for child, figures in children
            ],
        }
    )


@blueprint.get("/scorecards")
def national_scorecard() -> ResponseReturnValue:
    """Return the national scorecard for ?from=YYYY-MM&to=YYYY-MM (default: 12 months)."""
    return _scorecard(stats.NATIONAL)


@blueprint.get("/scorecards/agencies/<code>")
def agency_scorecard(code: str) -> ResponseReturnValue:
    """Return an agency's scorecard, with its sub-agencies'."""
    scope = stats.agency_scope(without_nul(code))
    if scope is None:
        raise ApiError(404, "not_found", _("There is no such agency."))
    return _scorecard(scope)


@blueprint.get("/scorecards/regions/<code>")
def region_scorecard(code: str) -> ResponseReturnValue:
    """Return a region's scorecard, with its sub-regions'."""
    scope = stats.region_scope(without_nul(code))
    if scope is None:
        raise ApiError(404, "not_found", _("There is no such region."))
    return _scorecard(scope)


@blueprint.get("/rankings/<level>")
def ranking(level: str) -> ResponseReturnValue:
    """Rank the agencies of one level (national, province, regency, unit) by compliance."""
    try:
        chosen = AgencyLevel(level)
    except ValueError:
        raise ApiError(404, "not_found", _("There is no such level.")) from None
    period = _period()
    rows = stats.ranking(chosen, period)
    return jsonify(
        {
            "level": chosen.value,
            "period": {"from": period.first_text, "to": period.last_text},
            "rows": [
                {"rank": item.rank, "scope": _scope(item.scope), "figures": item.figures.as_dict()}
                for item in rows
            ],
        }
    )


@blueprint.route(
    "/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
)
@blueprint.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> ResponseReturnValue:
    """Answer any other address under /api/v1/ with a JSON 404 (or 405)."""
    allowed = other_methods("api.unknown")
    if allowed:
        message = _("Use %(methods)s here.", methods=" or ".join(allowed))
        response = _error(405, "method_not_allowed", message)
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return _error(404, "not_found", _("There is no such resource."))
