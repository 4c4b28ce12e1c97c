"""Open311 GeoReport v2 at /open311/v2/: services are categories, requests are public reports.

Thin views: each parses the protocol's parameters, calls `grievance.services.public` (reads) or
`grievance.services.reports.file_report` (POST), and renders the answer as XML or JSON by the
resource's suffix. Every error answers the protocol's error document in the same format.
docs/api.md holds the mapping and the decisions taken where the spec leaves room.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from grievance.api.formats import (
    JSON_MIMETYPE,
    XML_MIMETYPE,
    Items,
    local_timezone,
    other_methods,
    photo_url,
    to_json,
    to_xml,
    without_nul,
)
from grievance.clock import utcnow
from grievance.extensions import db
from grievance.models import Region
from grievance.services import api_clients, public
from grievance.services.errors import ServiceError
from grievance.services.reports import file_report
from grievance.tracking import clean_tracking_number
from workflows.states import Channel

blueprint = Blueprint("open311", __name__, url_prefix="/open311/v2")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this API's behaviour last changed (the discovery document's changeset).
CHANGESET = "2026-03-01T00:00:00+00:00"
FORMATS = ("xml", "json")
MAX_WINDOW = timedelta(days=90)
MAX_ROWS = 1000
MAX_IDS = 1000
DESCRIPTION_MAX = 4000
# Longest value accepted for a free-text form field other than the description.
FIELD_MAX = 300


class Open311Error(Exception):
    """An error answered as the protocol's error document; `description` is already translated."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def jurisdiction_id() -> str:
    """Return the one jurisdiction_id this endpoint accepts (setting, else the site's host)."""
    settings = current_app.config["GRIEVANCE_SETTINGS"]
    configured = settings.extra.get("jurisdiction_id")
    if configured:
        return configured
    host = urlsplit(settings.public_base_url).hostname or "localhost"
    return host.removeprefix("www.")


def _locale() -> str:
    return str(get_locale() or "en")


def _format_of(path: str) -> str:
    """Return the format a path asks for by its suffix; XML (the required one) by default."""
    return "json" if path.rstrip("/").endswith(".json") else "xml"


def _render(root: str, document: Any, status: int = 200) -> Response:
    if g.get("open311_format", "xml") == "json":
        return Response(to_json(document), status=status, content_type=JSON_MIMETYPE)
    return Response(to_xml(root, document), status=status, content_type=XML_MIMETYPE)


def _error_response(status: int, description: str) -> Response:
    document = Items("error", [{"code": status, "description": description}])
    return _render("errors", document, status)


@blueprint.before_request
def _check_jurisdiction() -> ResponseReturnValue | None:
    g.open311_format = _format_of(request.path)
    given = (request.values.get("jurisdiction_id") or "").strip()
    if given and given != jurisdiction_id():
        return _error_response(404, _("jurisdiction_id %(id)s was not found.", id=given[:100]))
    return None


@blueprint.errorhandler(Open311Error)
def _open311_error(exc: Open311Error) -> ResponseReturnValue:
    return _error_response(exc.status, exc.description)


@blueprint.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> ResponseReturnValue:
    db.session.rollback()
    status = exc.status if exc.status in (403, 404) else 400
    return _error_response(status, _(exc.message, **exc.params))


@blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> ResponseReturnValue:
    response = _error_response(exc.code or 400, exc.description or exc.name)
    for name, value in exc.get_headers():
        if name.lower() in ("retry-after", "allow"):
            response.headers[name] = value
    return response


def _split(name: str) -> tuple[str, str]:
    """Split `code.format` into its parts; an unknown or missing format is not found."""
    base, dot, fmt = name.rpartition(".")
    if not dot or fmt not in FORMATS or not base:
        raise Open311Error(404, _("Add .xml or .json to the address of the resource."))
    g.open311_format = fmt
    return base, fmt


def _single(name: str) -> str:
    """Return a form or query value, stripped; an empty value counts as absent (the spec)."""
    return without_nul(request.values.get(name) or "").strip()


# --- discovery and services --------------------------------------------------------------------


@blueprint.get("/discovery.<any(xml, json):fmt>")
def discovery(fmt: str) -> ResponseReturnValue:
    """Describe this endpoint: specification, URL, formats, how to get a key."""
    settings = current_app.config["GRIEVANCE_SETTINGS"]
    contact = settings.extra.get("open311_contact") or settings.public_base_url
    key_service = settings.extra.get("open311_key_service") or _(
        "Ask the administrators of %(url)s for an API key.", url=settings.public_base_url
    )
    endpoint = {
        "specification": SPECIFICATION,
        "url": f"{settings.public_base_url}{blueprint.url_prefix}",
        "changeset": CHANGESET,
        "type": "production" if settings.production else "test",
        "formats": Items("format", ["text/xml", "application/json"]),
    }
    document = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": Items("endpoint", [endpoint]),
    }
    return _render("discovery", document)


