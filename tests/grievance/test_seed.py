"""`grievance seed --demo`: a small demo through the CLI, checked for coverage and integrity."""

from __future__ import annotations

from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Agency, ApiClient, Category, Notification, Report, StaffUser
from grievance.seed import DEMO_PASSWORD, MARKER_AGENCY
from grievance.services import audit
from grievance.settings import SUPPORTED_LOCALES
from workflows.states import STAFF_ROLES, Channel, State


def test_demo_seed_covers_every_state_and_role_and_is_idempotent(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "--demo", "--reports", "60", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "refused" not in result.output
    assert "https://grievance.example.org" in result.output  # the address to open
    assert "verifikator@lapor.example.org" in result.output and DEMO_PASSWORD in result.output

    states = dict(
        db.session.execute(select(Report.state, func.count()).group_by(Report.state)).all()
    )
    assert set(states) == set(State), states
    assert sum(states.values()) == 60
    channels = set(db.session.scalars(select(Report.channel).distinct()))
    assert {Channel.WEB, Channel.SMS} <= channels

    roles = set(db.session.scalars(select(StaffUser.role).distinct()))
    assert roles == set(STAFF_ROLES)
    verifier = db.session.scalar(select(StaffUser).where(StaffUser.role == "verifier"))
    assert verifier is not None and verifier.check_password(DEMO_PASSWORD)

    categories = db.session.scalars(select(Category)).all()
    assert len(categories) >= 15
    assert all(set(SUPPORTED_LOCALES) <= set(c.names) for c in categories)

    assert audit.verify() == []
    assert "API key" in result.output
    assert [c.active for c in db.session.scalars(select(ApiClient).order_by(ApiClient.id))] == [
        True, False,
    ]
    # Nothing waits to be sent: the demo's notifications never leave the machine.
    assert db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.status != "sent")
    ) == 0

    again = runner.invoke(args=["seed", "--demo"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert db.session.scalar(select(func.count()).select_from(Report)) == 60
    assert db.session.scalar(
        select(func.count()).select_from(Agency).where(Agency.code == MARKER_AGENCY)
    ) == 1


def test_seed_needs_the_demo_flag(app):
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code != 0
    assert "--demo" in result.output
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 0


def test_seed_refuses_a_database_with_other_data(app, world):
    result = app.test_cli_runner().invoke(args=["seed", "--demo", "--reports", "5"])
    assert result.exit_code != 0
    assert "empty database" in result.output
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 6  # the world's only
