"""Build string and integer literals fast, exactly as rdflib's constructor builds them.

``Literal()`` casts, normalises and checks its arguments: a couple of
microseconds a literal, several times the rest of the mapping's work for one.
For a plain string, a language-tagged string and an ``int`` the outcome is
fixed: the lexical form, the language or ``xsd:integer``, the Python value and
no ill-typed flag. :class:`LiteralMaker` sets those four slots itself, once it
has checked on probes that this rdflib builds such literals in that way (else
it keeps calling the constructor), and it lets the constructor vet each
language tag the first time it meets one.
"""

from __future__ import annotations

from rdflib import XSD, Literal
from rdflib.term import URIRef

_XSD_INTEGER = XSD.integer
_PROBE_TEXTS = (('plain "text"\nwith \\ escapes', None), ("Ünïcödé", "en-US"), ("", "es"))
_PROBE_INTEGERS = (0, 7, -3, 10**12)


def _make(lexical: str, language: str | None, datatype: URIRef | None, value: object) -> Literal:
    literal: Literal = str.__new__(Literal, lexical)
    literal._language = language
    literal._datatype = datatype
    literal._value = value
    literal._ill_typed = None
    return literal


def _same(fast: Literal, slow: Literal) -> bool:
    """Tell whether two literals are the same in every slot and every comparison."""
    return (
        str(fast) == str(slow)
        and fast == slow
        and hash(fast) == hash(slow)
        and fast.language == slow.language
        and fast.datatype == slow.datatype
        and type(fast.value) is type(slow.value)
        and fast.value == slow.value
        and fast.ill_typed == slow.ill_typed
    )


def fast_path_holds() -> bool:
    """Tell whether building literals slot by slot gives what this rdflib's constructor gives."""
    try:
        texts = all(
            _same(_make(text, lang, None, text), Literal(text, lang=lang))
            for text, lang in _PROBE_TEXTS
        )
        integers = all(
            _same(_make(str(n), None, _XSD_INTEGER, n), Literal(n)) for n in _PROBE_INTEGERS
        )
    except (AttributeError, TypeError, ValueError):
        return False
    return texts and integers


class LiteralMaker:
    """Make plain, language-tagged and integer literals; build one per conversion."""

    def __init__(self) -> None:
        self.fast = fast_path_holds()
        self._languages: set[str] = set()  # tags the constructor accepted once

    def text(self, value: str, language: str) -> Literal:
        """Return ``value`` tagged with ``language`` (a BCP 47 tag)."""
        if self.fast and language in self._languages:
            return _make(value, language, None, value)
        literal = Literal(value, lang=language, normalize=False)  # raises for a bad tag
        if self.fast and literal.language == language:
            self._languages.add(language)
        return literal

    def string(self, value: str) -> Literal:
        """Return ``value`` as a plain string literal."""
        if self.fast:
            return _make(value, None, None, value)
        return Literal(value, normalize=False)

    def integer(self, value: int) -> Literal:
        """Return ``value`` as an ``xsd:integer`` literal."""
        if self.fast and type(value) is int:
            return _make(str(value), None, _XSD_INTEGER, value)
        return Literal(value)
