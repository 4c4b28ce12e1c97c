"""Settings: embedded defaults, and every bad or missing value is a startup error naming it."""

from __future__ import annotations

import pytest

from grievance import create_app
from grievance.settings import EMBEDDED_SECRET_KEY, Settings, SettingsError

GOOD_PRODUCTION = {
    "GRIEVANCE_ENV": "production",
    "SECRET_KEY": "a-real-secret-key-from-the-vault",
    "DATABASE_URL": "postgresql://grievance@db.internal/grievance",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "PUBLIC_BASE_URL": "https://lapor.example.go.id",
}


def test_embedded_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url is None and settings.redis_url is None
    assert settings.secret_key == EMBEDDED_SECRET_KEY
    assert settings.channels == ("web", "sms", "ussd")
    assert settings.in_process_ticker is True
    assert not settings.twilio_configured


def test_production_settings_are_accepted() -> None:
    settings = Settings.from_env(GOOD_PRODUCTION)
    assert settings.production and settings.in_process_ticker is False


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GRIEVANCE_ENV", "staging"),
        ("DATABASE_URL", "mysql://x/y"),
        ("DATABASE_URL", "not a url"),
        ("REDIS_URL", "http://localhost:6379"),
        ("SECRET_KEY", "short"),
        ("PUBLIC_BASE_URL", "ftp://example.org"),
        ("PUBLIC_BASE_URL", "https://example.org/"),
        ("PUBLIC_BASE_URL", "http://lapor.example.go.id"),  # production must be https
        ("TWILIO_ACCOUNT_SID", "ACnot-hex"),
        ("GRIEVANCE_CHANNELS", "web,fax"),
        ("GRIEVANCE_CHANNELS", " , "),
        ("GRIEVANCE_DEFAULT_LOCALE", "de"),
        ("GRIEVANCE_TIMEZONE", "Mars/Olympus"),
        ("GRIEVANCE_IN_PROCESS_TICKER", "maybe"),
        ("GRIEVANCE_TRUSTED_PROXIES", "many"),
    ],
)
def test_each_bad_value_names_its_variable(variable: str, value: str) -> None:
    env = {**GOOD_PRODUCTION, variable: value}
    if variable.startswith("TWILIO"):
        env |= {"TWILIO_AUTH_TOKEN": "t" * 32, "TWILIO_FROM_NUMBER": "+6281200000000"}
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env)
    assert error.value.variable == variable
    assert variable in str(error.value)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_embedded_values(missing: str) -> None:
    env = {k: v for k, v in GOOD_PRODUCTION.items() if k != missing}
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env)
    assert error.value.variable == missing


def test_twilio_needs_all_three() -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"TWILIO_ACCOUNT_SID": "AC" + "a" * 32, "TWILIO_AUTH_TOKEN": "x"})
    assert error.value.variable == "TWILIO_FROM_NUMBER"


def test_create_app_fails_at_startup_on_bad_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIEVANCE_TIMEZONE", "Nowhere/Land")
    with pytest.raises(SettingsError, match="GRIEVANCE_TIMEZONE"):
        create_app()


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.secret_key = "changed"  # type: ignore[misc]


def test_optional_channel_settings_land_in_extra() -> None:
    settings = Settings.from_env(
        {"GRIEVANCE_USSD_CODE": "*123#", "GRIEVANCE_OPEN311_JURISDICTION": "bandung"}
    )
    assert settings.extra == {"ussd_code": "*123#", "jurisdiction_id": "bandung"}
