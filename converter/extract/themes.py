"""Assign the project's themes to a news item from weighted multilingual rules.

The rules live in ``converter/data/themes.json`` and are explained in
``converter/data/README-themes.md``. A rule is a phrase of one or more tokens;
the classifier folds the text (lower case, accents removed), splits it into
word tokens and looks every token up in a dictionary, so the cost grows with
the length of the text, not with the number of rules.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
_ATOM = re.compile(r"^[a-z0-9]+\*?$")
_MEMO_LIMIT = 20_000  # tokens remembered by a matcher before it starts afresh
T = TypeVar("T")


def fold(text: str) -> str:
    """Return ``text`` in lower case with accents and other marks removed."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return decomposed.encode("ascii", "ignore").decode("ascii")


def tokenize(text: str) -> list[str]:
    """Return the folded word tokens of ``text``."""
    return fold(text).translate(SEPARATORS).split()


Word = tuple[str, ...]  # the alternatives one token may take
Segment = tuple[bool, tuple[Word, ...]]  # (optional?, words)


def parse_pattern(pattern: str) -> list[Segment]:
    """Split a rule pattern into segments of words, each word a tuple of alternatives.

    Tokens are separated by spaces; ``a|b`` offers alternatives, a trailing
    ``*`` matches any word starting with the stem, and words in parentheses
    form an optional segment: ``"strengthen* (the|their) capacit*"``.
    """
    segments: list[Segment] = []
    group: list[Word] | None = None
    for raw in fold(pattern).split():
        opens, closes = raw.startswith("("), raw.endswith(")")
        body = raw[1 if opens else 0 : -1 if closes else None]
        if (opens and group is not None) or (closes and group is None and not opens):
            raise ValueError(f"unbalanced parentheses in rule pattern {pattern!r}")
        word = tuple(body.split("|"))
        if not all(_ATOM.match(atom) for atom in word):
            raise ValueError(f"bad token {raw!r} in rule pattern {pattern!r}")
        if opens:
            group = []
        if group is None:
            segments.append((False, (word,)))
            continue
        group.append(word)
        if closes:
            segments.append((True, tuple(group)))
            group = None
    if group is not None or not any(not optional for optional, _ in segments):
        raise ValueError(f"rule pattern {pattern!r} is unbalanced or has no required word")
    return segments


def expand_pattern(pattern: str) -> list[tuple[str, ...]]:
    """Return every sequence of atoms a rule pattern stands for, sorted."""
    choices: list[list[tuple[str, ...]]] = []
    for optional, words in parse_pattern(pattern):
        options = [tuple(combo) for combo in itertools.product(*words)]
        choices.append([*options, ()] if optional else options)
    return sorted({sum(combo, ()) for combo in itertools.product(*choices)})


@dataclass(frozen=True, slots=True)
class Rule:
    """One weighted rule of a theme."""

    theme: str
    pattern: str
    weight: float
    language: str  # "en", "es", ... or "any"


@dataclass(frozen=True, slots=True)
class Scoring:
    """The numbers that turn rule hits into theme scores and a decision."""

    headline_weight: float = 2.0
    repeat_bonus: float = 0.5
    max_repeats: int = 2
    reference_tokens: int = 150
    threshold: float = 3.0
    relative: float = 0.2
    max_themes: int = 4


# A trie over rule atoms: each node maps an atom to (keys of patterns ending here, children).
_Node = dict[str, tuple[list[int], "_Node"]]
# What a token is worth: the atoms it satisfies and the trie entries it can start.
_Lookup = tuple[tuple[str, ...], tuple[tuple[list[int], _Node], ...]]


