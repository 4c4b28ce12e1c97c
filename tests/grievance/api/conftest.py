"""Fixtures for the public interfaces: the app with them, an API key, report factories, checkers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask_babel
import pytest
from babel import support as babel_support
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import grievance.api
from grievance import ratelimit
from grievance.services import actions
from grievance.services.admin import create_api_client
from grievance.services.reports import FiledReport, file_report, reporter_by_code
from workflows.states import Channel, Outcome

SCHEMAS = Path(__file__).parent / "schemas"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
# Elements whose children form a list in the Spark convention (XML -> JSON).
LIST_ELEMENTS = frozenset(
    {"services", "service_requests", "errors", "endpoints", "formats", "attributes", "values"}
)


@pytest.fixture
def api_app(app: Flask, world: Any) -> Flask:
    """Return the app with the public interfaces registered, rate limits off."""
    if "open311" not in app.blueprints:
        grievance.api.init_app(app)
    # Limits are tested on their own; elsewhere they would only couple tests to each other.
    app.config[ratelimit.ENABLED_CONFIG_KEY] = False
    return app


class FreshLanguageClient(FlaskClient):
    """A test client whose every request picks its own language.

    Flask-Babel caches the locale on `g`, and the `app` fixture keeps one app context for the
    whole test; outside tests every request has its own context, hence its own language.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Forget the cached locale, then make the request."""
        flask_babel.refresh()
        return super().open(*args, **kwargs)


@pytest.fixture
def api_client(api_app: Flask) -> FlaskClient:
    """Return a test client of the app with the public interfaces."""
    api_app.test_client_class = FreshLanguageClient
    return api_app.test_client()


@pytest.fixture
def api_key(api_app: Flask) -> str:
    """Return a valid Open311 API key."""
    return create_api_client("Test client").key


@pytest.fixture
def filer(api_app: Flask) -> Callable[..., FiledReport]:
    """Return a function filing a report (roads, Kota Bandung, by SMS unless told otherwise)."""

    def file(**overrides: Any) -> FiledReport:
        values: dict[str, Any] = {
            "description": "Jalan berlubang di depan sekolah, berbahaya untuk anak-anak.",
            "channel": Channel.SMS,
            "language": "id",
            "phone": "+6281234567890",
            "region_code": "32.73",
            "category_code": "roads",
        }
        values.update(overrides)
        return file_report(**values)

    return file


@dataclass
class Workflow:
    """Moves reports through the workflow as the world's staff."""

    world: Any

    def dispatch(self, filed: FiledReport) -> None:
        """Screen and dispatch a report to the city."""
        verifier = actions.actor_for(self.world.verifier)
        actions.dispatch(filed.report.id, verifier, agency_id=self.world.city.id)

    def update(self, filed: FiledReport, text: str) -> None:
        """Post a public follow-up as the city's officer."""
        actions.post_update(filed.report.id, actions.actor_for(self.world.officer), text=text)

    def note(self, filed: FiledReport, text: str) -> None:
        """Add an internal note as the city's officer."""
        actions.note(filed.report.id, actions.actor_for(self.world.officer), text=text)

    def close(self, filed: FiledReport, text: str = "Sudah diperbaiki.") -> None:
        """Take a dispatched report to closed (resolved, accepted)."""
        officer = actions.actor_for(self.world.officer)
        if filed.report.first_update_at is None:
            actions.post_update(filed.report.id, officer, text="Tim ke lokasi.")
        actions.respond(filed.report.id, officer, text=text, outcome=Outcome.RESOLVED)
        access = reporter_by_code(filed.report.tracking_number, filed.access_code)
        actions.accept(access, score=4)

    def archive(self, filed: FiledReport, reason: str = "incomplete") -> None:
        """Archive a submitted report."""
        verifier = actions.actor_for(self.world.verifier)
        actions.archive(filed.report.id, verifier, reason=reason)


@pytest.fixture
def workflow(world: Any) -> Workflow:
    """Return the helper that moves reports through the workflow."""
    return Workflow(world)


@pytest.fixture
def conforms(api_client: FlaskClient) -> Callable[[str, Any], None]:
    """Return a check that a body matches a component schema of the served OpenAPI document."""
    document = api_client.get("/api/v1/openapi.json").json

    def check(component: str, body: Any) -> None:
        schema = {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
        errors = list(Draft202012Validator(schema).iter_errors(body))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]

    return check


class _MarkingTranslations(babel_support.NullTranslations):
    """Translations that mark every message with the language asked for."""

    def __init__(self, locale: str) -> None:
        super().__init__()
        self.locale = locale

    def ugettext(self, message: str) -> str:
        """Return the message marked with its language."""
        return f"[{self.locale}] {message}"


@pytest.fixture
def marked_translations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every translated message start with "[<locale>] ", to see which language was used.

    The catalogs are translated at the end of the project; this proves the plumbing now.
    """

    def get_translations(_domain: flask_babel.Domain) -> _MarkingTranslations:
        return _MarkingTranslations(str(flask_babel.get_locale()))

    monkeypatch.setattr(flask_babel.Domain, "get_translations", get_translations)


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text())
        resources.append((path.name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


class Checker:
    """Validates JSON against the schemas in ./schemas and reads XML the Spark way."""

    def __init__(self) -> None:
        self.registry = _registry()

    def validate(self, schema_name: str, document: Any) -> None:
        """Fail unless a document matches the named schema."""
        schema = json.loads((SCHEMAS / f"{schema_name}.json").read_text())
        validator = Draft202012Validator(schema, registry=self.registry)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]

    @staticmethod
    def parse_xml(body: bytes) -> ET.Element:
        """Parse an Open311 XML answer, checking its declaration and the absence of namespaces."""
        assert body.startswith(XML_DECLARATION), body[:60]
        root = ET.fromstring(body)  # noqa: S314 - our own output, in a test
        for element in root.iter():
            assert not element.tag.startswith("{"), f"namespaced element {element.tag}"
        return root

    @classmethod
    def spark(cls, element: ET.Element) -> Any:
        """Convert an element to JSON values by the Spark convention (texts stay strings)."""
        if element.tag in LIST_ELEMENTS:
            return [cls.spark(child) for child in element]
        if len(element):
            return {child.tag: cls.spark(child) for child in element}
        return element.text

    @staticmethod
    def as_text(document: Any) -> Any:
        """Render JSON scalars as XML would carry them, to compare the two formats."""
        if isinstance(document, dict):
            return {k: Checker.as_text(v) for k, v in document.items()}
        if isinstance(document, list):
            return [Checker.as_text(v) for v in document]
        if isinstance(document, bool):
            return "true" if document else "false"
        if document is None or document == "":
            return None
        return str(document)


@pytest.fixture(scope="session")
def checker() -> Checker:
    """Return the schema and XML checker."""
    return Checker()
