"""Typed, frozen settings read once from the environment.

Every value has a safe embedded default (SQLite in the instance folder, jobs in-process, console
SMS) except where production needs a real one: with ``GRIEVANCE_ENV=production`` the embedded
secret key and the embedded database are refused. Any invalid value is a startup error that names
its variable, so a typo in a deployment fails loudly instead of running half-configured.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

# Used only when nothing is configured; production refuses to start with it.
EMBEDDED_SECRET_KEY = "embedded-development-key-never-use-in-production"  # noqa: S105

KNOWN_CHANNELS = ("web", "sms", "ussd")
# Optional, free-form settings of the channels and APIs: environment variable -> key in `extra`.
EXTRA_VARIABLES = {
    "GRIEVANCE_USSD_CODE": "ussd_code",
    "GRIEVANCE_USSD_TOKEN": "ussd_token",
    "GRIEVANCE_OPEN311_JURISDICTION": "jurisdiction_id",
    "GRIEVANCE_OPEN311_CONTACT": "open311_contact",
    "GRIEVANCE_OPEN311_KEY_SERVICE": "open311_key_service",
}
SUPPORTED_LOCALES = ("en", "id", "fr", "es", "sw")
ENVIRONMENTS = ("development", "production", "testing")


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, validated."""

    environment: str = "development"
    database_url: str | None = None  # None: SQLite file in the instance folder
    redis_url: str | None = None  # None: jobs run in-process
    secret_key: str = EMBEDDED_SECRET_KEY
    public_base_url: str = "http://localhost:5000"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    channels: tuple[str, ...] = KNOWN_CHANNELS
    default_locale: str = "id"
    timezone: str = "Asia/Jakarta"
    redis_prefix: str = "grievance:"
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host; 0: none.
    # Client addresses (rate limits) and https detection come from those headers only when set.
    trusted_proxies: int = 0
    # Run the SLA sweep and other periodic jobs in a thread of the web process; only sensible
    # for the embedded single-process server, never with RQ workers.
    in_process_ticker: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        """Tell whether this is a production deployment."""
        return self.environment == "production"

    @property
    def twilio_configured(self) -> bool:
        """Tell whether outbound SMS goes through Twilio rather than the console."""
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with some values replaced, validated again."""
        return validate(replace(self, **changes))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build and validate settings from environment variables."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() else None

        environment = get("GRIEVANCE_ENV") or "development"
        redis_url = get("REDIS_URL")
        channels_raw = get("GRIEVANCE_CHANNELS")
        channels = (
            tuple(c.strip().lower() for c in channels_raw.split(",") if c.strip())
            if channels_raw is not None
            else KNOWN_CHANNELS
        )
        ticker_raw = get("GRIEVANCE_IN_PROCESS_TICKER")
        proxies_raw = get("GRIEVANCE_TRUSTED_PROXIES") or "0"
        if not proxies_raw.isdigit() or int(proxies_raw) > 5:
            raise SettingsError("GRIEVANCE_TRUSTED_PROXIES", "expected a number from 0 to 5")
        settings = cls(
            environment=environment,
            database_url=get("DATABASE_URL"),
            redis_url=redis_url,
            secret_key=get("SECRET_KEY") or EMBEDDED_SECRET_KEY,
            public_base_url=get("PUBLIC_BASE_URL") or cls.public_base_url,
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_from_number=get("TWILIO_FROM_NUMBER"),
            channels=channels,
            default_locale=get("GRIEVANCE_DEFAULT_LOCALE") or cls.default_locale,
            timezone=get("GRIEVANCE_TIMEZONE") or cls.timezone,
            redis_prefix=get("GRIEVANCE_REDIS_PREFIX") or cls.redis_prefix,
            trusted_proxies=int(proxies_raw),
            extra={key: value for name, key in EXTRA_VARIABLES.items() if (value := get(name))},
            in_process_ticker=_parse_bool("GRIEVANCE_IN_PROCESS_TICKER", ticker_raw)
            if ticker_raw is not None
            else redis_url is None,
        )
        return validate(settings)


def _parse_bool(variable: str, raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(variable, f"expected true or false, got {raw!r}")


def _check_url(variable: str, value: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(value)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in schemes:
        raise SettingsError(variable, f"expected a URL starting with one of {', '.join(schemes)}")
    if scheme != "sqlite" and not parts.hostname and not parts.path:
        raise SettingsError(variable, "the URL names no host")


def validate(settings: Settings) -> Settings:
    """Check every value and return the settings unchanged, or raise SettingsError."""
    if settings.environment not in ENVIRONMENTS:
        raise SettingsError("GRIEVANCE_ENV", f"expected one of {', '.join(ENVIRONMENTS)}")
    if settings.database_url is not None:
        _check_url("DATABASE_URL", settings.database_url, ("sqlite", "postgresql", "postgres"))
    if settings.redis_url is not None:
        _check_url("REDIS_URL", settings.redis_url, ("redis", "rediss", "unix"))
    if len(settings.secret_key) < 16:
        raise SettingsError("SECRET_KEY", "must be at least 16 characters")
    _check_url("PUBLIC_BASE_URL", settings.public_base_url, ("http", "https"))
    if settings.public_base_url.endswith("/"):
        raise SettingsError("PUBLIC_BASE_URL", "must not end with a slash")
    twilio = {
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_FROM_NUMBER": settings.twilio_from_number,
    }
    given = [name for name, value in twilio.items() if value]
    if given and len(given) != len(twilio):
        missing = next(name for name, value in twilio.items() if not value)
        raise SettingsError(missing, "set all three Twilio variables, or none")
    if settings.twilio_account_sid and not re.fullmatch(
        r"AC[0-9a-fA-F]{32}", settings.twilio_account_sid
    ):
        raise SettingsError("TWILIO_ACCOUNT_SID", "expected AC followed by 32 hex digits")
    if settings.twilio_from_number and not re.fullmatch(
        r"\+[1-9]\d{6,14}", settings.twilio_from_number
    ):
        raise SettingsError(
            "TWILIO_FROM_NUMBER", "expected a phone number in E.164, like +6281234567890"
        )
    if not settings.channels:
        raise SettingsError("GRIEVANCE_CHANNELS", "name at least one channel")
    unknown = [c for c in settings.channels if c not in KNOWN_CHANNELS]
    if unknown:
        raise SettingsError(
            "GRIEVANCE_CHANNELS",
            f"unknown channel {unknown[0]!r}; known: {', '.join(KNOWN_CHANNELS)}",
        )
    if settings.default_locale not in SUPPORTED_LOCALES:
        raise SettingsError(
            "GRIEVANCE_DEFAULT_LOCALE", f"expected one of {', '.join(SUPPORTED_LOCALES)}"
        )
    try:
        zoneinfo.ZoneInfo(settings.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            "GRIEVANCE_TIMEZONE", f"unknown time zone {settings.timezone!r}"
        ) from exc
    if settings.production:
        if settings.secret_key == EMBEDDED_SECRET_KEY:
            raise SettingsError("SECRET_KEY", "production refuses the embedded secret key")
        if settings.database_url is None:
            raise SettingsError("DATABASE_URL", "production needs a real database")
        if not settings.public_base_url.startswith("https://"):
            raise SettingsError("PUBLIC_BASE_URL", "production must be served over https")
    return settings
