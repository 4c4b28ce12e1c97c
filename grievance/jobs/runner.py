"""Run a job by dotted path inside an app context: what an RQ worker executes.

The worker process builds the app once (``create_app()`` from the environment, or the app the
``grievance worker`` command already built) and every job runs inside its own app context, so it
gets a fresh database session that is removed when the job ends.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable

from flask import Flask

from grievance.extensions import db

_lock = threading.Lock()
_app: Flask | None = None
_app_pid: int | None = None


def job_path(func: Callable[..., object]) -> str:
    """Return the dotted path a worker imports to find this job, or refuse a non-module function."""
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", "")
    # A worker process can only find functions by module and name: no lambdas, methods, closures.
    if not module or module == "__main__" or not qualname or "." in qualname or "<" in qualname:
        raise ValueError(f"a job must be a module-level function, not {func!r}")
    return f"{module}.{qualname}"


def load(path: str) -> Callable[..., object]:
    """Import and return the function named by a dotted path (ImportError if it is missing)."""
    module_name, _, name = path.rpartition(".")
    if not module_name:
        raise ImportError(f"not a dotted path: {path!r}")
    module = importlib.import_module(module_name)
    try:
        func = getattr(module, name)
    except AttributeError as exc:
        raise ImportError(f"{module_name} has no {name}") from exc
    if not callable(func):
        raise ImportError(f"{path} is not callable")
    return func  # type: ignore[no-any-return]


def set_worker_app(app: Flask | None) -> Flask | None:
    """Use this app for the jobs this process runs (None: build one from the environment).

    Return the app used until now, so that a caller can put it back.
    """
    global _app, _app_pid  # one app per worker process is the point
    with _lock:
        previous = _app
        _app = app
        _app_pid = os.getpid() if app is not None else None
        return previous


def worker_app() -> Flask:
    """Return this worker process's app, building it from the environment the first time."""
    global _app, _app_pid  # one app per worker process is the point
    with _lock:
        if _app is None:
            from grievance import create_app

            _app = create_app()
            _app_pid = os.getpid()
        elif _app_pid != os.getpid():
            # RQ forks a work horse per job: the child inherited the parent's pooled database
            # connections, and two processes on one socket corrupt it. Drop them without closing
            # (closing would also close the parent's).
            with _app.app_context():
                db.engine.dispose(close=False)
            _app_pid = os.getpid()
        return _app


def run_in_app(path: str, *args: object) -> object:
    """Run the job at `path` with `args` inside the worker's app context (RQ's entry point)."""
    func = load(path)
    with worker_app().app_context():
        return func(*args)
