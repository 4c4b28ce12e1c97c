"""Renderings shared by the public outputs: datetimes, Open311 XML and its Spark-convention JSON.

An Open311 document is built once as plain data: dicts (elements with children, in order),
`Items` (a repeated child element, e.g. ``<service>`` under ``<services>``), and scalars. The XML
renders it with its element names; the JSON drops the root element and turns `Items` into arrays
(the Spark convention GeoReport v2 names), so both formats always say the same thing.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
XML_MIMETYPE = "text/xml; charset=utf-8"
JSON_MIMETYPE = "application/json; charset=utf-8"

# Characters XML 1.0 cannot carry at all (C0 controls but tab, newline and carriage return;
# lone surrogates; U+FFFE and U+FFFF). Free text from reporters may hold them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Items:
    """A list rendered as repeated `tag` elements in XML and as an array in JSON."""

    tag: str
    values: list[Any]


def local_timezone() -> ZoneInfo:
    """Return the deployment's time zone."""
    return ZoneInfo(current_app.config["GRIEVANCE_SETTINGS"].timezone)


def iso(instant: datetime | None) -> str | None:
    """Return an instant in ISO 8601 with the deployment's offset, to the second; None stays."""
    if instant is None:
        return None
    return instant.astimezone(local_timezone()).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value) or ""
    return _XML_INVALID.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, Items):
        for item in value.values:
            _fill(ET.SubElement(element, value.tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, document: Any) -> str:
    """Render a document as XML under a root element, with the declaration, no namespace."""
    element = ET.Element(root)
    _fill(element, document)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _plain(child) for name, child in value.items()}
    if isinstance(value, Items):
        return [_plain(item) for item in value.values]
    if isinstance(value, datetime):
        return iso(value)
    return value


def to_json(document: Any) -> str:
    """Render a document as JSON by the Spark convention (root dropped, lists as arrays)."""
    return json.dumps(_plain(document), ensure_ascii=False)


def other_methods(own_endpoint: str) -> list[str]:
    """Return the methods another route answers at this request's path (for a 405's Allow)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _args = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != own_endpoint:
            allowed.append(method)
    return allowed


def without_nul(value: str) -> str:
    """Drop NUL characters, which PostgreSQL text cannot hold (and nobody means to send)."""
    return value.replace("\x00", "")


def photo_url(tracking_number: str, published: bool) -> str | None:
    """Return the public URL of a report's photo, when it is published and the web serves it."""
    if not published or "web.public_photo" not in current_app.view_functions:
        return None
    base = current_app.config["GRIEVANCE_SETTINGS"].public_base_url
    return base + url_for("web.public_photo", tracking=tracking_number)
