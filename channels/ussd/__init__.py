"""USSD intake (Africa's Talking protocol): one form POST per screen, a text/plain answer.

The gateway POSTs `sessionId`, `serviceCode`, `phoneNumber`, `networkCode` and `text` (every
input so far joined by '*') and shows our "CON ..." (and waits) or "END ..." (and hangs up);
`session.answer` turns one such request into the next screen.

USSD requests carry no signature. When the setting `ussd_token` is configured the endpoint
answers only under `/channels/ussd/<token>` (or with `?token=`); restrict it further to the
aggregator's addresses at the proxy. The end-of-session notification goes to `.../events`.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Flask, Response, current_app, request
from redis.exceptions import RedisError

from channels.sms.grammar import clean_text
from channels.ussd import menu, session, texts
from grievance.extensions import csrf

logger = logging.getLogger(__name__)

blueprint = Blueprint("ussd", __name__, url_prefix="/channels/ussd")

# `text` grows by every input; a whole session's worth stays far below this.
MAX_TEXT_BYTES = 1024
SESSION_ID_MAX = 200
TOKEN_SETTING = "ussd_token"  # noqa: S105 - the name of a setting, not a secret


def _screen(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def authorized(token: str | None) -> bool:
    """Tell whether the request carries the configured shared secret (or none is configured)."""
    expected = current_app.config["GRIEVANCE_SETTINGS"].extra.get(TOKEN_SETTING)
    if not expected:
        return True
    given = token or request.args.get("token") or ""
    return hmac.compare_digest(given.encode(), expected.encode())


@blueprint.post("", defaults={"token": None})
@blueprint.post("/<token>")
def ussd(token: str | None) -> Response:
    """Answer a screen request from the USSD gateway."""
    if not authorized(token):
        return _screen(menu.END + session.in_default(texts.FORBIDDEN), 403)
    session_id = clean_text(request.form.get("sessionId", ""))
    phone = clean_text(request.form.get("phoneNumber", ""))
    raw_text = request.form.get("text", "")
    if not session_id or len(session_id) > SESSION_ID_MAX or not phone:
        return _screen(menu.END + session.in_default(texts.BAD_PHONE), 400)
    if len(raw_text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        return _screen(menu.END + session.in_default(texts.TOO_LONG))
    # Control characters would break the stored state (PostgreSQL refuses NUL); cleaned the same
    # way every time, the text still compares equal on a replay.
    text = clean_text(raw_text)
    try:
        screen = session.answer(session_id, phone, text, request.form.get("serviceCode", ""))
    except RedisError as exc:
        logger.warning("USSD session store unavailable: %s", exc)
        return _screen(menu.END + session.in_default(texts.BUSY))
    return _screen(screen)


@blueprint.post("/events", defaults={"token": None})
@blueprint.post("/<token>/events")
def ussd_events(token: str | None) -> Response:
    """Acknowledge the gateway's end-of-session notification and forget the session's state."""
    if not authorized(token):
        return _screen("Forbidden\n", 403)
    session_id = clean_text(request.form.get("sessionId", ""))
    logger.info(
        "USSD session %s ended: %s after %s ms",
        session_id[:SESSION_ID_MAX],
        clean_text(request.form.get("status", ""))[:32],
        clean_text(request.form.get("durationInMillis", ""))[:16],
    )
    if session_id and len(session_id) <= SESSION_ID_MAX:
        try:
            session.forget(session_id)
        except RedisError as exc:
            logger.warning("USSD session store unavailable: %s", exc)  # the key expires anyway
    return _screen("OK")


def init_app(app: Flask) -> None:
    """Register the USSD endpoint and its end-of-session notification."""
    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)
    settings = app.config["GRIEVANCE_SETTINGS"]
    if settings.production and not settings.extra.get(TOKEN_SETTING):
        logger.warning("USSD endpoint open to anyone: set the ussd_token setting")
