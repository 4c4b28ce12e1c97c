"""`grievance stats ...`: rebuild the rollups, generate large realistic datasets."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext


@click.group("stats")
def stats_group() -> None:
    """Scorecards and statistics: rollup maintenance and test data."""


@stats_group.command("rebuild")
@click.option("--batch", "ids_per_batch", default=5000, show_default=True,
              help="Report ids read per batch.")
@with_appcontext
def rebuild_command(ids_per_batch: int) -> None:
    """Recompute every rollup from the audit trail (writers wait until it commits)."""
    from sqlalchemy import func, select

    from grievance.extensions import db
    from grievance.models import Report
    from grievance.stats.rebuild import rebuild

    total = db.session.scalar(select(func.count()).select_from(Report)) or 0
    started = time.monotonic()
    with click.progressbar(length=total, label="Rebuilding statistics", show_pos=True) as bar:
        result = rebuild(db.session, ids_per_batch=max(ids_per_batch, 1), progress=bar.update)
    elapsed = time.monotonic() - started
    click.echo(
        f"rebuilt from {result.reports} reports and {result.events} events in {elapsed:.1f} s: "
        f"{result.rollup_rows} rollup rows, {result.histogram_rows} histogram rows"
    )


@stats_group.command("generate")
@click.option("--reports", "count", type=click.IntRange(1), required=True,
              help="How many reports to generate.")
@click.option("--months", type=click.IntRange(1, 120), default=24, show_default=True,
              help="How far back the reports go.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--unswept-hours", type=click.FloatRange(0), default=24.0, show_default=True,
              help="Leave the sweep's actions of the last hours undone, so it has work.")
@click.option("--rebuild/--no-rebuild", default=True, show_default=True,
              help="Rebuild the rollups afterwards.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes that simulate reports (default: the CPUs).")
@with_appcontext
def generate_command(
    count: int, months: int, seed: int, unswept_hours: float, rebuild: bool, workers: int | None
) -> None:
    """Load a large, coherent dataset: reports with their events, ratings and breaches."""
    from grievance.extensions import db
    from grievance.stats import generate
    from grievance.stats.rebuild import rebuild as run_rebuild

    started = time.monotonic()
    with click.progressbar(length=count, label="Generating reports", show_pos=True) as bar:
        result = generate.generate(
            db.session, reports=count, months=months, seed=seed,
            unswept_hours=unswept_hours, workers=workers, progress=bar.update,
        )
    click.echo(
        f"generated {result.reports} reports, {result.events} events, {result.ratings} ratings, "
        f"{result.breaches} breaches in {time.monotonic() - started:.1f} s"
    )
    if rebuild:
        started = time.monotonic()
        outcome = run_rebuild(db.session)
        click.echo(f"rebuilt the statistics in {time.monotonic() - started:.1f} s "
                   f"({outcome.rollup_rows} rollup rows)")
