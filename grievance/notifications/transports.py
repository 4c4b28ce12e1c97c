"""Senders of outbound messages, and the choice of one per app and channel.

SMS goes through Twilio when its three settings are configured, otherwise to the console (the
embedded default). Email has no real transport yet: it always goes to the console. Tests put a
``RecordingTransport`` in ``app.extensions[TRANSPORT_EXTENSION]``, which then serves every channel.
"""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from flask import Flask

logger = logging.getLogger(__name__)

# Set this slot to a Transport to replace every channel's transport (tests).
TRANSPORT_EXTENSION = "grievance.transport"
_CACHE_EXTENSION = "grievance.transports"
# Twilio answers in well under a second; a hung connection must not hold the delivery lease.
TWILIO_TIMEOUT_SECONDS = 15.0


class TransportError(Exception):
    """Sending failed; trying again later may succeed."""


class PermanentTransportError(TransportError):
    """Sending failed in a way retrying cannot fix (an invalid or unreachable number)."""


class Transport(Protocol):
    """Something that sends a message and returns the provider's reference for it."""

    def send(
        self, channel: str, recipient: str, body: str, status_callback_url: str | None
    ) -> str:
        """Send `body` to `recipient`; return the provider's message id or raise TransportError."""
        ...


class ConsoleTransport:
    """Write messages to a stream and the log instead of sending them (development, no Twilio)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(
        self, channel: str, recipient: str, body: str, status_callback_url: str | None
    ) -> str:
        """Print the message and return a made-up reference."""
        ref = f"console-{uuid.uuid4().hex}"
        logger.info("%s to %s (%s): %s", channel, recipient, ref, body)
        # Looked up at send time so pytest's capture (which swaps sys.stdout) sees it.
        print(f"[{channel} to {recipient}] {body}", file=self._stream or sys.stdout)
        return ref


class TwilioTransport:
    """Send SMS with Twilio's Messages API."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        timeout: float = TWILIO_TIMEOUT_SECONDS,
        client: Any = None,
    ) -> None:
        # `client` lets tests stand in for twilio.rest.Client without patching the library.
        if client is None:
            from twilio.http.http_client import TwilioHttpClient
            from twilio.rest import Client

            client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
        self._client = client
        self._from = from_number

    def send(
        self, channel: str, recipient: str, body: str, status_callback_url: str | None
    ) -> str:
        """Create the message at Twilio and return its SID."""
        from twilio.base.exceptions import TwilioRestException

        options: dict[str, Any] = {"to": recipient, "from_": self._from, "body": body}
        if status_callback_url:
            options["status_callback"] = status_callback_url
        try:
            message = self._client.messages.create(**options)
        except TwilioRestException as exc:
            error = f"twilio {exc.status} {exc.code}: {exc.msg}"
            # 400 is Twilio's answer for a bad or unreachable recipient (21211, 21614, 21610
            # unsubscribed...): the same request will fail again. Anything else may pass later.
            if exc.status == 400:
                raise PermanentTransportError(error) from exc
            raise TransportError(error) from exc
        return str(message.sid)


@dataclass(frozen=True)
class SentMessage:
    """A message a RecordingTransport accepted."""

    channel: str
    recipient: str
    body: str
    status_callback_url: str | None
    provider_ref: str


class RecordingTransport:
    """Keep sent messages in a list instead of sending them (tests); can be told to fail."""

    def __init__(self) -> None:
        self.sent: list[SentMessage] = []
        self._failures = 0
        self._permanent = False
        self._lock = threading.Lock()

    def fail_next(self, times: int = 1, *, permanent: bool = False) -> None:
        """Make the next `times` sends raise (PermanentTransportError if `permanent`)."""
        with self._lock:
            self._failures = times
            self._permanent = permanent

    def send(
        self, channel: str, recipient: str, body: str, status_callback_url: str | None
    ) -> str:
        """Record the message, or raise if told to fail."""
        with self._lock:
            if self._failures > 0:
                self._failures -= 1
                if self._permanent:
                    raise PermanentTransportError("recording transport: permanent failure")
                raise TransportError("recording transport: simulated failure")
            ref = f"rec-{len(self.sent) + 1}"
            self.sent.append(SentMessage(channel, recipient, body, status_callback_url, ref))
            return ref


def transport_for(app: Flask, channel: str = "sms") -> Transport:
    """Return the transport that sends `channel` messages for this app."""
    override: Transport | None = app.extensions.get(TRANSPORT_EXTENSION)
    if override is not None:
        return override
    cache: dict[str, Transport] = app.extensions.setdefault(_CACHE_EXTENSION, {})
    transport = cache.get(channel)
    if transport is None:
        settings = app.config["GRIEVANCE_SETTINGS"]
        if channel == "sms" and settings.twilio_configured:
            transport = TwilioTransport(
                settings.twilio_account_sid,
                settings.twilio_auth_token,
                settings.twilio_from_number,
            )
        else:
            # Email included, for now: there is no mail transport yet.
            transport = ConsoleTransport()
        cache[channel] = transport
    return transport
