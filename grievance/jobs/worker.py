"""`grievance worker`: the production job runner (RQ) and the periodic-job scheduler (rq cron).

The RQ worker runs in this process's main thread, where it installs its signal handlers: SIGTERM
or SIGINT finishes the current job, then stops. rq's ``CronScheduler`` also needs the main thread
of its process for its signal handlers, so it runs in a child process, stopped when the worker
stops. Run the scheduler in one worker process only (``--without-scheduler`` on the others):
two schedulers enqueue every periodic job twice, which is harmless (the jobs are idempotent)
but wasteful.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from multiprocessing.process import BaseProcess

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from redis import Redis
from redis.exceptions import RedisError
from rq import SimpleWorker, Worker
from rq.cron import CronScheduler

from grievance.jobs.queues import JOB_TIMEOUT_SECONDS, QUEUES
from grievance.jobs.runner import run_in_app, set_worker_app
from grievance.jobs.schedule import SCHEDULE, Periodic, load_schedule

logger = logging.getLogger(__name__)

CRON_STOP_TIMEOUT_SECONDS = 10


def build_cron_scheduler(
    connection: Redis, entries: tuple[Periodic, ...] = SCHEDULE
) -> CronScheduler:
    """Return an rq CronScheduler with every importable periodic entry registered."""
    scheduler = CronScheduler(connection=connection)
    for entry, _func in load_schedule(entries):
        # Registered through run_in_app so the job gets an app context on the worker; the name
        # keeps each entry's history apart in rq's cron registry.
        scheduler.register(
            run_in_app,
            entry.queue,
            args=(entry.func_path,),
            interval=entry.every_seconds,
            job_timeout=JOB_TIMEOUT_SECONDS,
            name=entry.func_path,
        )
    return scheduler


def run_cron(redis_url: str) -> None:
    """Run the cron scheduler until SIGTERM or SIGINT (the body of the scheduler process)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    connection = Redis.from_url(redis_url)
    try:
        build_cron_scheduler(connection).start()
    finally:
        connection.close()


def start_cron_process(redis_url: str) -> BaseProcess:
    """Start the cron scheduler in a child process and return it."""
    # spawn, not fork: the parent holds a Redis connection and an app; a clean interpreter
    # shares neither. Daemonic so it cannot outlive a worker that dies abruptly.
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=run_cron, args=(redis_url,), name="grievance-cron", daemon=True
    )
    process.start()
    return process


def stop_cron_process(process: BaseProcess) -> None:
    """Stop the scheduler process: SIGTERM, then SIGKILL if it does not exit in time."""
    if process.is_alive():
        process.terminate()
        process.join(CRON_STOP_TIMEOUT_SECONDS)
    if process.is_alive():
        logger.warning("cron scheduler ignored SIGTERM; killing it")
        process.kill()
        process.join()


@click.command("worker")
@click.option(
    "--queue", "-q", "queues", multiple=True, default=QUEUES, show_default=True,
    help="Queue to listen on (repeat for several, highest priority first).",
)
@click.option(
    "--with-scheduler/--without-scheduler", default=True, show_default=True,
    help="Also run the periodic jobs (rq cron) in a child process.",
)
@click.option("--burst", is_flag=True, help="Quit once the queues are empty.")
@with_appcontext
def worker_command(queues: tuple[str, ...], with_scheduler: bool, burst: bool) -> None:
    """Run background jobs from Redis (RQ), and the periodic jobs."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    redis_url = app.config["GRIEVANCE_SETTINGS"].redis_url
    if not redis_url:
        raise click.ClickException(
            "REDIS_URL is not set. Without Redis, jobs run inside the web process and need no "
            "worker; set REDIS_URL to run them here."
        )
    connection = Redis.from_url(redis_url)
    try:
        connection.ping()
    except RedisError as exc:
        connection.close()
        raise click.ClickException(f"cannot reach Redis at REDIS_URL: {exc}") from exc
    # Jobs in this process (and its forked work horses) use this app instead of building another.
    set_worker_app(app)
    cron = start_cron_process(redis_url) if with_scheduler and not burst else None
    try:
        # with_scheduler here is RQ's own scheduler (a separate thing from cron): it re-enqueues
        # retried jobs once their backoff interval has passed. It takes a lock, so every worker
        # may run it.
        Worker(list(queues), connection=connection).work(burst=burst, with_scheduler=True)
    finally:
        if cron is not None:
            stop_cron_process(cron)
        connection.close()


def run_queued_jobs(app: Flask, queues: tuple[str, ...] = QUEUES) -> bool:
    """Run every job queued in Redis now, in this process, with this app; tell if any ran.

    For tests and one-off drains: no fork, no scheduler. Call it from the main thread.
    """
    from grievance.jobs import redis_connection

    connection = redis_connection(app)
    if connection is None:
        raise RuntimeError("REDIS_URL is not set: jobs run in-process, there is no queue to run")
    # RQ installs its own SIGINT/SIGTERM handlers; the caller's come back afterwards.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    previous = set_worker_app(app)
    try:
        return SimpleWorker(list(queues), connection=connection).work(burst=True)
    finally:
        set_worker_app(previous)
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def register_cli(app: Flask) -> None:
    """Add the `worker` command to the app's CLI."""
    app.cli.add_command(worker_command)
