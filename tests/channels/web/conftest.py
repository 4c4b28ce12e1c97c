"""Fixtures of the citizen web tests: a client without CSRF, photos in a temporary folder."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from grievance import create_app, ratelimit, uploads
from grievance.extensions import db
from tests.conftest import clear_tables, make_settings

PRIVATE_LINK = re.compile(r"/r/(\d{10})/([A-Za-z0-9_-]+)")


def _image(kind: str, exif: bytes | None = None) -> bytes:
    """Return a small real image of a format (photos are decoded and re-encoded on upload)."""
    out = io.BytesIO()
    picture = Image.new("RGB", (24, 16), (200, 120, 40))
    options: dict[str, Any] = {"exif": exif} if exif else {}
    picture.save(out, format=kind, **options)
    return out.getvalue()


def _exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "Siti Rahayu"  # Artist: the owner's name
    exif[0x8825] = {1: "S", 2: (6.0, 54.0, 52.0), 3: "E", 4: (107.0, 36.0, 35.0)}  # GPS
    return exif.tobytes()


JPEG = _image("JPEG")
JPEG_WITH_GPS = _image("JPEG", _exif_with_gps())
PNG = _image("PNG")
WEBP = _image("WEBP")
# Starts like a JPEG, is not one: the first bytes are a claim, decoding is the proof.
FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


class BrowserLikeClient(FlaskClient):
    """A test client whose requests run as they do in production: over https, each in an app
    context of its own (its own `g` and database session), not in the test's long-lived one."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Run one request in a fresh app context, then forget what the test's session cached."""
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", "https://localhost")
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """Yield a testing app with only the web channel (these tests test it alone)."""
    application = create_app(make_settings(database_url, channels=("web",)))
    application.test_client_class = BrowserLikeClient
    with application.app_context():
        yield application
        db.session.remove()
        clear_tables()
        db.engine.dispose()


@pytest.fixture
def web(app: Flask, tmp_path: Path) -> Iterator[FlaskClient]:
    """Return a test client with CSRF off, fresh rate limits and photos under tmp_path."""
    app.config["WTF_CSRF_ENABLED"] = False
    app.config[uploads.UPLOADS_CONFIG_KEY] = str(tmp_path / "uploads")
    ratelimit.reset(app)
    yield app.test_client()
    ratelimit.reset(app)


@pytest.fixture
def samples() -> dict[str, bytes]:
    """Return file contents by kind: photos that pass the check, and files that must not."""
    return {
        "jpeg": JPEG,
        "jpeg_gps": JPEG_WITH_GPS,
        "png": PNG,
        "webp": WEBP,
        "fake_jpeg": FAKE_JPEG,
        "pdf": PDF,
        "exe": EXE,
    }


def _report_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "classification": "complaint",
        "category": "roads",
        "region": "32.73",
        "title": "Lubang di Jalan Braga",
        "description": "Ada lubang besar di Jalan Braga dekat nomor 12, berbahaya bagi motor.",
        "address": "Jalan Braga 12",
        "latitude": "",
        "longitude": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def report_form() -> Callable[..., dict[str, Any]]:
    """Return a factory of valid filing forms, some values replaced (None drops a field)."""
    return _report_form


@pytest.fixture
def file_on_web(web: FlaskClient, world: Any) -> Callable[..., tuple[str, str]]:
    """Return a function that files a report through the form: (tracking number, access code)."""

    def file(**overrides: Any) -> tuple[str, str]:
        response = web.post("/report/new", data=_report_form(**overrides))
        assert response.status_code == 200, response.text
        match = PRIVATE_LINK.search(response.text)
        assert match is not None
        return match.group(1), match.group(2)

    return file


class Staff:
    """Move reports through the workflow the way staff do, through the services."""

    def __init__(self, world: Any) -> None:
        self.world = world

    def report(self, tracking: str) -> Any:
        """Return the report with this tracking number."""
        from grievance.services.reports import find_by_tracking_number

        return find_by_tracking_number(tracking)

    def dispatch(self, tracking: str) -> Any:
        """Screen the report in and send it to the city."""
        from grievance.services import actions

        report = self.report(tracking)
        return actions.dispatch(
            report.id, actions.actor_for(self.world.verifier), agency_id=self.world.city.id
        )

    def defer(self, tracking: str, question: str) -> Any:
        """Ask the reporter a question at screening."""
        from grievance.services import actions

        report = self.report(tracking)
        return actions.defer(report.id, actions.actor_for(self.world.verifier), question=question)

    def update(self, tracking: str, text: str = "Tim sudah meninjau lokasi.") -> Any:
        """Post a public update as the city's officer."""
        from grievance.services import actions

        report = self.report(tracking)
        return actions.post_update(report.id, actions.actor_for(self.world.officer), text=text)

    def note(self, tracking: str, text: str) -> Any:
        """Add an internal note as the city's officer."""
        from grievance.services import actions

        report = self.report(tracking)
        return actions.note(report.id, actions.actor_for(self.world.officer), text=text)

    def respond(
        self, tracking: str, text: str = "Lubang sudah ditambal.", outcome: str = "resolved"
    ) -> Any:
        """Post the resolution as the city's officer."""
        from grievance.services import actions

        report = self.report(tracking)
        return actions.respond(
            report.id, actions.actor_for(self.world.officer), text=text, outcome=outcome
        )

    def answered(self, tracking: str) -> Any:
        """Take a filed report all the way to an answer waiting for the reporter."""
        self.dispatch(tracking)
        self.update(tracking)
        return self.respond(tracking)


@pytest.fixture
def staff(world: Any) -> Staff:
    """Return the staff helper on the test's world."""
    return Staff(world)
