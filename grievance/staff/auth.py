"""Logging staff in and out."""

from __future__ import annotations

import secrets

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from grievance.settings import SUPPORTED_LOCALES
from grievance.staff.access import is_safe_next
from grievance.staff.authentication import LOCK_MINUTES, MAX_FAILURES, LoginRefused, authenticate

blueprint = Blueprint("auth", __name__)


def _next_target() -> str | None:
    target = request.values.get("next")
    return target if is_safe_next(target) else None


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form; on POST check the password and start a fresh session."""
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(_next_target() or url_for("staff.home"))
        return render_template("staff/login.html", next=_next_target(), email="")
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[:1024]
    try:
        user = authenticate(email, password, request.remote_addr or "unknown")
    except LoginRefused as refused:
        if refused.throttled:
            message = gettext(
                "Too many failed logins from your network. Try again in a few minutes."
            )
            status = 429
        else:
            message = gettext(
                "The email or password is wrong. After %(count)s failed attempts an account is "
                "locked for %(minutes)s minutes.",
                count=MAX_FAILURES,
                minutes=LOCK_MINUTES,
            )
            status = 401
        page = render_template("staff/login.html", next=_next_target(), email=email, error=message)
        return page, status
    target = _next_target()
    language = session.get("lang")
    # A new session on login: nothing planted in the old one (fixation) survives.
    session.clear()
    # Expires with PERMANENT_SESSION_LIFETIME (a working day), checked on the signed cookie too.
    session.permanent = True
    session["sid"] = secrets.token_urlsafe(16)
    session["lang"] = language if language in SUPPORTED_LOCALES else user.language
    login_user(user, remember=False)
    return redirect(target or url_for("staff.home"), 303)


@blueprint.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session."""
    language = session.get("lang")
    logout_user()
    session.clear()
    if language in SUPPORTED_LOCALES:
        session["lang"] = language
    return redirect(url_for("staff.auth.login"), 303)
