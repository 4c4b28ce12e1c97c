"""The `grievance` command: Flask's CLI group for this app, with every project command under it."""

from __future__ import annotations

import subprocess
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from translations import DIRECTORY as TRANSLATIONS_DIRECTORY


def _create_app() -> Flask:
    from grievance import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Citizen feedback and grievance redress."""


@click.group("translations")
def translations_group() -> None:
    """Extract, update and compile the Babel catalogs."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True)  # noqa: S603


@translations_group.command("extract")
def translations_extract() -> None:
    """Extract messages from the code into messages.pot and merge them into every catalog."""
    root = TRANSLATIONS_DIRECTORY.parent
    pot = TRANSLATIONS_DIRECTORY / "messages.pot"
    _pybabel(
        "extract",
        "-F",
        str(TRANSLATIONS_DIRECTORY / "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "N_",
        "--no-location",
        "--sort-output",
        "-o",
        str(pot),
        str(root / "grievance"),
        str(root / "channels"),
        str(root / "workflows"),
    )
    _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS_DIRECTORY), "--no-fuzzy-matching")


@translations_group.command("compile")
def translations_compile() -> None:
    """Compile every catalog to its .mo file."""
    _pybabel("compile", "-d", str(TRANSLATIONS_DIRECTORY))


@click.group("users")
def users_group() -> None:
    """Manage staff users."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["verifier", "coordinator", "officer", "oversight", "admin"]),
)
@click.option("--agency", "agency_code", default=None, help="Agency code (coordinators, officers).")
@click.option("--language", default="id")
@click.password_option()
@with_appcontext
def users_create(
    email: str, name: str, role: str, agency_code: str | None, language: str, password: str
) -> None:
    """Create a staff user."""
    from grievance.services import staff_accounts
    from grievance.services.errors import ServiceError

    try:
        user = staff_accounts.create_user(
            email=email,
            name=name,
            role=role,
            agency_code=agency_code,
            language=language,
            password=password,
        )
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {user.role} {user.email} (id {user.id})")


def init_app(app: Flask) -> None:
    """Attach every project command to the app's CLI."""
    from grievance import commands, seed
    from grievance.stats.cli import stats_group

    app.cli.add_command(commands.sweep_command)
    app.cli.add_command(commands.audit_group)
    app.cli.add_command(commands.clocks_group)
    app.cli.add_command(stats_group)
    app.cli.add_command(translations_group)
    app.cli.add_command(users_group)
    app.cli.add_command(seed.seed_command)
