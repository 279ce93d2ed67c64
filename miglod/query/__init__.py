"""Answer SPARQL queries on the store within a time limit, a row cap and a read-only policy.

:class:`QueryService` runs queries for a web worker in processes that hold the
data in memory and are killed when a query runs too long; :func:`run_query`
and :func:`query_command` run one query for the command line.
"""

from __future__ import annotations

from miglod.query.check import MAX_QUERY_CHARS, QueryInfo, inspect_query
from miglod.query.command import COMMAND_FORMATS, CommandResult, query_command, run_query
from miglod.query.errors import QueryBusyError, QueryError, QueryRefusedError, QueryTimeoutError
from miglod.query.evaluate import Outcome, QueryRequest
from miglod.query.service import QueryService

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
