"""List news items with their headlines, for the home page and the ``/news`` pages."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import SDO

from miglod.store import Listing
from server.i18n import format_date
from server.state import State
from server.views import PageBuilder, Value

_HEADLINES = """
PREFIX schema: <https://schema.org/>
SELECT ?s ?headline WHERE { VALUES ?s { %s } ?s schema:headline ?headline }
"""


def headlines(st: State, iris: list[str], language: str) -> dict[str, Literal]:
    """Return one headline per item, in ``language`` when the item has one in it.

    One query answers for the items already folded into the store's current
    generation; an item written since (still in the store's journal, which
    queries do not see yet) is read from its description instead.
    """
    found: dict[str, Literal] = {}
    if iris:
        values = " ".join(f"<{iri}>" for iri in iris)
        rows = st.store.query(_HEADLINES % values, timeout=10).rows
        for subject, headline in rows:
            _keep(found, str(subject), headline, language)
        for iri in iris:
            if iri not in found:
                for s, p, o in st.describe(iri).triples:
                    if p == SDO.headline and str(s) == iri:
                        _keep(found, iri, o, language)
    return found


def _keep(found: dict[str, Literal], iri: str, headline: object, language: str) -> None:
    if isinstance(headline, Literal):
        best = found.get(iri)
        if best is None or headline.language == language:
            found[iri] = headline


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
