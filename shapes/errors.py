"""Typed errors of the validation library, each naming the file and line at fault."""

from __future__ import annotations


class ValidationInputError(Exception):
    """Raise when shapes or data cannot be read, so validation cannot even start.

    Carries the source (a file name or ``<shapes>``) and, where known, the line,
    so that a command line can print one line a user can act on.
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line

    def __str__(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class ShapesError(ValidationInputError):
    """Raise when a shapes graph does not parse or is empty."""


class DataError(ValidationInputError):
    """Raise when a data file does not parse, is empty or has an unknown format."""
