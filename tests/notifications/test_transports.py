"""Transports: which one an app uses, and how Twilio's answers map to retry or give up."""

from __future__ import annotations

import io
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from twilio.base.exceptions import TwilioRestException

from grievance.notifications.transports import (
    TRANSPORT_EXTENSION,
    ConsoleTransport,
    PermanentTransportError,
    RecordingTransport,
    TransportError,
    TwilioTransport,
    transport_for,
)

TWILIO = {
    "twilio_account_sid": "AC" + "0123456789abcdef" * 2,
    "twilio_auth_token": "test-auth-token",
    "twilio_from_number": "+15005550006",
}


class FakeMessages:
    """Stands in for client.messages: records create() calls, or raises a given error."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def create(self, **options: Any) -> SimpleNamespace:
        """Record the call and return a message with a SID, or raise."""
        self.calls.append(options)
        if self.error is not None:
            raise self.error
        return SimpleNamespace(sid="SM" + "f" * 32)


def _twilio(messages: FakeMessages) -> TwilioTransport:
    return TwilioTransport(
        TWILIO["twilio_account_sid"],
        TWILIO["twilio_auth_token"],
        TWILIO["twilio_from_number"],
        client=SimpleNamespace(messages=messages),
    )


def test_twilio_transport_sends_with_status_callback() -> None:
    messages = FakeMessages()
    ref = _twilio(messages).send("sms", "+6281234567890", "halo", "https://x.example/cb")
    assert ref == "SM" + "f" * 32
    assert messages.calls == [
        {
            "to": "+6281234567890",
            "from_": "+15005550006",
            "body": "halo",
            "status_callback": "https://x.example/cb",
        }
    ]


def test_twilio_bad_request_is_permanent() -> None:
    error = TwilioRestException(400, "https://api.twilio.com", "invalid 'To'", code=21211)
    with pytest.raises(PermanentTransportError, match="21211"):
        _twilio(FakeMessages(error)).send("sms", "+100", "halo", None)


def test_twilio_server_error_is_retryable() -> None:
    error = TwilioRestException(503, "https://api.twilio.com", "unavailable")
    with pytest.raises(TransportError) as raised:
        _twilio(FakeMessages(error)).send("sms", "+6281234567890", "halo", None)
    assert not isinstance(raised.value, PermanentTransportError)


def test_console_transport_prints() -> None:
    stream = io.StringIO()
    ref = ConsoleTransport(stream).send("sms", "+6281234567890", "halo", None)
    assert ref.startswith("console-")
    assert stream.getvalue() == "[sms to +6281234567890] halo\n"


def test_recording_transport_fails_when_told() -> None:
    transport = RecordingTransport()
    transport.fail_next(1)
    with pytest.raises(TransportError):
        transport.send("sms", "+6281234567890", "a", None)
    assert transport.send("sms", "+6281234567890", "b", None) == "rec-1"
    assert [message.body for message in transport.sent] == ["b"]


def test_console_without_twilio_settings(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    del app.extensions[TRANSPORT_EXTENSION]
    assert isinstance(transport_for(app, "sms"), ConsoleTransport)
    assert isinstance(transport_for(app, "email"), ConsoleTransport)


def test_twilio_for_sms_when_configured_console_for_email(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(**TWILIO)
    del app.extensions[TRANSPORT_EXTENSION]
    sms = transport_for(app, "sms")
    assert isinstance(sms, TwilioTransport)
    assert transport_for(app, "sms") is sms
    assert isinstance(transport_for(app, "email"), ConsoleTransport)


def test_extension_slot_replaces_every_channel(
    app: Flask, transport: RecordingTransport
) -> None:
    assert transport_for(app, "sms") is transport
    assert transport_for(app, "email") is transport
