"""Find the migration frameworks, compacts and regional processes an item names.

The names live in ``converter/data/frameworks.json`` (documented in
``converter/data/README-themes.md``). Only explicit mentions count: a text about
"migration governance" in general is not linked to the Migration Governance
Framework unless it names it.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from converter.extract.themes import SEPARATORS, PhraseMatcher

_ACRONYM = re.compile(r"^[A-Za-z0-9]+$")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9]*")
GCM_OBJECTIVES = 23

# "objective 10", "objectives 9 and 10", "objetivos 9, 10 y 11"
_OBJECTIVES = re.compile(
    r"(?i:\bobje(?:ctive|tivo)s?\s+(?:n[or]?\.?\s*)?"
    r"(\d{1,2}(?:\s*(?:,|and|y|&)\s*\d{1,2})*)(?![.,]?\d))"
)
_NUMBER = re.compile(r"\d{1,2}")
# SEPARATORS for ASCII bytes: what is not a letter or a digit becomes a space.
_SEPARATE = bytes(c if chr(c).isalnum() else 0x20 for c in range(128)) + bytes(range(128, 256))
_SDG_NEAR = re.compile(r"(?i:sustainable development|desarrollo sostenible|\bsdgs?\b|\bods\b)")


def strip_accents(text: str) -> str:
    """Return ``text`` with accents removed, keeping case (``Migración`` -> ``Migracion``)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


@dataclass(frozen=True, slots=True)
class Guard:
    """Conditions under which an ambiguous name or acronym counts as a mention."""

    near: tuple[str, ...] = ()  # one of these must occur within ``window`` tokens
    not_near: tuple[str, ...] = ()  # none of these may occur within ``window`` tokens
    unless: tuple[str, ...] = ()  # none of these may occur anywhere in the text
    window: int = 25

    def allows(self, tokens: list[str], start: int, end: int) -> bool:
        """Return whether a match of ``tokens[start:end]`` (folded) passes the guard."""
        around = " ".join(tokens[max(0, start - self.window) : end + self.window])
        if self.near and not any(word in around for word in self.near):
            return False
        if any(word in around for word in self.not_near):
            return False
        return not self.unless or not any(word in " ".join(tokens) for word in self.unless)


@dataclass(frozen=True, slots=True)
class _Entry:
    slug: str
    guard: Guard | None
    acronym: str | None = None  # the exact spelling an acronym must have


