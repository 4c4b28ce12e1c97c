"""Citizen feedback and grievance redress: the core application."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask

from grievance.settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application from settings (default: read from the environment)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(_flask_config(app, settings))

    from grievance import api, cli, database, health, i18n, jobs, security, staff, stats
    from grievance.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    api.init_app(app)
    jobs.init_app(app)
    health.init_app(app)
    staff.init_app(app)
    stats.init_app(app)
    cli.init_app(app)
    for channel in settings.channels:
        importlib.import_module(f"channels.{channel}").init_app(app)
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _flask_config(app: Flask, settings: Settings) -> dict[str, object]:
    if settings.database_url is None:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{Path(app.instance_path) / 'grievance.sqlite3'}"
    else:
        database_url = settings.database_url.replace("postgres://", "postgresql://", 1)
    if database_url.startswith("postgresql://"):
        database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine_options: dict[str, object] = {"pool_pre_ping": True}
    if database_url.startswith("sqlite"):
        # Several threads (the in-process job runner, the ticker) share the file; wait for locks.
        engine_options["connect_args"] = {"timeout": 30}
    return {
        "GRIEVANCE_SETTINGS": settings,
        "SECRET_KEY": settings.secret_key,
        "TESTING": settings.environment == "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.public_base_url.startswith("https://"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": settings.public_base_url.startswith("https://"),
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "PREFERRED_URL_SCHEME": "https"
        if settings.public_base_url.startswith("https://")
        else "http",
    }