class PhraseMatcher:
    """Find where rule patterns occur in a list of folded tokens.

    Every pattern carries an integer key (several patterns may share one). The
    patterns are indexed in a trie of atoms, and the atoms a token satisfies
    are remembered, so matching costs a few dictionary lookups per token.
    """

    def __init__(self, patterns: Iterable[tuple[str, int]]) -> None:
        self._root: _Node = {}
        self._exact: set[str] = set()
        stems: set[str] = set()
        for pattern, key in patterns:
            for sequence in expand_pattern(pattern):
                node = self._root
                for position, atom in enumerate(sequence):
                    keys, children = node.setdefault(atom, ([], {}))
                    if position == len(sequence) - 1:
                        keys.append(key)
                    node = children
                    if atom.endswith("*"):
                        stems.add(atom[:-1])
                    else:
                        self._exact.add(atom)
        self._stems = frozenset(stems)
        self._stem_lengths = sorted({len(stem) for stem in stems})
        self._starts: _Memo[tuple[tuple[list[int], _Node], ...]] = _Memo(self._starts_of)
        self._atoms: _Memo[tuple[str, ...]] = _Memo(self._atoms_of)

    def _lookup(self, token: str) -> _Lookup:
        """Return the atoms ``token`` satisfies (the word itself, matching stems) and the
        trie entries they start, remembering them for the next time."""
        found = [token] if token in self._exact else []
        for length in self._stem_lengths:
            if length > len(token):
                break
            if token[:length] in self._stems:
                found.append(token[:length] + "*")
        starts = tuple(self._root[atom] for atom in found if atom in self._root)
        if len(self._starts) >= _MEMO_LIMIT or len(self._atoms) >= _MEMO_LIMIT:
            self._starts.clear()
            self._atoms.clear()
        atoms = self._atoms[token] = tuple(found)
        self._starts[token] = starts
        return atoms, starts

    def _starts_of(self, token: str) -> tuple[tuple[list[int], _Node], ...]:
        return self._lookup(token)[1]

    def _atoms_of(self, token: str) -> tuple[str, ...]:
        return self._lookup(token)[0]

    def matches(self, tokens: list[str]) -> set[tuple[int, int, int]]:
        """Return the ``(key, start, end)`` of every pattern occurrence, in no set order.

        ``end`` is exclusive. A pattern found twice at the same place (a token
        that satisfies two of its alternatives) is reported once.
        """
        # Added in the order found, repeats and all: the set is the same, to its iteration order.
        return set(self.matches_in_order(tokens))

    def matches_in_order(self, tokens: list[str]) -> list[tuple[int, int, int]]:
        """Return the matches :meth:`matches` returns, in the order they are found.

        A match may come more than once. Adding them to an empty set in this
        order makes the very set :meth:`matches` returns, down to the order it
        iterates in (which the theme scores, sums of floats, depend on).
        """
        # One lookup per token, in C; only the tokens that start a pattern are walked from.
        starting = list(map(self._starts.__getitem__, tokens))
        atoms_of = self._atoms
        found: list[tuple[int, int, int]] = []
        add = found.append
        size = len(tokens)
        for start in itertools.compress(range(size), starting):
            for keys, children in starting[start]:
                for key in keys:
                    add((key, start, start + 1))
                if not children:
                    continue
                frontier = [children]
                position = start + 1
                while frontier and position < size:
                    atoms = atoms_of[tokens[position]]
                    if not atoms:
                        break
                    following: list[_Node] = []
                    for node in frontier:
                        for atom in atoms:
                            deeper = node.get(atom)
                            if deeper is None:
                                continue
                            for key in deeper[0]:
                                add((key, start, position + 1))
                            if deeper[1]:
                                following.append(deeper[1])
                    frontier = following
                    position += 1
        return found


class _Memo(dict[str, T]):
    """Remember a value per token; compute it on first sight (``__missing__``)."""

    __slots__ = ("_compute",)

    def __init__(self, compute: Callable[[str], T]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, token: str) -> T:
        return self._compute(token)


