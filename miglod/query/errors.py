"""The typed errors of the query service, each with the HTTP status the web answers it with."""

from __future__ import annotations


class QueryError(Exception):
    """Raise when a query is not answered: malformed, refused, too slow, or the service is busy.

    ``status`` is the HTTP status the endpoint answers with, ``code`` a stable
    machine-readable name, ``retry_after`` the seconds after which trying again
    may succeed (for 503s caused by load, not by the query itself).
    """

    def __init__(
        self, status: int, code: str, message: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


class QueryRefusedError(QueryError):
    """Raise when a query must not be evaluated here (an update, SERVICE, too long)."""


class QueryTimeoutError(QueryError):
    """Raise when a query ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            503,
            "query_timeout",
            f"The query ran longer than the time limit of {seconds:g} s and was stopped. "
            "Narrow it down (fewer patterns, a LIMIT, more specific terms) and try again.",
        )
        self.seconds = seconds


class QueryBusyError(QueryError):
    """Raise when every query slot is taken, or the service is still loading the data."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(503, "query_service_busy", message, retry_after=retry_after)
