"""Choose a representation: one table of formats and small pure functions over it.

An explicit suffix (``.ttl``) wins over ``Accept``; among media ranges the
most specific one that matches a format sets its quality (RFC 9110 §12.5.1);
ties go to the documented default (Turtle), then to the table's order. No
``Accept`` header, or ``*/*``, therefore gives Turtle; browsers, which ask for
``text/html`` by name, get HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Format:
    """One representation the server offers."""

    name: str
    suffix: str
    media_type: str
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        """Return the media type and every alias it also answers to."""
        return (self.media_type, *self.aliases)


HTML = Format("html", "html", "text/html", "HTML", ("application/xhtml+xml",))
TURTLE = Format("turtle", "ttl", "text/turtle", "Turtle", ("application/x-turtle", "text/n3"))
JSONLD = Format("jsonld", "jsonld", "application/ld+json", "JSON-LD", ("application/json",))
NTRIPLES = Format("ntriples", "nt", "application/n-triples", "N-Triples", ("text/plain",))
RDFXML = Format("rdfxml", "rdf", "application/rdf+xml", "RDF/XML", ("application/xml", "text/xml"))

#: Every representation of a resource, in the order of preference on ties.
FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
#: What ``*/*`` or a missing ``Accept`` header gets.
DEFAULT = TURTLE
BY_SUFFIX = {f.suffix: f for f in FORMATS}

#: Languages the HTML pages are written in, the first being the fallback.
LANGUAGES: tuple[str, ...] = ("en", "es")


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """Return how precisely this range matches ``media_type`` (-1: it does not)."""
        major, _, minor = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == major and self.subtype == "*":
            return 1
        if self.type == major and self.subtype == minor:
            return 2
        return -1


def parse_accept(header: str) -> list[MediaRange]:
    """Return the media ranges of an ``Accept`` header; malformed entries are skipped."""
    ranges = []
    for item in header.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        major, slash, minor = kind.lower().partition("/")
        if not slash or not major or not minor:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _quality(value)
                break
        ranges.append(MediaRange(major, minor, q))
    return ranges


def _quality(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        return 0.0
    return value if 0.0 <= value <= 1.0 else 0.0


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """Return the quality the client gives ``media_type`` and how specifically it said so."""
    best: tuple[int, float] = (-1, 0.0)
    for media_range in ranges:
        level = media_range.specificity(media_type)
        if level < 0:
            continue
        if level > best[0] or (level == best[0] and media_range.q > best[1]):
            best = (level, media_range.q)
    return best[1], best[0]


def negotiate(
    accept: str | None,
    suffix: str | None = None,
    *,
    formats: Sequence[Format] = FORMATS,
    default: Format = DEFAULT,
) -> Format | None:
    """Return the format to answer with, or ``None`` when nothing offered is acceptable.

    A known ``suffix`` decides alone. Without an ``Accept`` header the default is
    used.
    """
    if suffix is not None:
        return next((f for f in formats if f.suffix == suffix), None)
    if accept is None or not accept.strip():
        return default
    ranges = parse_accept(accept)
    if not ranges:
        return default
    scored = []
    for position, fmt in enumerate(formats):
        q, level = max(quality(ranges, t) for t in fmt.media_types)
        if q > 0:
            scored.append((q, fmt is default, level, -position, fmt))
    if not scored:
        return None
    return max(scored, key=lambda entry: entry[:4])[4]


def split_suffix(path: str) -> tuple[str, Format | None]:
    """Split a known format suffix off a path: ``news/x.ttl`` → (``news/x``, Turtle)."""
    head, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in BY_SUFFIX:
        return head, BY_SUFFIX[ext]
    return path, None


def choose_language(accept_language: str | None, offered: Sequence[str] = LANGUAGES) -> str:
    """Return the offered language the client prefers (the first offered one by default)."""
    best = (0.0, -len(offered), offered[0])
    for item in (accept_language or "").split(","):
        tag, *params = (part.strip() for part in item.split(";"))
        tag = tag.lower()
        if not tag:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _quality(value)
        for position, language in enumerate(offered):
            matches = tag == "*" or tag == language or tag.split("-")[0] == language
            if matches and q > 0 and (q, -position) > best[:2]:
                best = (q, -position, language)
    return best[2]