class ThemeClassifier:
    """Score a news item against every theme's rules and keep the convincing ones.

    Build it once and reuse it: the constructor reads and indexes the rules.
    ``data`` replaces the packaged ``themes.json`` (same structure).
    """

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        if data is None:
            source = resources.files("converter.data").joinpath("themes.json")
            data = json.loads(source.read_text(encoding="utf-8"))
        self.scoring = Scoring(**data.get("scoring", {}))
        self.themes: tuple[str, ...] = tuple(data["themes"])
        self.labels: dict[str, dict[str, str]] = {
            slug: dict(spec.get("labels", {})) for slug, spec in data["themes"].items()
        }
        self.rules: list[Rule] = []
        for slug, spec in data["themes"].items():
            for language, pairs in spec.get("rules", {}).items():
                for pattern, weight in pairs:
                    self.rules.append(Rule(slug, pattern, float(weight), language))
        self.languages = frozenset(r.language for r in self.rules) - {"any"}
        # What scoring reads of each rule, unpacked once rather than looked up a match.
        self._scored = [(rule.theme, rule.weight, rule.language) for rule in self.rules]
        bonus, cap = self.scoring.repeat_bonus, self.scoring.max_repeats
        # A rule found once is worth its weight: 1.0 + bonus * 0 is 1.0 exactly.
        self._once = 1.0 + bonus * min(0, cap)
        self._matcher = PhraseMatcher((rule.pattern, i) for i, rule in enumerate(self.rules))

    def patterns(self) -> list[tuple[str, int]]:
        """Return the rule patterns with their keys (rule numbers), as the matcher indexes them."""
        return [(rule.pattern, i) for i, rule in enumerate(self.rules)]

    def _add(
        self,
        scores: dict[str, float],
        found: set[tuple[int, int, int]],
        language: str,
        factor: float,
    ) -> None:
        counts: dict[int, int] = {}
        for key, _, _ in found:
            counts[key] = counts.get(key, 0) + 1
        bonus, cap, once, scored = (
            self.scoring.repeat_bonus,
            self.scoring.max_repeats,
            self._once,
            self._scored,
        )
        for index, count in counts.items():
            theme, weight, rule_language = scored[index]
            if language and rule_language not in (language, "any"):
                continue
            repeat = once if count == 1 else 1.0 + bonus * min(count - 1, cap)
            scores[theme] = scores.get(theme, 0.0) + weight * factor * repeat

    def scores(self, headline: str, body: str, language: str = "") -> dict[str, float]:
        """Return every theme's score for an item (themes without hits are left out).

        ``language`` picks the rules (``en``, ``es``); any other value uses them all.
        """
        return self.scores_tokens(tokenize(headline), tokenize(body), language)

    def scores_tokens(
        self, headline_tokens: list[str], body_tokens: list[str], language: str = ""
    ) -> dict[str, float]:
        """Return every theme's score from the :func:`tokenize` tokens of headline and body."""
        headline = self._matcher.matches(headline_tokens)
        body = self._matcher.matches(body_tokens)
        return self.scores_matches(headline, body, len(body_tokens), language)

    def scores_matches(
        self,
        headline: set[tuple[int, int, int]],
        body: set[tuple[int, int, int]],
        body_length: int,
        language: str = "",
    ) -> dict[str, float]:
        """Return every theme's score from the rule matches in headline and body.

        The matches are what the classifier's :class:`PhraseMatcher` returns
        for the headline's and the body's tokens (``body_length`` of them).
        """
        primary = language.split("-")[0].lower()
        rules_of = primary if primary in self.languages else ""
        scores: dict[str, float] = {}
        self._add(scores, headline, rules_of, self.scoring.headline_weight)
        # Long bodies mention more themes in passing: damp them by sqrt(length).
        extra = body_length / self.scoring.reference_tokens
        self._add(scores, body, rules_of, 1.0 / math.sqrt(max(extra, 1.0)))
        return scores

    def classify(self, headline: str, body: str, language: str = "") -> list[str]:
        """Return the item's theme slugs, best first; ``[]`` when none is convincing.

        A theme is kept when its score reaches the threshold and a set share of
        the best theme's score; at most ``max_themes`` are returned.
        """
        return self.classify_tokens(tokenize(headline), tokenize(body), language)

    def classify_tokens(
        self, headline_tokens: list[str], body_tokens: list[str], language: str = ""
    ) -> list[str]:
        """Return the item's theme slugs from the :func:`tokenize` tokens of headline and body."""
        return self.ranked(self.scores_tokens(headline_tokens, body_tokens, language))

    def ranked(self, scores: dict[str, float]) -> list[str]:
        """Return the theme slugs that ``scores`` make convincing, best first."""
        if not scores:
            return []
        ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
        floor = max(self.scoring.threshold, ranked[0][1] * self.scoring.relative)
        kept = [slug for slug, score in ranked if score >= floor]
        return kept[: self.scoring.max_themes]
