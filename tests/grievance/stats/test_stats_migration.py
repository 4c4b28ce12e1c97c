"""Migration 0002 (the statistics tables) goes up and down on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from grievance import create_app
from grievance.extensions import db
from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    make_settings,
    postgres_reachable,
    service_unavailable,
)

TABLES = {"stats_rollups", "stats_duration_histograms", "stats_stocks", "stats_report_facts"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Yield an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'stats.sqlite3'}"
        return
    problem = postgres_reachable()
    if problem is not None:
        service_unavailable("PostgreSQL", problem)
    url = create_postgres_database("grievance_stats_migration")
    yield url
    drop_postgres_database(url)


def test_0002_up_and_down(empty_url: str) -> None:
    app = create_app(make_settings(empty_url))
    with app.app_context():
        upgrade(revision="0001")
        assert not TABLES & set(sa.inspect(db.engine).get_table_names())
        upgrade(revision="0002")
        inspector = sa.inspect(db.engine)
        assert set(inspector.get_table_names()) >= TABLES | {"reports"}
        assert inspector.get_pk_constraint("stats_rollups")["constrained_columns"] == [
            "agency_id", "region_code", "category_id", "channel", "month",
        ]
        downgrade(revision="0001")
        names = set(sa.inspect(db.engine).get_table_names())
        assert not TABLES & names and "reports" in names
        upgrade()
        assert set(sa.inspect(db.engine).get_table_names()) >= TABLES
        db.engine.dispose()
