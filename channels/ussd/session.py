"""One USSD screen request: load the session's state, apply the newest input, store, answer.

The state is kept server-side by sessionId (`store`), so only the newest input is parsed, against
the screen the caller actually saw; a replayed request (same sessionId, same text) gets the same
screen and does nothing again. Each step's exchanges about the caller's reports go on their trails
(`DatabaseDirectory.record`).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy.exc import IntegrityError

from channels.sms.reporter import contact_for, phone_e164
from channels.ussd import menu, texts
from channels.ussd.directory import DatabaseDirectory
from channels.ussd.store import store_for
from grievance.extensions import db


def in_default(message: str) -> str:
    """Translate a message into the deployment's default language, in plain ASCII."""
    with force_locale(current_app.config["GRIEVANCE_SETTINGS"].default_locale):
        return menu.to_ascii(gettext(message))


def answer(session_id: str, phone: str, text: str, service_code: str) -> str:
    """Answer one screen request of a session with the next screen."""
    store = store_for(current_app)
    state = store.load(session_id)
    settings = current_app.config["GRIEVANCE_SETTINGS"]
    if state is not None and (state.get("phone") != phone):
        return menu.END + in_default(texts.FORBIDDEN)
    if state is not None and (text == state["text"] or state["frame"]["step"] == "done"):
        return str(state["screen"])  # a gateway's retry, or input after the end
    e164 = phone_e164(phone)
    if e164 is None:
        return menu.END + in_default(texts.BAD_PHONE)
    directory = DatabaseDirectory(session_id=session_id, e164=e164, service_code=service_code[:40])
    if state is None:
        if text:
            return menu.END + in_default(texts.EXPIRED)
        contact = contact_for(e164)
        state, screen = menu.begin(
            contact.language if contact else None, settings.default_locale, directory
        )
        state["phone"] = phone
    else:
        state, screen = menu.advance(state, menu.newest_input(state["text"], text), directory)
        directory.record(screen)
    state["text"] = text
    state["screen"] = screen
    try:
        store.save(session_id, phone, state)
    except IntegrityError:
        # The same first request twice at once: the other one's screen stands.
        db.session.rollback()
        stored = store.load(session_id)
        return str(stored["screen"]) if stored else screen
    return screen


def forget(session_id: str) -> None:
    """Drop a session's state (the gateway says it ended)."""
    store_for(current_app).delete(session_id)
