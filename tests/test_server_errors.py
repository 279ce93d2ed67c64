"""Errors: JSON or HTML by Accept, a stable code, never a stack trace."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from miglod.settings import SettingsError
from server import create_app
from server.state import State


def test_unknown_path_is_json_by_default(client: FlaskClient) -> None:
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "not_found"
    assert response.get_json()["status"] == 404


def test_unknown_path_is_html_for_browsers(client: FlaskClient) -> None:
    response = client.get("/no/such/thing", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "not_found" in response.get_data(as_text=True)


def test_error_pages_speak_spanish(client: FlaskClient) -> None:
    response = client.get(
        "/doc/country/XX", headers={"Accept": "text/html", "Accept-Language": "es"}
    )
    assert "No encontrado" in response.get_data(as_text=True)


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.delete("/doc/country/SR")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_unexpected_errors_are_logged_500s_without_details(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    state = app.extensions["miglod"]
    assert isinstance(state, State)

    def broken(iri: str, **_: object) -> None:
        raise RuntimeError("secret internals")

    state.store.describe = broken  # type: ignore[method-assign, assignment]
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/doc/country/PA.ttl", headers={"Accept": "text/html"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert "internal_error" in body
    assert any("secret internals" in (r.exc_text or "") for r in caplog.records)


def test_errors_are_not_cached(client: FlaskClient) -> None:
    assert client.get("/doc/country/XX").headers["Cache-Control"] == "no-store"


def test_bad_settings_are_refused(built_store: object) -> None:
    with pytest.raises(SettingsError):
        create_app({"store": str(built_store), "base_iri": "not a base"})
    with pytest.raises(SettingsError):
        create_app({"store": str(built_store), "no_such_setting": 1})
