"""Languages: the user's choice, then Accept-Language, then the deployment's default."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale

from grievance.extensions import babel
from grievance.settings import SUPPORTED_LOCALES
from translations import DIRECTORY as TRANSLATIONS_DIRECTORY

LANGUAGE_NAMES = {
    "en": "English",
    "id": "Bahasa Indonesia",
    "fr": "Français",
    "es": "Español",
    "sw": "Kiswahili",
}


def select_locale() -> str:
    """Pick the language of this request."""
    forced = g.get("locale")
    if forced in SUPPORTED_LOCALES:
        return forced
    if not has_request_context():  # jobs and commands: no request to read a choice from
        return current_app.config["GRIEVANCE_SETTINGS"].default_locale
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    best = request.accept_languages.best_match(SUPPORTED_LOCALES)
    return best or current_app.config["GRIEVANCE_SETTINGS"].default_locale


def select_timezone() -> str:
    """Show times in the deployment's time zone."""
    return current_app.config["GRIEVANCE_SETTINGS"].timezone


def init_app(app: Flask) -> None:
    """Attach Babel with our catalogs and selectors."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIRECTORY)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["GRIEVANCE_SETTINGS"].default_locale
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    @app.before_request
    def remember_language_choice() -> None:
        chosen = request.args.get("lang")
        if chosen in SUPPORTED_LOCALES:
            session["lang"] = chosen

    app.jinja_env.globals.update(get_locale=get_locale, language_names=LANGUAGE_NAMES)
