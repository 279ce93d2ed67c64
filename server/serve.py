"""Run the web app under gunicorn, started from Python (``miglod serve``).

The server's one query helper (:class:`miglod.query.helper.QueryHelper`: the
zygote holding the data in memory) is started here, before gunicorn forks its
workers, and stopped when gunicorn stops; every worker reaches it over a Unix
socket in a private runtime directory, so a worker's memory does not grow
with the data. So is the write service (:class:`server.write_service.WriteService`:
``write_workers`` lower-priority processes that run the writes the web workers
forward to them), so a write's CPU time does not delay the reads of a worker.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miglod.settings import SettingsError, resolve
from miglod.store import StoreNotFoundError, layout

if TYPE_CHECKING:
    from miglod.query.helper import HelperPaths
    from server.write_service import WriteService

#: Threads per web worker: those waiting on a slow query or on the write service (writes
#: queue there, one after another) leave the others serving reads. Idle threads cost
#: nothing: only threads with a request to answer compete for the interpreter.
THREADS = 16
#: Seconds ``serve`` waits for the write service to listen before it serves anyway.
READY_TIMEOUT = 120.0


def close_worker(server: object, worker: object) -> None:
    """Stop a worker's query service and close its store before the worker exits.

    A worker only reads, so nothing is lost by leaving without interpreter
    finalisation, which crashed workers on SIGTERM (SIGSEGV in native code).
    """
    from flask import Flask

    from server.http import FOLLOWING
    from server.sparql import sparql_state

    app = getattr(worker, "wsgi", None)
    if not isinstance(app, Flask) or "miglod" not in app.extensions:
        return
    halt_following = app.extensions.get(FOLLOWING)
    if halt_following is not None:
        halt_following()
    service = sparql_state(app).service
    if service is not None:
        service.close()
    app.extensions["miglod"].store.close()
    # The worker only reads; its native store library crashes when torn down by
    # interpreter finalisation in a forked process, so leave without finalising.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def settle_worker(worker: object) -> None:
    """Put what a worker built at start-up out of the garbage collector's sight; follow the store.

    The app, its shapes, vocabulary and templates are some hundred thousand
    objects that live as long as the worker; a full collection walked them all
    in the middle of some request (350 ms measured on a busy machine). Frozen,
    collections see only what requests make: in-process, the p99 of a kept
    document went from 17 ms to 0.4 ms. On an embedded store the worker then
    follows the data between requests (:func:`server.http.follow_store`).
    """
    gc.collect()
    gc.freeze()
    from flask import Flask

    from miglod.store import OxigraphStore
    from server.http import FOLLOWING, follow_store

    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask) and isinstance(app.extensions["miglod"].store, OxigraphStore):
        app.extensions[FOLLOWING] = follow_store(app)


def heartbeat_dir() -> str | None:
    """Return where gunicorn's workers keep the file they touch to show they are alive.

    A worker touches it (a metadata write) on every turn of the loop that
    accepts its requests. On a disk's journalling file system that write can
    wait for a journal commit, such as the one each steward's write starts by
    making itself durable, and the requests the worker is about to accept wait
    with it; gunicorn's documentation advises a memory file system for this.
    So ``/dev/shm`` where there is one, else gunicorn's default.
    """
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def gunicorn_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the gunicorn settings ``serve`` uses for the resolved settings ``values``.

    ``limit_request_line`` is 0, which gunicorn reads as its own ceiling of
    1 MiB: a GET query up to the endpoint's cap (64 Ki characters, up to 9
    bytes each once percent-encoded) fits, and longer ones get the endpoint's
    clear 413 rather than the server's bare 400.
    """
    return {
        "bind": f"{values['host']}:{values['port']}",
        "workers": int(values["workers"]),
        "worker_class": "gthread",
        "threads": THREADS,
        "timeout": max(30, int(float(values["query_timeout"]) * 3)),
        "graceful_timeout": 10,
        "limit_request_line": 0,
        "accesslog": "-",
        "loglevel": "debug" if values["debug"] else "info",
        "proc_name": "miglod",
        "worker_tmp_dir": heartbeat_dir(),
        "post_worker_init": settle_worker,
        "worker_exit": close_worker,
    }


def serve(settings: Mapping[str, Any], *, gunicorn: Mapping[str, Any] | None = None) -> None:
    """Serve the app with gunicorn workers until stopped.

    ``settings`` are those of :func:`miglod.settings.resolve`; ``gunicorn``
    overrides gunicorn settings (benchmarks compare worker classes). The store
    is checked before any worker starts, so a missing store fails at once; each
    worker then opens it for itself (handles are never shared across a fork).
    """
    from gunicorn.app.base import BaseApplication

    from miglod.query.helper import QueryHelper
    from server.app import create_app
    from server.sparql import query_warm, use_query_helper
    from server.write_client import use_write_service

    values = resolve(settings)
    # With a remote SPARQL store configured, queries go there: no helper is needed.
    remote = bool(values.get("sparql_query_url"))
    # Only look: opening the store here would start the storage engine's threads in
    # the master, and forked workers would then wait forever on their first write.
    if not remote and not layout.is_store(Path(values["store"])):
        raise StoreNotFoundError(f"no store at {values['store']}: build one first (`miglod build`)")
    options = {**gunicorn_options(values), **(gunicorn or {})}
    writers = write_processes(values)
    owner = os.getpid()
    helper = (
        None
        if remote
        else QueryHelper(
            values["store"], warm=query_warm(values), columnar=bool(values["sparql_columnar"])
        )
    )
    try:
        writer = _write_service(values, writers, helper.paths if helper is not None else None)
    except BaseException:
        if helper is not None:
            helper.close()
        raise

    class Application(BaseApplication):
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Callable[..., Any]:
            app = create_app(values)
            if helper is not None:
                use_query_helper(app, helper.paths)
            if writer is not None:
                use_write_service(app, writer.paths, writer.count)
            return app

    try:
        Application().run()
    finally:
        if os.getpid() == owner:  # never in a worker leaving here
            if writer is not None:
                writer.close()
            if helper is not None:
                helper.close()


def write_processes(values: Mapping[str, Any]) -> int:
    """Return how many write processes ``serve`` starts for the resolved settings ``values``.

    None when no write tokens are set: the web workers then refuse writes themselves.
    """
    count, nice = int(values["write_workers"]), int(values["write_nice"])
    if count < 0:
        raise SettingsError(f"write_workers: {count} is not a number of processes")
    if not 0 <= nice <= 19:
        raise SettingsError(f"write_nice: {nice} is not between 0 and 19")
    return count if str(values["write_tokens"]).strip() else 0


def _write_service(
    values: Mapping[str, Any], count: int, helper: HelperPaths | None
) -> WriteService | None:
    """Start ``count`` write processes and wait (a while) until they listen; ``None``: none.

    They send any query to the server's query helper (``helper``) rather than
    starting one of their own.
    """
    from server.write_service import WriteService

    if count == 0:
        return None
    service = WriteService(values, count, helper=helper)
    if not service.wait_ready(READY_TIMEOUT):
        print(
            "miglod serve: the write service is not listening yet; writes get 503 until it is",
            file=sys.stderr,
        )
    return service
