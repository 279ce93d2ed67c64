"""Create the web app: settings, the store opened once, blueprints and error handlers."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from converter.iris import normalize_base
from miglod.settings import SettingsError, resolve
from miglod.store import open_store
from server import collections, dataset, errors, harvest, home, http, resources, sparql, writes
from server.state import State

BLUEPRINTS = (
    http.bp,
    errors.bp,
    home.bp,
    resources.bp,
    collections.bp,
    harvest.bp,
    dataset.bp,
    sparql.bp,
    writes.bp,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Return a configured app.

    Settings come from their defaults, then ``MIGLOD_*`` environment variables,
    then ``config``; the store is opened read-only once, here, and shared by the
    requests this process answers.
    """
    settings = resolve(config, os.environ)
    try:
        settings["base_iri"] = normalize_base(str(settings["base_iri"]))
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    app = Flask(__name__)
    if settings["debug"]:
        app.logger.setLevel(logging.DEBUG)
    # A remote store is opened for writing: it costs nothing more, and writes go through it.
    store = open_store(settings, read_only=not settings["sparql_query_url"])
    app.extensions["miglod"] = State.create(settings, store)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app
