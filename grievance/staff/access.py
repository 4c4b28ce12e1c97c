"""What every staff view needs: the current actor, role checks, input parsing, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import abort, request
from flask_babel import gettext
from flask_login import current_user
from flask_login import login_required as _login_required

from grievance.models import StaffUser
from grievance.services import actions
from grievance.services.errors import ServiceError
from workflows.states import Role
from workflows.transitions import Actor

P = ParamSpec("P")
R = TypeVar("R")


def current_staff() -> StaffUser:
    """Return the logged-in staff user (views behind `roles_required` only)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def current_actor() -> Actor:
    """Return the workflow actor of the logged-in staff user."""
    return actions.actor_for(current_staff())


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let a view run only for logged-in staff of these roles (others get 403)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if Role(current_user.role) not in roles:
                abort(403)
            return view(*args, **kwargs)

        return _login_required(wrapper)  # type: ignore[no-any-return]

    return decorator


def error_text(exc: ServiceError) -> str:
    """Return a service error's message in the user's language."""
    return gettext(exc.message, **exc.params)


def form_text(name: str) -> str:
    """Return a form field's text, stripped ('' when absent)."""
    value = request.form.get(name, "")
    return value.strip()


def form_optional_text(name: str) -> str | None:
    """Return a form field's text, or None when it is empty."""
    return form_text(name) or None


def parse_int(raw: str | None) -> int | None:
    """Return a plain decimal integer, or None for anything else (signs, spaces, words)."""
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


def form_int(name: str) -> int | None:
    """Return a form field as an integer, or None when it is empty or not a number."""
    return parse_int(request.form.get(name))


def arg_int(name: str) -> int | None:
    """Return a query-string parameter as an integer, or None."""
    return parse_int(request.args.get(name))


def is_safe_next(target: str | None) -> bool:
    """Tell whether a post-login redirect target is a path on this site (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    # Browsers read a backslash as a slash ("/\\evil.example") and ignore control characters.
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
