"""Read JSON Lines: one news item per line, as a JSON object.

Each object has ``date`` (ISO 8601, or a date as a listing writes it),
``headline``, ``body`` (a string whose paragraphs are separated by blank lines,
or a list of paragraph strings) and optionally ``url`` and ``language``. Blank
lines are allowed; other keys are ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from converter.errors import FormatError, ItemError
from converter.extract.dates import DateParser
from converter.readers.text import (
    clean,
    input_lines,
    language_tag,
    split_paragraphs,
)
from converter.records import NewsItem, Source

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
EMPTY = "the JSON Lines input is empty"
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.IGNORECASE)


def read_jsonl(
    text: str | bytes,
    name: str,
    *,
    skip_invalid: bool = False,
    dates: DateParser | None = None,
) -> Iterator[NewsItem | ItemError]:
    """Yield the news items of a JSON Lines input, one per non-blank line.

    Raise :class:`FormatError` naming the line that is not JSON, and
    :class:`ItemError` naming line and field of an object with a missing or
    invalid field. With ``skip_invalid``, both are yielded as
    :class:`ItemError` and reading goes on, except when the very first line is
    not JSON: then the input is no JSON Lines at all.
    """
    lines = input_lines(text, name, EMPTY)
    yield from read_jsonl_lines(lines, name, skip_invalid=skip_invalid, dates=dates)


def read_jsonl_lines(
    lines: Iterable[str],
    name: str,
    *,
    skip_invalid: bool = False,
    dates: DateParser | None = None,
) -> Iterator[NewsItem | ItemError]:
    """Yield the news items of JSON Lines given as lines already tidied (see :func:`read_jsonl`)."""
    parser = dates or DateParser()
    position = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        position += 1
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            message = f"not a JSON object: {getattr(exc, 'msg', None) or exc}"
            if not skip_invalid or position == 1:
                raise FormatError(message, source=name, line=number) from None
            yield ItemError(message, source=name, line=number)
            continue
        try:
            yield _item(value, parser, Source(name=name, line=number, position=position))
        except ItemError as exc:
            exc.source, exc.line = name, number
            if not skip_invalid:
                raise
            yield exc


def _item(value: Any, parser: DateParser, source: Source) -> NewsItem:
    """Return the news item one JSON value describes."""
    if not isinstance(value, Mapping):
        raise ItemError(f"expected a JSON object, got {type(value).__name__}")
    headline = value.get("headline")
    if not isinstance(headline, str) or not clean(headline):
        raise ItemError("missing or empty headline", field="headline")
    return NewsItem(
        date=_date(value.get("date"), parser),
        headline=clean(headline),
        paragraphs=_body(value.get("body")),
        source=source,
        url=_optional(value, "url", _URL),
        language=language_tag(_optional(value, "language", _LANGUAGE)),
    )


def _date(value: Any, parser: DateParser) -> dt.date:
    """Return the date of a ``date`` field."""
    if not isinstance(value, str) or not value.strip():
        raise ItemError("missing date", field="date")
    if found := _ISO_DAY.fullmatch(value.strip()):
        try:
            return dt.date(*(int(g) for g in found.groups()))
        except ValueError:
            raise ItemError(f"no such day: {value!r}", field="date") from None
    try:
        stated = parser.parse_listing_date(clean(value))
    except ItemError as exc:
        raise ItemError(exc.message, field="date") from None
    if stated is None:
        raise ItemError(f"not a date: {value!r}", field="date")
    return stated


def _body(value: Any) -> tuple[str, ...]:
    """Return the paragraphs of a ``body`` field (a string, a list of strings, or absent)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return split_paragraphs(value)
    if isinstance(value, list) and all(isinstance(p, str) for p in value):
        return tuple(p for p in (clean(p) for p in value) if p)
    raise ItemError("body must be a string or a list of strings", field="body")


def _optional(value: Mapping[str, Any], key: str, pattern: re.Pattern[str]) -> str | None:
    """Return an optional string field, checked against ``pattern``."""
    field = value.get(key)
    if field is None or field == "":
        return None
    if not isinstance(field, str) or not pattern.fullmatch(field.strip()):
        raise ItemError(f"invalid {key}: {field!r}", field=key)
    return field.strip()
