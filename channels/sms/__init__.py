"""SMS intake by Twilio: the inbound webhook and the delivery-status callback.

Both endpoints are called by Twilio, never by a browser: they are exempt from CSRF and proven by
Twilio's signature instead, computed over the PUBLIC URL (PUBLIC_BASE_URL + path + query), since
behind a proxy the request's own host is not the one Twilio signed. Unsigned or badly signed
requests get 403 and change nothing. Outbound messages go through the outbox
(`grievance.notifications`), which points Twilio's status callback at `/channels/sms/twilio/status`.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Flask, Response, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from channels.sms.conversation import receive
from channels.sms.delivery_status import record_status
from channels.sms.grammar import clean_text
from grievance.extensions import csrf

logger = logging.getLogger(__name__)

blueprint = Blueprint("sms", __name__, url_prefix="/channels/sms")

SIGNATURE_HEADER = "X-Twilio-Signature"
# Twilio's SIDs are two letters and 32 hex digits; allow some slack, never odd characters.
SID_PATTERN = re.compile(r"[A-Za-z0-9_-]{2,64}")


def public_url() -> str:
    """Return the URL Twilio called: the public base URL, this path and the query as sent."""
    settings = current_app.config["GRIEVANCE_SETTINGS"]
    url = settings.public_base_url + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


def signed_by_twilio() -> bool:
    """Tell whether the request carries a valid Twilio signature for our auth token."""
    token = current_app.config["GRIEVANCE_SETTINGS"].twilio_auth_token
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not token:
        logger.warning("Twilio request refused: TWILIO_AUTH_TOKEN is not configured")
        return False
    if not signature:
        return False
    return bool(RequestValidator(token).validate(public_url(), request.form, signature))


def _forbidden() -> Response:
    return Response("Forbidden: not signed by Twilio\n", status=403, mimetype="text/plain")


def _twiml(text: str) -> Response:
    answer = MessagingResponse()
    if text:
        answer.message(text)
    return Response(str(answer), mimetype="text/xml")


@blueprint.post("/twilio")
def twilio_inbound() -> Response:
    """Answer an inbound SMS with TwiML, once per MessageSid."""
    if not signed_by_twilio():
        return _forbidden()
    sid = request.form.get("MessageSid") or request.form.get("SmsMessageSid") or ""
    if not SID_PATTERN.fullmatch(sid):
        return Response("Bad request: no valid MessageSid\n", status=400, mimetype="text/plain")
    reply = receive(
        sid,
        clean_text(request.form.get("From", "")),
        request.form.get("Body", ""),
        request.form.get("OptOutType"),
    )
    return _twiml(reply)


@blueprint.post("/twilio/status")
def twilio_status() -> Response:
    """Record a delivery status Twilio reports for a message we sent."""
    if not signed_by_twilio():
        return _forbidden()
    sid = request.form.get("MessageSid", "")
    if SID_PATTERN.fullmatch(sid):
        record_status(
            sid,
            clean_text(request.form.get("MessageStatus", "")),
            clean_text(request.form.get("ErrorCode", "")) or None,
        )
    return Response(status=204)


def init_app(app: Flask) -> None:
    """Register the SMS webhook and the delivery-status callback."""
    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)
