"""Periodic jobs, declared as data: the RQ cron scheduler and the embedded ticker both read this.

Functions are named by dotted path and imported only when a scheduler starts, so an entry whose
module is missing (or fails to import) is logged and skipped instead of breaking the rest.
Every periodic job must be idempotent: schedulers may overlap and run an entry twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from grievance.jobs.queues import QUEUE_DEFAULT
from grievance.jobs.runner import load

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """Run the function at `func_path` every `every_seconds` seconds on `queue`."""

    func_path: str
    every_seconds: int
    queue: str = QUEUE_DEFAULT


SCHEDULE: tuple[Periodic, ...] = (
    # The outbox safety net: retries after backoff, rows whose enqueue was lost, stale claims.
    Periodic("grievance.notifications.delivery.deliver_due", 30),
    # SLA deadlines: reminders, breaches, escalations, auto-closing.
    Periodic("grievance.services.sweep.run_sweep_job", 60),
)


def load_schedule(
    entries: tuple[Periodic, ...] = SCHEDULE,
) -> list[tuple[Periodic, Callable[..., object]]]:
    """Import every entry's function, logging and skipping those that cannot be imported."""
    loaded = []
    for entry in entries:
        try:
            loaded.append((entry, load(entry.func_path)))
        except Exception:
            # Not ImportError only: a module can fail at import for any reason, and one broken
            # entry must not stop the others from running.
            logger.warning(
                "periodic job %s skipped: cannot import it", entry.func_path, exc_info=True
            )
    return loaded
