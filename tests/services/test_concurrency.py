"""Two staff acting on one report at the same moment on PostgreSQL: one wins, one is told."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from grievance import create_app
from grievance.extensions import db
from grievance.models import Agency, Report, ReportEvent, StaffUser
from grievance.services import actions
from grievance.services.errors import Conflict
from grievance.services.reports import file_report
from tests.conftest import (
    create_postgres_database,
    drop_postgres_database,
    make_settings,
    postgres_reachable,
    service_unavailable,
)
from workflows.states import AgencyLevel, Channel, Role


@pytest.fixture
def postgres_app() -> Iterator[Flask]:
    """Yield an app on a PostgreSQL database of this test's own."""
    problem = postgres_reachable()
    if problem is not None:
        service_unavailable("PostgreSQL", problem)
    url = create_postgres_database("grievance_race")
    app = create_app(make_settings(url, redis_url=None))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    drop_postgres_database(url)


def test_two_dispatches_at_once_one_wins(
    postgres_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    with postgres_app.app_context():
        city = Agency(code="BDG", name="Pemkot Bandung", level=AgencyLevel.REGENCY)
        other = Agency(code="SMG", name="Pemkot Semarang", level=AgencyLevel.REGENCY)
        verifier = StaffUser(email="v@example.org", name="V", role=Role.VERIFIER, password_hash="x")
        db.session.add_all([city, other, verifier])
        db.session.commit()
        filed = file_report(
            description="Pipa air bocor di jalan utama.", channel=Channel.WEB, language="id"
        )
        report_id, version_before = filed.report.id, filed.report.version
        targets = [city.id, other.id]
        actor = actions.actor_for(verifier)

    both_loaded = threading.Barrier(2, timeout=10)
    real_apply = actions.apply_decision

    def apply_after_both_loaded(*args: Any, **kwargs: Any) -> None:
        both_loaded.wait()  # both have read version 1 and decided; now race to write
        real_apply(*args, **kwargs)

    monkeypatch.setattr(actions, "apply_decision", apply_after_both_loaded)
    outcomes: list[str] = []

    def dispatch_to(agency_id: int) -> None:
        with postgres_app.app_context():
            try:
                actions.dispatch(report_id, actor, agency_id=agency_id)
                outcomes.append("won")
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=dispatch_to, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["conflict", "won"]
    with postgres_app.app_context():
        report = db.session.get(Report, report_id)
        events = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ReportEvent)
            .where(ReportEvent.report_id == report_id)
        )
        assert events == 2  # filed, and one dispatch
        assert report.version == version_before + 1 and report.last_event_seq == 2
        from grievance.services import audit

        assert audit.verify() == []
