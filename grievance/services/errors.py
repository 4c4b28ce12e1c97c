"""Errors services raise; each carries a translatable message for the user."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A request the service refuses; nothing was changed.

    `message` is an untranslated msgid marked with N_(); callers translate it with gettext and
    format it with `params`, so the same error reads right in SMS, USSD, web and API.
    """

    status = 400
    code = "invalid"

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class NotFound(ServiceError):
    """The thing asked for does not exist (or is not visible to the asker)."""

    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    """The actor may not do this."""

    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    """Someone else changed the report first; reload and try again."""

    status = 409
    code = "conflict"


def N_(message: str) -> str:
    """Mark a message for translation without translating it now."""
    return message


class Invalid(ServiceError):
    """An input is wrong; `field` names it so a form can show the message beside it."""

    code = "invalid"

    def __init__(self, field: str, message: str, **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field
