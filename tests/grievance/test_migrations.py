"""Migrations upgrade and downgrade cleanly on SQLite and PostgreSQL and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
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


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    problem = postgres_reachable()
    if problem is not None:
        service_unavailable("PostgreSQL", problem)
    url = create_postgres_database("grievance_migrations")
    yield url
    drop_postgres_database(url)


def test_upgrade_matches_models_then_downgrade_leaves_nothing(empty_database: str) -> None:
    app = create_app(make_settings(empty_database))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], "models and migrations differ: write a migration"
        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()  # and up again: downgrade really undid everything
        assert "reports" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
