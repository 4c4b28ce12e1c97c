"""The embedded ticker: runs the periodic jobs in a thread of the web process (no Redis, no cron).

Started on the first request rather than in ``create_app`` so that building an app (tests, CLI
commands, the RQ worker) never starts threads. Entries run one after another in the ticker's own
thread, so a slow run delays the next instead of piling up.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from flask import Flask

from grievance.jobs.schedule import SCHEDULE, Periodic, load_schedule

logger = logging.getLogger(__name__)

EXTENSION = "grievance.ticker"


class Ticker:
    """A daemon thread that runs each periodic entry every `every_seconds`, in an app context."""

    def __init__(self, app: Flask, entries: tuple[Periodic, ...] = SCHEDULE) -> None:
        self.app = app
        self.entries = entries
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        """Tell whether the ticker thread is alive in this process."""
        return self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()

    def start(self) -> None:
        """Start the thread unless it already runs in this process."""
        with self._lock:
            if self.running:
                return
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._loop, name="grievance-ticker", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        loaded = load_schedule(self.entries)
        # Monotonic time, not the app clock: this is real elapsed time between runs. Everything
        # is due at once on start, so leftovers from before a restart go out promptly.
        start = time.monotonic()
        due = {entry: start for entry, _ in loaded}
        while not self._stop.is_set():
            now = time.monotonic()
            for entry, func in loaded:
                if due[entry] <= now:
                    self._run(entry, func)
                    due[entry] = time.monotonic() + entry.every_seconds
            if not due:
                return
            self._stop.wait(max(0.0, min(due.values()) - time.monotonic()))

    def _run(self, entry: Periodic, func: Callable[..., object]) -> None:
        try:
            with self.app.app_context():
                func()
        except Exception:
            # Keep ticking: the next run retries from database state.
            logger.exception("periodic job %s failed", entry.func_path)


def install(app: Flask) -> None:
    """Start the ticker on the app's first request."""
    ticker = Ticker(app)
    app.extensions[EXTENSION] = ticker

    @app.before_request
    def _start_ticker() -> None:
        # Cheap after the first request: `running` is a few attribute reads.
        if not ticker.running:
            ticker.start()