def _service_document(service: public.PublicService) -> dict[str, Any]:
    keywords = [service.code, *sorted(set(service.names.values()) - {service.name})]
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": _(
            "Resolution target: %(days)s working days after the agency's first follow-up.",
            days=service.resolution_days,
        ),
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": _(public.TIER_LABELS[service.tier]),
    }


@blueprint.get("/services.<any(xml, json):fmt>")
def services(fmt: str) -> ResponseReturnValue:
    """List the services: the active categories."""
    rows = public.services(_locale())
    return _render("services", Items("service", [_service_document(s) for s in rows]))


@blueprint.get("/services/<name>")
def service_definition(name: str) -> ResponseReturnValue:
    """Define a service: no extra attributes are ever needed."""
    code, _fmt = _split(name)
    service = public.service(code, _locale())
    return _render(
        "service_definition",
        {"service_code": service.code, "attributes": Items("attribute", [])},
    )


# --- requests ----------------------------------------------------------------------------------


def _request_document(report: public.PublicReport) -> dict[str, Any]:
    updated = report.closed_at if not report.is_open and report.closed_at else report.updated_at
    return {
        "service_request_id": report.tracking_number,
        "status": "open" if report.is_open else "closed",
        "status_notes": report.status_notes,
        "service_name": report.category_name,
        "service_code": report.category_code,
        "description": report.description,
        "agency_responsible": report.agency_name,
        "service_notice": _(public.STATE_LABELS[report.state]),
        "requested_datetime": report.created_at,
        "updated_datetime": updated,
        "expected_datetime": report.expected_at,
        "address": report.address,
        "address_id": report.region_code,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": photo_url(report.tracking_number, report.photo_published),
    }


def _parse_instant(name: str) -> datetime | None:
    raw = _single(name)
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(
            400, _("%(name)s is not a date and time like 2026-01-31T00:00:00Z.", name=name)
        ) from None
    if "T" not in raw and " " not in raw:
        # A bare date (the W3C note allows it): midnight where the reports are handled.
        return datetime.combine(parsed.date(), time(0), tzinfo=local_timezone())
    if parsed.tzinfo is None:
        raise Open311Error(400, _("%(name)s needs a time zone (Z or an offset).", name=name))
    return parsed


def _comma_list(name: str) -> tuple[str, ...] | None:
    values = tuple(v.strip() for v in _single(name).split(",") if v.strip())
    return values or None


def _positive_int(name: str, default: int, maximum: int) -> int:
    raw = _single(name)
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Open311Error(
            400, _("%(name)s must be a whole number from 1 to %(max)s.", name=name, max=maximum)
        )
    return int(raw)


def _search() -> public.RequestSearch:
    """Read GET requests' filters, with the spec's defaults and limits."""
    page = _positive_int("page", 1, 1_000_000)
    page_size = _positive_int("page_size", MAX_ROWS, MAX_ROWS)
    ids = _comma_list("service_request_id")
    if ids is not None:
        # People paste numbers with spaces or dashes; the digits are what identify a report.
        ids = tuple(clean_tracking_number(i) for i in ids)
    now = utcnow()
    if ids is not None:
        if len(ids) > MAX_IDS:
            raise Open311Error(
                400, _("Ask for at most %(max)s service_request_id at once.", max=MAX_IDS)
            )
        return public.RequestSearch(
            start=now, end=now, tracking_numbers=ids, limit=page_size,
            offset=(page - 1) * page_size,
        )
    codes = _comma_list("service_code")
    if codes is not None:
        unknown = public.unknown_category_codes(codes)
        if unknown:
            raise Open311Error(404, _("service_code %(code)s was not found.", code=unknown[0][:40]))
    statuses = _comma_list("status")
    if statuses is not None and not set(statuses) <= {"open", "closed"}:
        raise Open311Error(400, _("status must be open or closed."))
    start, end = _parse_instant("start_date"), _parse_instant("end_date")
    if start is not None and end is not None:
        if end < start:
            raise Open311Error(400, _("end_date is before start_date."))
        if end - start > MAX_WINDOW:
            raise Open311Error(400, _("start_date and end_date may be at most 90 days apart."))
    elif start is not None:
        end = start + MAX_WINDOW
    elif end is not None:
        start = end - MAX_WINDOW
    else:
        start, end = now - MAX_WINDOW, now
    return public.RequestSearch(
        start=start,
        end=end,  # type: ignore[arg-type] - every branch above sets it
        category_codes=codes,
        statuses=frozenset(statuses) if statuses is not None else None,
        limit=page_size,
        offset=(page - 1) * page_size,
    )


