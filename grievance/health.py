"""`GET /healthz`: is the database reachable, is Redis?"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from grievance.extensions import db

blueprint = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return False
    return True


def _redis_status() -> str:
    from grievance import jobs

    connection = jobs.redis_connection()
    if connection is None:
        return "not configured"
    try:
        connection.ping()
    except Exception:
        return "down"
    return "ok"


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Report the reachability of the database and Redis; 503 when the database is down."""
    database_ok = _database_ok()
    redis = _redis_status()
    body = {
        "status": "ok" if database_ok and redis != "down" else "degraded",
        "database": "ok" if database_ok else "down",
        "redis": redis,
        "jobs": "rq" if current_app.config["GRIEVANCE_SETTINGS"].redis_url else "in-process",
    }
    # Redis down degrades notifications (the outbox keeps them); only the database stops intake.
    return jsonify(body), 200 if database_ok else 503


def init_app(app: Flask) -> None:
    """Register the health endpoint, exempt from CSRF and sessions."""
    app.register_blueprint(blueprint)
