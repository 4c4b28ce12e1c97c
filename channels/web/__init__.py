"""The citizen web pages: file, track and follow reports; the public list."""

from __future__ import annotations

from flask import Flask

from channels.web.views import blueprint


def init_app(app: Flask) -> None:
    """Register the citizen pages."""
    app.register_blueprint(blueprint)
