"""The public machine interfaces: Open311 GeoReport v2, the JSON API and open-data exports.

`init_app` registers the three blueprints, exempt from CSRF: none of them authorises anything by
a session cookie (Open311 POST needs an api_key; the JSON API takes application/json only, which
a cross-site form cannot send).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register Open311, the JSON API and the open-data pages."""
    from grievance.api import exports, open311, v1
    from grievance.extensions import csrf

    for blueprint in (open311.blueprint, v1.blueprint, exports.blueprint):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
