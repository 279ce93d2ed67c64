"""Split text into folded word tokens with offsets, and match token sequences in a trie.

The places, countries and organisations all read a text through these tokens:
a :class:`Tokenizer` folds it once (lower case, accents removed, offsets kept)
and splits it into words; a :class:`PhraseTrie` finds the names that start at a
token, so that a lookup costs what the text costs, not what the gazetteer holds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Sequence
from itertools import accumulate, compress, count
from operator import add, itemgetter
from typing import Any, Generic, TypeVar

# Every byte but a-z and 0-9 becomes a space: a folded text's separators.
_NOT_A_WORD = bytes(c if 0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A else 0x20 for c in range(256))
UPPER = -1  # capitalisation mask: the whole match in capitals, not followed by "$"
T = TypeVar("T")
_END = ""  # trie key of the values stored at a node; never a token


class Tokens:
    """The word tokens of a text: folded words, their spans in the original, the capitalised.

    ``upper`` lists the tokens whose first letter is a capital: names are
    looked for there only, so a scan touches a fraction of the words.
    """

    __slots__ = ("ends", "starts", "text", "upper", "words")

    def __init__(self, text: str, words: list[str], starts: list[int], ends: list[int]) -> None:
        self.text = text
        self.words = words
        self.starts = starts
        self.ends = ends
        # The first letters of the words, in C: the getter returns a tuple from two starts on.
        initials = itemgetter(*starts)(text) if len(starts) > 1 else [text[k] for k in starts]
        self.upper = list(compress(count(), map(str.isupper, initials)))

    def __repr__(self) -> str:
        return f"Tokens({self.text!r}, {self.words!r})"

    def candidates(self, first_words: Container[str]) -> list[int]:
        """Return the capitalised tokens that may start an entry keyed by ``first_words``."""
        words = self.words
        return [k for k in self.upper if words[k] in first_words]


class Tokenizer:
    """Fold text to lower-case ASCII and split it into words, keeping offsets.

    Every Latin letter becomes its ASCII base letter and every other non-ASCII
    character a space, one character for one.
    """

    def __init__(self) -> None:
        table: dict[str, str] = {}
        for cp in range(0x80, 0x250):
            base = unicodedata.normalize("NFKD", chr(cp))[0].lower()
            table[chr(cp)] = base if base.isascii() and base.isalnum() else " "
        table.update(zip("ßæÆøØđĐłŁıİ", "saaooddllii", strict=True))
        self._table = table
        # The same for a text in Latin-1, in bytes: every byte is one character there.
        self._latin = bytes(c if c < 0x80 else ord(table[chr(c)]) for c in range(256))
        self._non_ascii = re.compile(r"[^\x00-\x7f]")
        # "x[x]*", not "x+": a pattern that opens with a character class lets the
        # engine skip to where it can match instead of trying every position.
        self._word = re.compile(r"[a-z0-9][a-z0-9]*")

    def _fold_char(self, match: re.Match[str]) -> str:
        return self._table.get(match.group(), " ")

    def fold(self, text: str) -> str:
        """Return ``text`` folded; character offsets do not change."""
        low = text.replace("İ", "I").lower()  # the one letter whose lower case is longer
        if low.isascii():
            return low
        try:
            latin = low.encode("latin-1")
        except UnicodeEncodeError:
            # Few characters are not ASCII: a pattern that visits only those beats a translation.
            return self._non_ascii.sub(self._fold_char, low)
        return latin.translate(self._latin).decode("ascii")

    def tokenize(self, text: str) -> Tokens:
        """Return the tokens of ``text``.

        The folded text is ASCII: every byte but a-z and 0-9 made a space, it
        splits on single spaces in C into the words and empty strings, one for
        each further separator. A part starts where the lengths of the parts
        before it and the spaces between them end.
        """
        spaced = self.fold(text).encode("ascii").translate(_NOT_A_WORD).decode("ascii")
        parts = spaced.split(" ")
        places = map(add, accumulate(map(len, parts), initial=0), count())
        starts = list(compress(places, parts))
        words = list(filter(None, parts))
        return Tokens(text, words, starts, list(map(add, starts, map(len, words))))

    def key(self, phrase: str) -> tuple[tuple[str, ...], int]:
        """Return the folded words of ``phrase`` and the mask of its capitalised words."""
        words: list[str] = []
        mask = 0
        for k, found in enumerate(self._word.finditer(self.fold(phrase))):
            words.append(found.group())
            if phrase[found.start()].isupper():
                mask |= 1 << k
        if len(words) == 1 and len(phrase) <= 4 and phrase.isupper():
            mask = UPPER  # an acronym: "US", "UK", "DRC"
        return tuple(words), mask


class PhraseTrie(Generic[T]):
    """Map token sequences to values; find every sequence that starts at a token."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}

    def add(self, words: Sequence[str], value: T) -> None:
        """Store ``value`` under the token sequence ``words``."""
        node = self.root
        for word in words:
            node = node.setdefault(word, {})
        node.setdefault(_END, []).append(value)

    def matches(self, words: Sequence[str], i: int) -> list[tuple[int, list[T]]]:
        """Return ``(end, values)`` for each sequence starting at token ``i``, longest first."""
        found: list[tuple[int, list[T]]] = []
        node = self.root.get(words[i])
        j, size = i + 1, len(words)
        while node is not None:
            values = node.get(_END)
            if values is not None:
                found.append((j, values))
            if j == size:
                break
            node = node.get(words[j])
            j += 1
        if len(found) > 1:
            found.reverse()
        return found


def trie_values(node: dict[str, Any]) -> Iterable[list[Any]]:
    """Yield every list of values stored in a trie."""
    stack = [node]
    while stack:
        for key, value in stack.pop().items():
            if key == _END:
                yield value
            else:
                stack.append(value)


def caps_ok(toks: Tokens, i: int, j: int, mask: int) -> bool:
    """Tell whether tokens ``i..j`` are capitalised as ``mask`` requires."""
    text = toks.text
    if mask == UPPER:
        span = text[toks.starts[i] : toks.ends[j - 1]]
        return span.isupper() and text[toks.ends[j - 1] : toks.ends[j - 1] + 1] != "$"
    if mask == 1:  # the commonest mask, a capital first word: no loop
        return text[toks.starts[i]].isupper()
    k = 0
    while mask:
        if mask & 1 and not text[toks.starts[i + k]].isupper():
            return False
        mask >>= 1
        k += 1
    return True
