"""The embedded job runner: one daemon thread in this process, for deployments without Redis.

Jobs queued here are lost if the process dies before running them; that is acceptable because
every job works from database state (the outbox row stays pending and ``deliver_due`` picks it up).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    """A job to run: the function, its plain arguments, and the app whose context it needs."""

    app: Flask
    func: Callable[..., object]
    args: tuple[object, ...]


def run_task(task: Task) -> None:
    """Run one task inside a fresh app context of its app, so it gets its own database session."""
    with task.app.app_context():
        task.func(*task.args)


class InProcessRunner:
    """A queue served by a single daemon thread, started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.Queue[Task] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def submit(self, task: Task) -> None:
        """Queue a task for the worker thread, starting the thread if needed."""
        with self._lock:
            if self._pid != os.getpid():
                # A forked child (gunicorn preload) has the parent's queue but not its thread.
                self._queue = queue.Queue()
                self._thread = None
                self._pid = os.getpid()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._serve, args=(self._queue,), name="grievance-jobs", daemon=True
                )
                self._thread.start()
            self._queue.put(task)

    def wait(self, timeout: float = 30.0) -> None:
        """Block until every queued task has run; TimeoutError after `timeout` seconds."""
        tasks = self._queue
        deadline = time.monotonic() + timeout
        with tasks.all_tasks_done:
            while tasks.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not tasks.all_tasks_done.wait(remaining):
                    raise TimeoutError(f"{tasks.unfinished_tasks} job(s) still running")

    @staticmethod
    def _serve(tasks: queue.Queue[Task]) -> None:
        while True:
            task = tasks.get()
            try:
                run_task(task)
            except Exception:
                # One failing job must not stop the jobs behind it; the row it worked on keeps
                # its state and the periodic jobs retry it.
                logger.exception("job %s failed", getattr(task.func, "__qualname__", task.func))
            finally:
                tasks.task_done()


runner = InProcessRunner()
