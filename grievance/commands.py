"""Operational commands: the sweep, audit verification, clock recomputation."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Run the SLA sweep once and print what it did."""
    from grievance.services.sweep import run_sweep

    result = run_sweep()
    if not result.total:
        click.echo("sweep: nothing was due")
    for name, count in sorted(result.counts.items()):
        click.echo(f"sweep: {count} {name}")
    click.echo(f"sweep: {result.notifications} notifications queued")


@click.group("audit")
def audit_group() -> None:
    """Check the tamper-evident audit trail."""


@audit_group.command("verify")
@click.option("--report", "tracking_number", default=None, help="Verify one report only.")
@with_appcontext
def audit_verify(tracking_number: str | None) -> None:
    """Verify every report's hash chain; name the first broken event of each bad chain."""
    from grievance.services import audit
    from grievance.services.errors import ServiceError
    from grievance.services.reports import find_by_tracking_number

    report_id = None
    if tracking_number:
        try:
            report_id = find_by_tracking_number(tracking_number).id
        except ServiceError as exc:
            raise click.ClickException(str(exc)) from exc
    broken = audit.verify(report_id)
    for link in broken:
        where = f"event #{link.seq}" + (f" (id {link.event_id})" if link.event_id else "")
        click.echo(f"BROKEN report {link.tracking_number}: {where} {link.problem}")
    if broken:
        raise click.ClickException(f"{len(broken)} broken chain(s)")
    click.echo("audit: every chain verifies")


@click.group("clocks")
def clocks_group() -> None:
    """Manage SLA clocks."""


@clocks_group.command("recompute")
@with_appcontext
def clocks_recompute() -> None:
    """Recompute open reports' due times under the calendars and policy now in force."""
    from grievance.services.clocks import recompute_open_reports

    click.echo(f"clocks: {recompute_open_reports()} reports rescheduled")
