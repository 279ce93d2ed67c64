"""Build the mapping's terms as N-Triples text, for output that is written as N-Triples anyway.

:class:`~converter.terms.Terms` builds rdflib terms, which an N-Triples writer
then formats again: two steps of a microsecond or so for each of the thirty-five
triples of an item. :class:`LineTerms` has the same attributes and methods, but
each term is its N-Triples form already (``<iri>``, ``"text"@en``), so the
mapping's triples are ready to be joined into lines. Recurring terms are
formatted once from the rdflib term :class:`~converter.terms.Terms` would build,
so that both give the same bytes; the per-item literals are formatted directly
as :func:`converter.ntriples.literal` would format them.
"""

from __future__ import annotations

import datetime as dt

from rdflib import XSD, Literal, URIRef

from converter.iris import Iris
from converter.ntriples import escape, literal, term
from converter.terms import Memory, Terms, plain_literal

_INTEGER = f"^^<{XSD.integer}>"
_DATE = f"^^<{XSD.date}>"  # as date_literal makes it: the ISO form, typed xsd:date


class LineLiterals:
    """Make plain, language-tagged and integer literals as N-Triples text."""

    def __init__(self) -> None:
        self._languages: set[str] = set()  # tags rdflib took as they are once

    def text(self, value: str, language: str) -> str:
        """Return ``value`` tagged with ``language`` (a BCP 47 tag)."""
        if language in self._languages:
            return f'"{escape(value)}"@{language}'
        made = Literal(value, lang=language, normalize=False)  # raises for a bad tag
        if made.language == language:
            self._languages.add(language)
        return literal(made)

    def string(self, value: str) -> str:
        """Return ``value`` as a plain string literal."""
        return f'"{escape(value)}"'

    def integer(self, value: int) -> str:
        """Return ``value`` as an ``xsd:integer`` literal."""
        if type(value) is int:
            return f'"{value}"{_INTEGER}'
        return literal(Literal(value))


class LineTerms:
    """Hold the mapping's terms as N-Triples text; see :class:`~converter.terms.Terms`.

    Build one per mapping context: the memories live on the instance.
    """

    def __init__(self, iris: Iris, generated_at: dt.datetime, converter_version: str) -> None:
        rdf = Terms(iris, generated_at, converter_version)
        for name, value in vars(rdf).items():
            if isinstance(value, URIRef | Literal):
                setattr(self, name, term(value))
        self.attendance_modes = {k: term(v) for k, v in rdf.attendance_modes.items()}
        self.literals = LineLiterals()
        self._base = iris.base
        self.country: Memory[str, str] = Memory(lambda code: term(iris.country(code)))
        self.organization: Memory[str, str] = Memory(lambda slug: term(iris.organization(slug)))
        self.place: Memory[str, str] = Memory(lambda slug: term(iris.place(slug)))
        self.concept: Memory[str, str] = Memory(lambda path: term(iris.concept(path)))
        self.theme_concept: Memory[str, str] = Memory(lambda slug: term(iris.theme(slug)))
        self.schema_class: Memory[str, str] = Memory(lambda name: term(rdf.schema_class[name]))
        self.plain: Memory[str, str] = Memory(lambda value: literal(plain_literal(value)))
        self.number: Memory[int, str] = Memory(lambda value: literal(Literal(value)))
        self.date: Memory[dt.date, str] = Memory(lambda value: f'"{value.isoformat()}"{_DATE}')

    # The attributes copied from Terms, declared for the type checker.
    type: str
    label: str
    references: str
    news_article: str
    person: str
    identifier: str
    headline: str
    date_published: str
    in_language: str
    publisher: str
    abstract: str
    article_body: str
    url: str
    mentions: str
    about: str
    dateline: str
    location_created: str
    name: str
    honorific_prefix: str
    job_title: str
    affiliation: str
    subject_of: str
    start_date: str
    end_date: str
    attendance_mode: str
    location: str
    organizer: str
    was_derived_from: str
    generated_at_time: str
    entity: str
    theme: str
    framework: str
    describes_event: str
    event_category: str
    participant_count: str
    converter_version: str
    source_line: str
    source_position: str
    generated_at: str
    version: str

    def news_iri(self, item_id: str) -> str:
        """Return the IRI of a news item."""
        return f"<{self._base}id/news/{item_id}>"

    def source_iri(self, item_id: str) -> str:
        """Return the IRI of the source of a news item."""
        return f"<{self._base}id/news/{item_id}#source>"

    def person_iri(self, slug: str) -> str:
        """Return the IRI of a person."""
        return f"<{self._base}id/person/{slug}>"

    def event_iri(self, event_id: str) -> str:
        """Return the IRI of an event."""
        return f"<{self._base}id/event/{event_id}>"

    def web_iri(self, url: str) -> str:
        """Return an IRI given in the input (an item's URL)."""
        return term(URIRef(url))
