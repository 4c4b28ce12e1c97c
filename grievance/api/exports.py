"""Open data at /open-data/: a landing page with the data dictionary, and streamed exports.

The exports stream rows as they are read (keyset batches in `services.public.export_rows`), so
a multi-million-row history costs the server a batch of memory, not the whole table. Rows are
what `services.public` makes public: no reporter identity, no confidential report, the region
as the only location.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

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
from flask_babel import get_locale
from flask_babel import gettext as _

from grievance.api.formats import iso, local_timezone
from grievance.services import public

blueprint = Blueprint("open_data", __name__, url_prefix="/open-data", template_folder="templates")

# Spreadsheet programs run a cell starting with these as a formula ("CSV injection"); the
# free-text columns get a leading apostrophe when they start with one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FREE_TEXT = frozenset({"title", "description"})
LICENSE = "CC-BY-4.0"


class BadFilter(ValueError):
    """A filter value that cannot be read; the message is translated."""


def _locale() -> str:
    return str(get_locale() or "en")


def _date(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(_("%(name)s must be a date like 2026-01-31.", name=name)) from None


def _window() -> tuple[datetime | None, datetime | None, str]:
    """Return the [start, end) instants of ?from= and ?to= (inclusive local dates) and a label."""
    first, last = _date("from"), _date("to")
    if first is not None and last is not None and last < first:
        raise BadFilter(_("to is before from."))
    zone = local_timezone()
    start = datetime.combine(first, time(0), tzinfo=zone) if first is not None else None
    end = (
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
        if last is not None
        else None
    )
    label = f"{first.isoformat() if first else 'start'}_{last.isoformat() if last else 'now'}"
    return start, end, label


def _bad_filter(exc: BadFilter) -> Response:
    return Response(str(exc) + "\n", status=400, content_type="text/plain; charset=utf-8")


def _csv_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value) or ""
    text = str(value)
    if name in _FREE_TEXT and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _json_value(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def _download(body: Iterator[str], mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(body), content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The rows change as reports move; caches may keep a copy briefly, never forever.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blueprint.get("/")
def index() -> ResponseReturnValue:
    """Show what is published, the data dictionary and the download links."""
    return render_template(
        "api/open_data.html",
        columns=public.EXPORT_COLUMNS,
        first=request.args.get("from", ""),
        last=request.args.get("to", ""),
    )


@blueprint.get("/dictionary.json")
def dictionary() -> ResponseReturnValue:
    """Serve the data dictionary as a Frictionless Table Schema."""
    base = current_app.config["GRIEVANCE_SETTINGS"].public_base_url
    fields = []
    for column in public.EXPORT_COLUMNS:
        field: dict[str, Any] = {
            "name": column.name,
            "type": column.type,
            "description": _(column.description),
            "constraints": {"required": not column.nullable},
        }
        if column.values:
            field["constraints"]["enum"] = list(column.values)
        fields.append(field)
    return {
        "fields": fields,
        "primaryKey": "tracking_number",
        "missingValues": [""],
        "license": LICENSE,
        "resources": {
            "csv": base + url_for("open_data.reports_csv"),
            "json": base + url_for("open_data.reports_json"),
        },
    }


@blueprint.get("/reports.csv")
def reports_csv() -> ResponseReturnValue:
    """Stream the public reports filed in the chosen dates as CSV (UTF-8, header row)."""
    try:
        start, end, label = _window()
    except BadFilter as exc:
        return _bad_filter(exc)
    names = [c.name for c in public.EXPORT_COLUMNS]
    locale = _locale()

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(names)
        for row in public.export_rows(start, end, locale):
            writer.writerow([_csv_value(name, row[name]) for name in names])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return _download(generate(), "text/csv; charset=utf-8", f"reports_{label}.csv")


@blueprint.get("/reports.json")
def reports_json() -> ResponseReturnValue:
    """Stream the public reports filed in the chosen dates as one JSON array."""
    try:
        start, end, label = _window()
    except BadFilter as exc:
        return _bad_filter(exc)
    locale = _locale()

    def generate() -> Iterator[str]:
        yield "["
        separator = "\n"
        for row in public.export_rows(start, end, locale):
            data = {name: _json_value(value) for name, value in row.items()}
            yield separator + json.dumps(data, ensure_ascii=False)
            separator = ",\n"
        yield "\n]\n"

    return _download(generate(), "application/json; charset=utf-8", f"reports_{label}.json")
