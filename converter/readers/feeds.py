"""Read RSS and Atom feeds with feedparser, from text already read.

feedparser is only ever handed a byte stream: given a string it would take a
URL for something to fetch and a path for a file to open. It strips a
document's DOCTYPE and keeps only literal internal entities, and the SAX parser
it uses does not resolve external entities, so a feed cannot make the reader
read a file or the network (see ``tests/test_readers.py``).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import xml.sax
from collections.abc import Iterator, Mapping
from html.entities import html5
from typing import Any
from urllib.parse import urljoin

import feedparser
from feedparser.sanitizer import replace_doctype

from converter.errors import EmptyInputError, FormatError, ItemError
from converter.extract.dates import DateParser
from converter.readers.html import html_paragraphs, html_text
from converter.readers.text import clean, language_tag, split_paragraphs
from converter.records import NewsItem, Source

_ENTRY_TAG = re.compile(
    rb"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)|<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]", re.DOTALL
)
_ENTITY_REFERENCE = re.compile(rb"&([A-Za-z][\w.-]*);")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_ENCODING_DECLARATION = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")
_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_RFC822_DAY = re.compile(r"(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{4})")


def read_feed(
    data: str | bytes,
    name: str,
    *,
    skip_invalid: bool = False,
    dates: DateParser | None = None,
) -> Iterator[NewsItem | ItemError]:
    """Yield the news items of an RSS or Atom feed, one per entry, in feed order.

    Raise :class:`FormatError` for a feed that is not well-formed XML (with the
    line the XML parser reports) or not a feed at all, :class:`EmptyInputError`
    for a feed without entries, and :class:`ItemError` for an entry without a
    title or a date, unless ``skip_invalid`` is true: then the error is yielded
    in the entry's place.
    """
    raw = _to_bytes(data)
    if not raw.strip():
        raise EmptyInputError("the feed is empty", source=name)
    parsed = feedparser.parse(io.BytesIO(raw), resolve_relative_uris=False, sanitize_html=False)
    _check(parsed, raw, name)
    feed = parsed.feed
    base = feed.get("link") if _is_web_address(feed.get("link")) else None
    language = feed.get("language")
    parser = dates or DateParser()
    lines = _entry_lines(raw, len(parsed.entries))
    for position, entry in enumerate(parsed.entries, 1):
        line = lines[position - 1]
        try:
            yield NewsItem(
                date=_entry_date(entry, parser),
                headline=_headline(entry),
                paragraphs=_paragraphs(entry),
                source=Source(name=name, line=line, position=position),
                url=_url(entry.get("link"), base),
                language=_language(entry, language),
            )
        except ItemError as exc:
            exc.source, exc.line = name, line
            if not skip_invalid:
                raise
            yield exc


def _to_bytes(data: str | bytes) -> bytes:
    """Return the feed as bytes; a string is encoded as UTF-8 and declared so."""
    if isinstance(data, bytes):
        return data
    data = data.removeprefix("\ufeff")
    data = _ENCODING_DECLARATION.sub(r"\1\2utf-8\2", data, count=1)
    return data.encode("utf-8", "replace")


def _check(parsed: Mapping[str, Any], raw: bytes, name: str) -> None:
    """Raise the error a feed that cannot be trusted deserves."""
    error = parsed.get("bozo_exception") if parsed.get("bozo") else None
    entries = parsed.get("entries") or []
    if isinstance(error, xml.sax.SAXException) and not (
        entries and _only_html_entities(error, raw)
    ):
        raise FormatError(
            f"malformed feed: {error.getMessage()}", source=name, line=_error_line(error, raw)
        )
    if entries:
        return
    if error is not None:
        raise FormatError(f"not a readable RSS or Atom feed: {error}", source=name)
    if not parsed.get("version"):
        raise FormatError("not an RSS or Atom feed", source=name, line=1)
    raise EmptyInputError("the feed has no entries", source=name)


def _only_html_entities(error: xml.sax.SAXException, raw: bytes) -> bool:
    """Tell whether the error is an HTML entity such as ``&nbsp;`` that XML does not know.

    Feeds often carry them; feedparser's lenient parser reads them right, so
    they are no reason to refuse the feed. Any other undefined entity is.
    """
    if "undefined entity" not in error.getMessage():
        return False
    names = {m.group(1) for m in _ENTITY_REFERENCE.finditer(raw)} - _XML_ENTITIES
    return all(name.decode("ascii", "replace") + ";" in html5 for name in names)


def _error_line(error: xml.sax.SAXException, raw: bytes) -> int | None:
    """Return the input line of a SAX error, undoing the lines feedparser adds or removes.

    feedparser puts an XML declaration on a line of its own before a document
    that has none, and rewrites the DOCTYPE; both happen before the first
    element, so the difference in line count is the shift.
    """
    if not isinstance(error, xml.sax.SAXParseException):
        return None
    line = error.getLineNumber()
    if not isinstance(line, int) or line < 1:
        return None
    body = raw.removeprefix(codecs.BOM_UTF8)
    parsed = body if body.startswith(b"<?xml") else b"<?xml version='1.0'?>\n" + body
    _, rewritten, _ = replace_doctype(parsed)
    return max(1, line - rewritten.count(b"\n") + body.count(b"\n"))


def _entry_lines(raw: bytes, count: int) -> list[int]:
    """Return the line of each entry's start tag, or line 1 when they cannot be told apart."""
    lines = []
    done, line = 0, 1
    for found in _ENTRY_TAG.finditer(raw):
        if found.group(1) is None:
            line += raw.count(b"\n", done, found.start())
            done = found.start()
            lines.append(line)
    return lines if len(lines) == count else [1] * count


