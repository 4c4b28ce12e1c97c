"""Fixtures of the USSD channel tests: shared with the other phone channel."""

from tests.channels.phone_support import app, text_app, transport, twilio, ussd  # noqa: F401 - fixtures
