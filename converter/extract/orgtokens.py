"""Split a text into the words the organisation gazetteer is keyed by, with offsets."""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

from converter.extract.tokens import Tokenizer, Tokens

_SPLIT = re.compile(r"(\w\w*(?:['’]\w+)*)")
_PAREN = re.compile(r"\(\s*(\w+)\s*\)")
SPELLING = dict(organisation="organization", programme="program", labour="labor", centre="center")


def fold_ascii(text: str) -> str:
    """Return ``text`` without accents; letters with no ASCII base are dropped."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@dataclass(slots=True)
class OrgTokens:
    """The words of a text as the organisation gazetteer keys them, with their offsets."""

    text: str
    start: list[int]
    end: list[int]
    norm: list[str]  # lower case, accents and apostrophes removed, one spelling
    parens: list[int]  # words alone between "(" and ")"

    def raw(self, k: int) -> str:
        """Return word ``k`` as written."""
        return self.text[self.start[k] : self.end[k]]

    def upper(self, k: int) -> bool:
        """Tell whether word ``k`` starts with a capital letter."""
        return self.text[self.start[k]].isupper()

    def gap(self, k: int) -> str:
        """Return the text between word ``k - 1`` and word ``k``."""
        return self.text[
            self.end[k - 1] if k > 0 else 0 : self.start[k] if k < len(self.norm) else None
        ]


def tokenize(text: str) -> OrgTokens:
    """Split ``text`` into words with offsets, folded keys and parenthesis flags."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower()[:1] for ch in text)
    parts = _SPLIT.split(lowered)
    bounds = list(accumulate(map(len, parts)))
    words, starts, ends = parts[1::2], bounds[0:-1:2], bounds[1::2]
    if "'" in lowered or "’" in lowered:
        for k, word in enumerate(words):
            if "'" in word or "’" in word:
                if word[-2:] in ("'s", "’s"):
                    word = word[:-2]
                    ends[k] -= 2
                words[k] = word.replace("'", "").replace("’", "")
    if lowered.isascii():
        norms = list(map(SPELLING.get, words, words))
    else:
        norms = [SPELLING.get(w, w) if w.isascii() else fold_ascii(w) for w in words]
    return OrgTokens(text, starts, ends, norms, paren_words(text, starts))


def shared_tokens(text: str, shared: Tokens) -> OrgTokens:
    """Return what :func:`tokenize` returns, from the text's places tokens.

    Only for a text that :func:`sharing_blocker` finds nothing in: then both
    split it into the same words, and a word's folded form is its key here,
    except that the British spellings are only made American in ASCII words.
    """
    words, starts, ends = shared.words, shared.starts, shared.ends
    if SPELLING.keys().isdisjoint(words):  # most texts: a copy, cheaper than a lookup a word
        return OrgTokens(text, starts, ends, list(words), paren_words(text, starts))
    norms = list(map(SPELLING.get, words, words))
    if not text.isascii():
        for k, word in enumerate(words):
            if word in SPELLING and not text[starts[k] : ends[k]].isascii():
                norms[k] = word
    return OrgTokens(text, starts, ends, norms, paren_words(text, starts))


def paren_words(text: str, starts: list[int]) -> list[int]:
    """Return the words that stand alone between parentheses, in order."""
    parens: list[int] = []
    if "(" in text:
        # Where a word alone in parentheses starts is where a token starts: find which.
        for offset in sorted({m.start(1) for m in _PAREN.finditer(text)}):
            k = bisect_left(starts, offset)
            if k < len(starts) and starts[k] == offset:
                parens.append(k)
    return parens


def sharing_blocker(tokenizer: Tokenizer) -> re.Pattern[str]:
    """Return a pattern that finds what makes a text split otherwise here than in ``tokenizer``.

    Both split on what is not a letter or a digit. Here an apostrophe joins
    words and an underscore is part of one, so both block sharing; so does a
    character the two fold differently: a letter that ``tokenizer`` does not
    fold to the ASCII letter its decomposition keeps ("ß", "ĳ"), or that is
    no letter here but is one there. Only Latin letters, general punctuation
    and currency signs are ever let through.
    """
    ranges = itertools.chain(range(0x80, 0x250), range(0x2000, 0x2070), range(0x20A0, 0x20D0))
    safe = []
    for code in ranges:
        char = chr(code)
        lower = char.lower()
        if len(lower) != 1 or lower.isascii() or char in "’İ":
            continue
        folded = tokenizer.fold(char)
        if lower.isalnum():  # a word character (the underscore is ASCII)
            kept = unicodedata.normalize("NFKD", lower).encode("ascii", "ignore").decode("ascii")
            if folded.isalnum() and folded == kept:
                safe.append(char)
        elif folded == " ":
            safe.append(char)
    allowed = "".join(re.escape(c) for c in safe)
    return re.compile(f"[^\\x00-\\x26\\x28-\\x5e\\x60-\\x7f{allowed}]")
