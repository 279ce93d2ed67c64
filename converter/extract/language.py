"""Tell which language a news item is written in (a BCP 47 primary tag).

A count of function words that belong to one language only settles almost
every news item in a few microseconds; short or mixed texts fall back to
py3langid (Lui & Baldwin's langid.py model, shipped inside the ``py3langid``
package and loaded from it without any network access), restricted to the
languages the project publishes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from py3langid.langid import MODEL_FILE, LanguageIdentifier


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words that occur in one of the four languages and not in the other
# three. Words two of them share ("de", "que", "la", "para", "mais", "como")
# or that mean something common in another ("dos" and "o" in Spanish, "les"
# in Spanish, "está" in both Spanish and Portuguese) are left out.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and of to is are was were for with that this on by from at its their has have "
        "be been which who will an or it not in"
    ),
    "es": _words(
        "el los las del y con una su sus al lo fue ha han también pero muy cuando hasta "
        "donde sin según más"
    ),
    "fr": _words(
        "le des du et qui pour dans une sur au aux avec est sont ce cette ses leur leurs "
        "ont été pas ne il elle nous vous par"
    ),
    "pt": _words(
        "os do da das em na nas um uma com pelo pela pelos pelas seu sua seus suas "
        "é são foi não ao aos também já estão"
    ),
}

_WORD = re.compile(r"[^\W\d_][^\W\d_]*")
# Every byte but a-z becomes a space: the words of a lower-case ASCII text, split in bytes.
_NOT_A_TO_Z = bytes(c if 0x61 <= c <= 0x7A else 0x20 for c in range(256))
# Every Latin-1 byte that is no letter for _WORD becomes a space: the words of a Latin-1 text.
_NOT_A_LETTER = bytes(c if _WORD.fullmatch(chr(c)) else 0x20 for c in range(256))
_THREE_LETTER = {"eng": "en", "spa": "es", "fra": "fr", "fre": "fr", "por": "pt"}
UNDETERMINED = "und"


def primary_tag(tag: str | None) -> str | None:
    """Return the lower-case primary subtag of a language tag (``es-419`` -> ``es``)."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    primary = _THREE_LETTER.get(primary, primary)
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


class LanguageDetector:
    """Detect the language of a text among a few languages.

    Build it once and reuse it. ``languages`` restricts the fallback model;
    ``sample`` is how many characters the word count reads first; when they do
    not settle it, four times as many are read. The py3langid model is loaded
    on the first text the word count cannot settle.
    """

    def __init__(
        self,
        languages: Iterable[str] = ("en", "es", "fr", "pt"),
        *,
        sample: int = 250,
        min_words: int = 3,
        ratio: float = 2.0,
    ) -> None:
        self.languages = tuple(languages)
        if not self.languages:
            raise ValueError("LanguageDetector needs at least one language")
        self.sample = sample
        self.min_words = min_words
        self.ratio = ratio
        self._lookup: dict[str, str] = {}
        for language in self.languages:
            for word in STOP_WORDS.get(language, ()):
                self._lookup[word] = language
        # The ASCII words again, in bytes: a word of an ASCII text can only be one of them.
        self._ascii_lookup = {
            word.encode("ascii"): language
            for word, language in self._lookup.items()
            if word.isascii()
        }
        # And in Latin-1, for the texts written in it ("también", "não"): most of ours.
        self._latin_lookup = {
            word.encode("latin-1"): language
            for word, language in self._lookup.items()
            if max(word) <= "\xff"
        }
        self._model: LanguageIdentifier | None = None

    def counts(self, text: str) -> dict[str, int]:
        """Return how many one-language function words of each language ``text`` has."""
        lowered = text.lower()
        if lowered.isascii():
            # A word is then a run of a-z: translating bytes is faster than a pattern.
            ascii_words = lowered.encode("ascii").translate(_NOT_A_TO_Z).split()
            found = list(filter(None, map(self._ascii_lookup.get, ascii_words)))
        else:
            try:
                latin = lowered.encode("latin-1")
            except UnicodeEncodeError:
                found = list(filter(None, map(self._lookup.get, _WORD.findall(lowered))))
            else:  # one byte a character: translating the bytes is faster than the pattern
                latin_words = latin.translate(_NOT_A_LETTER).split()
                found = list(filter(None, map(self._latin_lookup.get, latin_words)))
        # A few counts of a short list, in C, beat building a Counter.
        return {language: found.count(language) for language in self.languages}

    def _decide(self, counts: dict[str, int], min_words: int, ratio: float) -> str | None:
        """Return the leading language when it leads clearly enough, else None."""
        ranked = sorted(counts.items(), key=lambda pair: -pair[1])
        best, best_count = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        if best_count >= min_words and best_count >= ratio * runner_up:
            return best
        return None

    def _overrules(self, counts: dict[str, int], stated: str) -> str | None:
        """Return the language that makes a declared ``stated`` implausible, if any."""
        leader = max(counts, key=counts.__getitem__)
        if leader == stated:
            return None
        if stated in counts:
            # A declared language we model must itself be nearly absent.
            need = max(self.min_words + 1, 2 * self.ratio * (counts[stated] + 1))
            return leader if counts[leader] >= need else None
        # Other languages share some short words with ours: ask for strong evidence.
        strong = self._decide(counts, 2 * self.min_words + 2, 2 * self.ratio)
        return strong if strong == leader else None

    def _classify(self, text: str) -> str:
        """Ask py3langid, loading its model on first use."""
        if self._model is None:
            model = LanguageIdentifier.from_model_file(MODEL_FILE)
            model.set_languages(list(self.languages))
            self._model = model
        language, _score = self._model.classify(text[: 4 * self.sample])
        return str(language)

    def detect(self, text: str, declared: str | None = None) -> str:
        """Return the language of ``text`` as a BCP 47 primary tag.

        A ``declared`` language (from a feed or a JSON record) wins unless the
        text clearly says otherwise. Text without letters gives the declared
        language or ``"und"``.
        """
        stated = primary_tag(declared)
        counts = self.counts(text[: self.sample])
        if stated is not None:
            other = self._overrules(counts, stated)
            leader = max(counts, key=counts.__getitem__)
            if other is None and len(text) > self.sample and counts[leader] and leader != stated:
                other = self._overrules(self.counts(text[: 4 * self.sample]), stated)
            return other or stated
        decided = self._decide(counts, self.min_words, self.ratio)
        if decided is None and len(text) > self.sample:
            decided = self._decide(self.counts(text[: 4 * self.sample]), self.min_words, self.ratio)
        if decided is not None:
            return decided
        if not _WORD.search(text):
            return UNDETERMINED
        return self._classify(text)