@blueprint.get("/requests.<any(xml, json):fmt>")
def list_requests(fmt: str) -> ResponseReturnValue:
    """List public requests: a 90-day window, newest first, at most 1,000 a page."""
    rows = public.search(_search(), _locale())
    return _render("service_requests", Items("request", [_request_document(r) for r in rows]))


@blueprint.get("/requests/<name>")
def get_request(name: str) -> ResponseReturnValue:
    """Show one public request (a list of one, as the spec has it)."""
    tracking_number, _fmt = _split(name)
    report = public.get_public(tracking_number, _locale(), with_events=False)
    return _render("service_requests", Items("request", [_request_document(report)]))


@blueprint.get("/tokens/<name>")
def get_token(name: str) -> ResponseReturnValue:
    """Turn a token into its request id: our tokens are the tracking numbers themselves."""
    token, _fmt = _split(name)
    try:
        tracking_number = public.exists_public(token)
    except ServiceError:
        raise Open311Error(404, _("token %(token)s was not found.", token=token[:40])) from None
    return _render(
        "service_requests",
        Items("request", [{"service_request_id": tracking_number, "token": tracking_number}]),
    )


def _location() -> tuple[str | None, str | None, str | None, str | None]:
    """Return lat, long, address and region code of a POST; at least one location is needed."""
    lat, lon = _single("lat"), _single("long")
    if bool(lat) != bool(lon):
        raise Open311Error(400, _("Send lat and long together."))
    address = _single("address_string")[:FIELD_MAX] or None
    address_id = _single("address_id")
    if not (lat or address or address_id):
        raise Open311Error(
            400, _("A location is required: lat and long, address_string or address_id.")
        )
    region_code = None
    if address_id:
        # address_id is a region code: the finest address registry the project keeps.
        if db.session.get(Region, address_id[:20]) is None:
            raise Open311Error(
                400, _("address_id %(id)s is not a known region code.", id=address_id[:20])
            )
        region_code = address_id[:20]
    return lat or None, lon or None, address, region_code


@blueprint.post("/requests.<any(xml, json):fmt>")
def create_request(fmt: str) -> ResponseReturnValue:
    """File a report from an Open311 client holding an API key; answer its tracking number."""
    if api_clients.verify_key(_single("api_key")) is None:
        raise Open311Error(403, _("A valid api_key is required to create requests."))
    code = _single("service_code")
    if not code:
        raise Open311Error(400, _("service_code is required."))
    service = public.service(code, _locale())  # NotFound: 404, as the spec has it
    lat, lon, address, region_code = _location()
    description = without_nul(request.form.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(
            400, _("description is longer than %(max)s characters.", max=DESCRIPTION_MAX)
        )
    name = " ".join(p for p in (_single("first_name"), _single("last_name")) if p)[:FIELD_MAX]
    # device_id, account_id, media_url and attribute[...] are accepted and not kept: see docs.
    filed = file_report(
        description=description,
        channel=Channel.OPEN311,
        language=_locale(),
        category_code=service.code,
        region_code=region_code,
        address=address,
        latitude=lat,
        longitude=lon,
        name=name or None,
        phone=_single("phone")[:FIELD_MAX] or None,
        email=_single("email")[:FIELD_MAX] or None,
    )
    notice = _(
        "Report filed. It will be screened within %(days)s working days.",
        days=public.verification_days(),
    )
    document = Items(
        "request",
        [
            {
                "service_request_id": filed.report.tracking_number,
                "service_notice": notice,
                "account_id": None,
            }
        ],
    )
    return _render("service_requests", document, 201)


@blueprint.route(
    "/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
)
@blueprint.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> ResponseReturnValue:
    """Answer any other address under the base URL with the protocol's 404 (or 405)."""
    allowed = other_methods("open311.unknown")
    if allowed:
        response = _error_response(405, _("Use %(methods)s here.", methods=" or ".join(allowed)))
        response.headers["Allow"] = ", ".join(allowed)
        return response
    return _error_response(404, _("There is no such resource."))