def _entry_date(entry: Mapping[str, Any], parser: DateParser) -> dt.date:
    """Return the date an entry was published, checked to be a plausible one."""
    found = _stated_date(entry, parser)
    if not 1900 <= found.year <= 2100:
        raise ItemError(f"implausible date {found.isoformat()}", field="date")
    return found


def _stated_date(entry: Mapping[str, Any], parser: DateParser) -> dt.date:
    """Return the date an entry was published (else updated), as the feed states it.

    The date written in the feed is kept rather than feedparser's UTC reading,
    which moves an evening item in the Americas to the next day.
    """
    for key in ("published", "updated", "created"):
        stated = entry.get(key)
        if not stated:
            continue
        if found := _ISO_DAY.match(stated):
            year, month, day = (int(g) for g in found.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ItemError(f"invalid date {stated!r}", field="date") from None
        if found := _RFC822_DAY.search(stated):
            try:
                day_line = parser.parse_listing_date(" ".join(found.groups()))
            except ItemError:
                day_line = None
            if day_line is not None:
                return day_line
        moment = entry.get(key + "_parsed")
        if moment is not None:
            return dt.date(moment.tm_year, moment.tm_mon, moment.tm_mday)
        raise ItemError(f"unreadable date {stated!r}", field="date")
    raise ItemError("entry has no date", field="date")


def _headline(entry: Mapping[str, Any]) -> str:
    """Return the entry's title as plain text."""
    title = entry.get("title") or ""
    detail = entry.get("title_detail") or {}
    headline = html_text(title) if "html" in (detail.get("type") or "") else clean(title)
    if not headline:
        raise ItemError("entry has no title", field="headline")
    return headline


def _paragraphs(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the paragraphs of the entry's content, else of its summary."""
    candidates = [*(entry.get("content") or []), entry.get("summary_detail") or {}]
    for detail in candidates:
        value = detail.get("value") or ""
        if value.strip():
            if "html" in (detail.get("type") or "text/html"):
                return html_paragraphs(value)
            return split_paragraphs(value)
    return ()


def _url(link: str | None, base: str | None) -> str | None:
    """Return the entry's absolute web address, or None."""
    if not link:
        return None
    link = link.strip()
    if base and not _is_web_address(link):
        link = urljoin(base, link)
    return link if _is_web_address(link) and not any(c.isspace() for c in link) else None


def _is_web_address(value: str | None) -> bool:
    """Tell whether ``value`` is an absolute http(s) address."""
    return bool(value) and str(value).lower().startswith(("http://", "https://"))


def _language(entry: Mapping[str, Any], feed_language: str | None) -> str | None:
    """Return the entry's language as a BCP 47 tag (from xml:lang or <language>)."""
    details = [
        entry.get("title_detail"),
        *(entry.get("content") or []),
        entry.get("summary_detail"),
    ]
    for value in [*(d.get("language") for d in details if d), feed_language]:
        tag = language_tag(value)
        if tag:
            return tag
    return None
