"""Typed errors raised by the converter, each naming where the problem is."""

from __future__ import annotations


class ConverterError(Exception):
    """Raise when an input cannot be turned into news items.

    Every error carries the file (or feed) it came from and, where known, the
    line and the field, so a user can find the offending text.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.field = field

    def located(self, source: str) -> ConverterError:
        """Return this error with ``source`` filled in when it was unknown."""
        if self.source is None:
            self.source = source
        return self

    def __str__(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        field = f" [{self.field}]" if self.field else ""
        return f"{where}:{field} {self.message}"


class EmptyInputError(ConverterError):
    """Raise when an input holds no news items at all."""


class FormatError(ConverterError):
    """Raise when an input is not in the format it claims or is guessed to be."""


class ItemError(ConverterError):
    """Raise when one item is malformed (no date, no headline, bad date)."""
