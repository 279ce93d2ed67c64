"""Answer SPARQL queries on the store within a time limit, a row cap and a read-only policy.

:class:`QueryService` runs queries for a web worker in processes that hold the
data in memory and are killed when a query runs too long; :func:`run_query`
and :func:`query_command` run one query for the command line.

The names are imported on first use, so that the small processes started
from this package (the query helper's supervisor) start quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from miglod.query.check import MAX_QUERY_CHARS, QueryInfo, inspect_query
    from miglod.query.command import COMMAND_FORMATS, CommandResult, query_command, run_query
    from miglod.query.errors import (
        QueryBusyError,
        QueryError,
        QueryRefusedError,
        QueryTimeoutError,
    )
    from miglod.query.evaluate import Outcome, QueryRequest
    from miglod.query.service import QueryService

_WHERE = {
    "MAX_QUERY_CHARS": "check",
    "QueryInfo": "check",
    "inspect_query": "check",
    "COMMAND_FORMATS": "command",
    "CommandResult": "command",
    "query_command": "command",
    "run_query": "command",
    "QueryBusyError": "errors",
    "QueryError": "errors",
    "QueryRefusedError": "errors",
    "QueryTimeoutError": "errors",
    "Outcome": "evaluate",
    "QueryRequest": "evaluate",
    "QueryService": "service",
}

__all__ = [
    "COMMAND_FORMATS",
    "MAX_QUERY_CHARS",
    "CommandResult",
    "Outcome",
    "QueryBusyError",
    "QueryError",
    "QueryInfo",
    "QueryRefusedError",
    "QueryRequest",
    "QueryService",
    "QueryTimeoutError",
    "inspect_query",
    "query_command",
    "run_query",
]


def __getattr__(name: str) -> Any:
    """Import a public name from the module that defines it, on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"miglod.query.{module}"), name)
    globals()[name] = value
    return value
