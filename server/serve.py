"""Run the web app under gunicorn, started from Python (``miglod serve``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from miglod.settings import resolve
from miglod.store import open_store


def close_worker(server: object, worker: object) -> None:
    """Stop a worker's query service and close its store before the worker exits.

    A worker only reads, so nothing is lost by leaving without interpreter
    finalisation, which crashed workers on SIGTERM (SIGSEGV in native code).
    """
    from flask import Flask

    from server.sparql import sparql_state

    app = getattr(worker, "wsgi", None)
    if not isinstance(app, Flask) or "miglod" not in app.extensions:
        return
    service = sparql_state(app).service
    if service is not None:
        service.close()
    app.extensions["miglod"].store.close()
    # The worker only reads; its native store library crashes when torn down by
    # interpreter finalisation in a forked process, so leave without finalising.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def serve(settings: Mapping[str, Any]) -> None:
    """Serve the app with gunicorn workers until stopped.

    ``settings`` are those of :func:`miglod.settings.resolve`. The store is
    checked before any worker starts, so a missing store fails at once; each
    worker then opens it for itself (handles are never shared across a fork).
    """
    from gunicorn.app.base import BaseApplication

    from server.app import create_app

    values = resolve(settings)
    open_store(values["store"], read_only=True).close()

    class Application(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{values['host']}:{values['port']}")
            self.cfg.set("workers", int(values["workers"]))
            self.cfg.set("worker_class", "sync")
            self.cfg.set("timeout", max(30, int(float(values["query_timeout"]) * 3)))
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("accesslog", "-")
            self.cfg.set("loglevel", "debug" if values["debug"] else "info")
            self.cfg.set("proc_name", "miglod")
            self.cfg.set("worker_exit", close_worker)

        def load(self) -> Callable[..., Any]:
            return create_app(values)

    Application().run()
