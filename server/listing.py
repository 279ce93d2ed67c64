"""List news items with their headlines, for the home page and the ``/news`` pages."""

from __future__ import annotations

from rdflib import Literal

from miglod.store import Listing
from server.i18n import format_date
from server.state import State
from server.views import PageBuilder, Value

_HEADLINES = """
PREFIX schema: <https://schema.org/>
SELECT ?s ?headline WHERE { VALUES ?s { %s } ?s schema:headline ?headline }
"""


def headlines(st: State, iris: list[str], language: str) -> dict[str, Literal]:
    """Return one headline per item, in ``language`` when the item has one in it."""
    found: dict[str, Literal] = {}
    if iris:
        values = " ".join(f"<{iri}>" for iri in iris)
        for subject, headline in st.store.query(_HEADLINES % values, timeout=10).rows:
            if isinstance(headline, Literal):
                best = found.get(str(subject))
                if best is None or headline.language == language:
                    found[str(subject)] = headline
    return found


def listed(st: State, listing: Listing, language: str, pages: PageBuilder) -> list[Value]:
    """Return a listing of news items as links with their headlines and dates."""
    found = headlines(st, [iri for iri, _ in listing.items], language)
    shown = []
    for iri, date in listing.items:
        headline = found.get(iri)
        text = str(headline) if headline is not None else iri.rsplit("/", 1)[-1]
        lang = headline.language if headline is not None else None
        shown.append(Value(text, pages.href(iri), lang, note=format_date(date, language)))
    return shown