class FrameworkIndex:
    """Find framework mentions in a text by token lookups.

    Names match case-insensitively and without accents; acronyms match as
    written (``GCM`` but not ``gcm``). Build the index once and reuse it.
    ``data`` replaces the packaged ``frameworks.json`` (same structure).
    """

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        if data is None:
            source = resources.files("converter.data").joinpath("frameworks.json")
            data = json.loads(source.read_text(encoding="utf-8"))
        self.labels: dict[str, dict[str, str]] = {}
        self._entries: list[_Entry] = []
        names: list[tuple[str, int]] = []
        for slug, spec in data["frameworks"].items():
            self.labels[slug] = dict(spec.get("labels", {}))
            items: list[tuple[str, bool, Guard | None]]
            items = [(name, False, None) for name in spec.get("names", ())]
            items += [(acronym, True, None) for acronym in spec.get("acronyms", ())]
            items += [
                (guarded["pattern"], bool(guarded.get("acronym")), self._guard(guarded))
                for guarded in spec.get("guarded", ())
            ]
            for text, is_acronym, guard in items:
                if is_acronym and not _ACRONYM.match(text):
                    raise ValueError(f"bad acronym {text!r} for framework {slug!r}")
                # An acronym is looked up in lower case, then checked as written.
                names.append((text.lower() if is_acronym else text, len(self._entries)))
                self._entries.append(_Entry(slug, guard, text if is_acronym else None))
        self._patterns = tuple(names)
        self._names = PhraseMatcher(names)
        self.slugs: tuple[str, ...] = tuple(self.labels)

    @staticmethod
    def _guard(spec: Mapping[str, Any]) -> Guard:
        def words(key: str) -> tuple[str, ...]:
            values: Sequence[str] = spec.get(key, ())
            return tuple(strip_accents(value).lower() for value in values)

        window = int(spec.get("window", 25))
        return Guard(words("near"), words("not_near"), words("unless"), window)

    def find(self, text: str) -> list[str]:
        """Return the concept paths (``framework/gcm``, ``gcm/objective-10``) ``text`` names.

        Paths are relative to ``def/``, in order of first mention, without repeats.
        """
        plain = strip_accents(text)
        return self.find_tokens(text, plain.lower().translate(SEPARATORS).split())

    def find_tokens(self, text: str, tokens: list[str]) -> list[str]:
        """Return what :meth:`find` returns, given the text's tokens.

        ``tokens`` are the text without accents, in lower case, split on every
        character that is not an ASCII letter or digit.
        """
        return self.find_matches(text, tokens, self._names.matches(tokens))

    def patterns(self) -> list[tuple[str, int]]:
        """Return the names and acronyms with their keys, as the index's matcher holds them."""
        return list(self._patterns)

    def find_matches(
        self, text: str, tokens: list[str], found_names: set[tuple[int, int, int]]
    ) -> list[str]:
        """Return what :meth:`find` returns, given the tokens and the matches of :meth:`patterns`.

        ``found_names`` are the ``(key, start, end)`` a :class:`PhraseMatcher`
        of those patterns finds in ``tokens``.
        """
        if not found_names:
            return []
        plain = strip_accents(text)
        written: list[str] | None = None
        # Longest mention first, so "Global Compact on Refugees" beats "Global Compact".
        candidates = sorted(
            found_names, key=lambda match: (match[1] - match[2], match[1], match[0])
        )
        taken: list[tuple[int, int, str]] = []
        for key, start, end in candidates:
            entry = self._entries[key]
            if entry.acronym is not None:
                # ``plain`` is ASCII: translating its bytes is the cheaper way to its words.
                written = written or plain.encode("ascii").translate(_SEPARATE).decode().split()
                if written[start] != entry.acronym:
                    continue
            if _overlaps(start, end, taken):
                continue
            if entry.guard is None or entry.guard.allows(tokens, start, end):
                taken.append((start, end, entry.slug))
        taken.sort()
        found = dict.fromkeys("framework/" + slug for _, _, slug in taken)
        gcm = [(start, end) for start, end, slug in taken if slug == "gcm"]
        if gcm:
            found.update(dict.fromkeys(f"gcm/objective-{n}" for n in _gcm_objectives(plain, gcm)))
        return list(found)


def _overlaps(start: int, end: int, taken: list[tuple[int, int, str]]) -> bool:
    """Tell whether tokens ``start..end`` overlap a mention ``taken`` already."""
    for s, e, _ in taken:  # noqa: SIM110 - a loop: any() builds a generator on each call
        if start < e and s < end:
            return True
    return False


def _gcm_objectives(plain: str, mentions: list[tuple[int, int]], reach: int = 120) -> list[int]:
    """Return the GCM objective numbers cited within ``reach`` characters of a GCM mention.

    ``mentions`` are token spans; they are turned into character spans here,
    which is only needed for the rare texts that name the Compact.
    """
    # ``plain`` is ASCII, so an objective ("objective", "objetivo" in any case) needs "obje".
    cited = list(_OBJECTIVES.finditer(plain)) if "obje" in plain.lower() else []
    if not cited:
        return []
    last = max(end for _, end in mentions)  # the tokens after the last mention are not needed
    offsets = [match.span() for match in itertools.islice(_TOKEN.finditer(plain), last)]
    spans = [(offsets[start][0], offsets[end - 1][1]) for start, end in mentions]
    numbers: list[int] = []
    for match in cited:
        start, end = match.span()
        if not any(s - reach <= end and start <= e + reach for s, e in spans):
            continue
        if _SDG_NEAR.search(plain, max(0, start - 40), end + 40):
            continue
        for number in _NUMBER.findall(match.group(1)):
            value = int(number)
            if 1 <= value <= GCM_OBJECTIVES and value not in numbers:
                numbers.append(value)
    return numbers
