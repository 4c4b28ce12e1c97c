"""The health endpoint and the home page."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from grievance import create_app
from tests.conftest import make_settings


def test_healthz_reports_database_and_jobs(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["jobs"] in ("in-process", "rq")


def test_healthz_is_503_when_the_database_is_down(tmp_path: Path) -> None:
    # A SQLite file in a folder that does not exist cannot be opened: the database is down.
    app = create_app(
        make_settings(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}", redis_url=None)
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "down"


def test_healthz_reports_redis_down(tmp_path: Path) -> None:
    app = create_app(
        make_settings(f"sqlite:///{tmp_path / 'db.sqlite3'}", redis_url="redis://127.0.0.1:1/0")
    )
    body = app.test_client().get("/healthz").get_json()
    assert body["redis"] == "down"


def test_home_page_says_how_to_file(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "USSD" in page and "web" in page.lower()
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Frame-Options"] == "DENY"
