"""The web app that publishes the dataset: ``create_app`` builds it, ``serve`` runs it."""

from __future__ import annotations

from server.app import create_app
from server.serve import serve

__all__ = ["create_app", "serve"]
