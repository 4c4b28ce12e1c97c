"""Fixtures and helpers of the SMS and USSD tests (imported by their conftest files).

An app with Twilio configured and a recording transport, a Twilio that signs its requests for
real, and a USSD gateway that keeps its sessions' text as Africa's Talking does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from grievance import create_app, jobs
from grievance.extensions import db
from grievance.notifications.delivery import deliver_due
from grievance.notifications.transports import TRANSPORT_EXTENSION, RecordingTransport
from tests.conftest import clear_tables, make_settings

AUTH_TOKEN = "test-token"
ACCOUNT_SID = "AC" + "0" * 32
OUR_NUMBER = "+15005550006"
PHONE = "+6281234567890"
OTHER_PHONE = "+6281298765432"
PUBLIC_BASE_URL = "https://grievance.example.org"
SMS_PATH = "/channels/sms/twilio"
STATUS_PATH = "/channels/sms/twilio/status"
USSD_PATH = "/channels/ussd"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """Yield a testing app with Twilio credentials and a recording transport, context pushed."""
    settings = make_settings(
        database_url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_from_number=OUR_NUMBER,
        public_base_url=PUBLIC_BASE_URL,
        # Tests read replies in English, whatever the catalogs of other languages hold.
        default_locale="en",
    )
    application = create_app(settings)
    # Twilio is configured, so without this every notification would go to the network.
    application.extensions[TRANSPORT_EXTENSION] = RecordingTransport()
    with application.app_context():
        yield application
        db.session.remove()
        clear_tables()
        db.engine.dispose()
    close_redis(application)


def close_redis(app: Flask) -> None:
    """Close the Redis connection an app opened (jobs, USSD sessions), if any."""
    connection = app.extensions.pop(jobs.REDIS_EXTENSION, None)
    if connection is not None:
        connection.close()


@pytest.fixture(scope="module")
def text_app() -> Iterator[Flask]:
    """Yield an app context for translating texts only: no database, nothing to clean up."""
    application = create_app(
        make_settings("sqlite://", public_base_url=PUBLIC_BASE_URL, default_locale="en")
    )
    with application.app_context():
        yield application


@pytest.fixture
def transport(app: Flask) -> RecordingTransport:
    """Return the transport the app sends through."""
    return app.extensions[TRANSPORT_EXTENSION]


def sent_to(transport: RecordingTransport, phone: str) -> list[str]:
    """Return the bodies of the SMS sent to a number, oldest first (after delivering what is due).

    Jobs are eager under SQLite and PostgreSQL runs; with GRIEVANCE_TEST_REDIS=1 they wait on RQ
    with no worker, so the outbox is delivered here (a no-op when it already was).
    """
    deliver_due()
    return [m.body for m in transport.sent if m.channel == "sms" and m.recipient == phone]


def new_sid(prefix: str = "SM") -> str:
    """Return a fresh Twilio-like SID."""
    return f"{prefix}{uuid.uuid4().hex}"[:34]


@dataclass
class Twilio:
    """Send what Twilio would send, signed with the test auth token."""

    client: FlaskClient
    token: str = AUTH_TOKEN

    def sign(self, path: str, params: dict[str, str], query: str = "") -> str:
        """Return the X-Twilio-Signature of a request to the public URL of `path`."""
        url = PUBLIC_BASE_URL + path + (f"?{query}" if query else "")
        return RequestValidator(self.token).compute_signature(url, params)

    def post(
        self, path: str, params: dict[str, str], *, signature: str | None = None, query: str = ""
    ) -> TestResponse:
        """POST form params to `path`, signed unless a signature is given ("" for none)."""
        sig = self.sign(path, params, query) if signature is None else signature
        headers = {"X-Twilio-Signature": sig} if sig else {}
        url = path + (f"?{query}" if query else "")
        return self.client.post(url, data=params, headers=headers)

    def sms(
        self, body: str, *, sender: str = PHONE, sid: str | None = None, **extra: str
    ) -> TestResponse:
        """Send an inbound SMS."""
        params = {
            "MessageSid": sid or new_sid(),
            "AccountSid": ACCOUNT_SID,
            "From": sender,
            "To": OUR_NUMBER,
            "Body": body,
            "NumMedia": "0",
            **extra,
        }
        return self.post(SMS_PATH, params)

    def text(self, body: str, **kwargs: Any) -> str:
        """Send an inbound SMS and return the text of the TwiML reply ("" for none)."""
        response = self.sms(body, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        return reply_text(response)


def reply_text(response: TestResponse) -> str:
    """Return the message text of a TwiML answer, "" when it sends none."""
    assert response.mimetype == "text/xml"
    root = ElementTree.fromstring(response.get_data())  # noqa: S314 - our own TwiML
    assert root.tag == "Response"
    messages = root.findall("Message")
    assert len(messages) <= 1
    return (messages[0].text or "") if messages else ""


@pytest.fixture
def twilio(app: Flask) -> Twilio:
    """Return a signing Twilio that posts to the app."""
    return Twilio(app.test_client())


@dataclass
class UssdSession:
    """One USSD session as Africa's Talking runs it: `text` accumulates every input with '*'."""

    client: FlaskClient
    phone: str = PHONE
    session_id: str = field(default_factory=lambda: f"ATUid_{uuid.uuid4().hex}")
    service_code: str = "*384*1234#"
    inputs: list[str] = field(default_factory=list)
    path: str = USSD_PATH
    last: str = ""

    @property
    def text(self) -> str:
        """Return the `text` the gateway sends now."""
        return "*".join(self.inputs)

    def post(self, text: str) -> str:
        """POST a screen request with this text; return the response body."""
        response = self.client.post(
            self.path,
            data={
                "sessionId": self.session_id,
                "serviceCode": self.service_code,
                "phoneNumber": self.phone,
                "networkCode": "51010",
                "text": text,
            },
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/plain"
        body = response.get_data(as_text=True)
        assert body.startswith(("CON ", "END ")), body
        assert len(body) <= 182, body
        return body

    def dial(self) -> str:
        """Open the session: the first screen."""
        self.last = self.post("")
        return self.last

    def press(self, value: str) -> str:
        """Enter an input on the current screen and return the next one."""
        self.inputs.append(value)
        self.last = self.post(self.text)
        return self.last

    def replay(self) -> str:
        """Send the last request again, as a gateway retry does."""
        return self.post(self.text)


@pytest.fixture
def ussd(app: Flask) -> Any:
    """Return a factory of USSD sessions against the app."""

    def start(phone: str = PHONE, **kwargs: Any) -> UssdSession:
        return UssdSession(app.test_client(), phone=phone, **kwargs)

    return start
