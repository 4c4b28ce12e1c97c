"""Security headers and the staff user loader."""

from __future__ import annotations

from flask import Flask, Response

from grievance.extensions import db, login_manager
from grievance.models import StaffUser

# No inline scripts anywhere: pages work without JavaScript, so a strict policy costs nothing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """Load a staff user for Flask-Login; unknown or disabled users are logged out."""
    if not user_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    return user if user is not None and user.active else None


def _add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"
    )
    return response


def init_app(app: Flask) -> None:
    """Add security headers to every response; HSTS when served over https."""
    login_manager.session_protection = "strong"
    app.after_request(_add_headers)
    if app.config["PREFERRED_URL_SCHEME"] == "https":

        @app.after_request
        def strict_transport(response: Response) -> Response:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
