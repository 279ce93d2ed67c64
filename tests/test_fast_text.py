"""The byte-level and pre-filtered text paths give what the plain patterns give."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converter.extract.dateforms import TEXT_FORMS, number_spans, word_before, word_starts
from converter.extract.dates import DateParser
from converter.extract.eventreading import _PUNCTUATION, Reading, unpunctuated
from converter.extract.events import _SENTENCE_BREAK, EventFinder, _sentence_breaks
from converter.extract.frameworks import _SEPARATE
from converter.extract.language import LanguageDetector
from converter.extract.people import PersonFinder
from converter.extract.themes import SEPARATORS
from converter.extract.tokens import Tokenizer
from converter.iris import slugify
from converter.records import NewsItem, Source

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
ASCII = st.text(st.characters(max_codepoint=0x7F), max_size=60)
LATIN = st.text(st.characters(max_codepoint=0xFF), max_size=60)
ANY = st.one_of(TEXT, ASCII, LATIN)
# Sentences made of the pieces a participant count is read from.
PIECES = [
    "1,500", "12.000", "20,", "2021", "45", "1234567", "7", "3.5", "0", " ", "  ", ",", ".", "-",
    "participants", "personas", "people", "young people", "more than", "officials", "from",
    "and", "de", "journalists", "públicos", "funcionarios", "ſ", "İ", "x", "\u00a0", "²",
]  # fmt: skip
SENTENCE = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)


def _slug_reference(text: str, max_length: int) -> str:
    """Return the slug as the word pattern makes it (the former implementation)."""
    if text.isascii():
        ascii_text = text.lower()
    else:
        folded = unicodedata.normalize("NFKD", text)
        ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return slugify("-".join(re.findall(r"[a-z0-9]+", ascii_text)), max_length=max_length)


@given(ANY, st.sampled_from([80, 12, 200]))
def test_slugify_takes_the_runs_of_letters_and_digits(text: str, max_length: int) -> None:
    assert slugify(text, max_length=max_length) == _slug_reference(text, max_length)


@pytest.mark.parametrize(
    ("text", "slug"),
    [("IOM and Panama (2021)", "iom-and-panama-2021"), ("Migración Ñandú", "migracion-nandu")],
)
def test_slugify_examples(text: str, slug: str) -> None:
    assert slugify(text) == slug


@given(ANY)
def test_unpunctuated_is_the_punctuation_pattern(text: str) -> None:
    assert unpunctuated(text) == _PUNCTUATION.sub(" ", text)


@given(ASCII)
def test_framework_separators_in_bytes(text: str) -> None:
    assert text.encode("ascii").translate(_SEPARATE).decode().split() == (
        text.translate(SEPARATORS).split()
    )


def _count_reference(finder: EventFinder, sentence: str) -> int | None:
    """Return the count as trying the pattern at every number gives it."""
    lowered, count = sentence.lower(), finder.count
    if not lowered.isascii() and ("ſ" in lowered or "ı" in lowered or "i̇" in lowered):
        lowered, count = sentence, finder.count_any_case
    for number in re.finditer(r"\d+", sentence):
        after = sentence[number.end() : number.end() + 1]
        if not after or (after not in ",." and not after.isspace()):
            continue
        found = count.match(lowered, number.start())
        if found is not None and not sentence[number.start() - 1 : number.start()].isalnum():
            value = int(found.group(1).replace(",", "").replace(".", ""))
            if value >= 2:
                return value
    return None


@pytest.fixture(scope="module")
def finder() -> EventFinder:
    return EventFinder(DateParser())


@settings(max_examples=300)
@given(SENTENCE)
def test_count_skips_only_numbers_the_pattern_cannot_take(
    finder: EventFinder, sentence: str
) -> None:
    item = NewsItem(dt.date(2021, 1, 1), sentence or "x", (), Source("t", 1, 1))
    read = Reading(finder, item, [sentence], [unpunctuated(sentence)], [set()])
    assert read.count(0) == _count_reference(finder, sentence)


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("On 20, 2021 and 1,500 participants", 1500),
        ("con 12.000 personas", 12000),
        ("1234567 people and 45 officials", 45),
    ],
)
def test_count_examples(finder: EventFinder, sentence: str, count: int) -> None:
    item = NewsItem(dt.date(2021, 1, 1), sentence, (), Source("t", 1, 1))
    assert Reading(finder, item, [sentence], [unpunctuated(sentence)], [set()]).count(0) == count


def test_the_iso_form_comes_last() -> None:
    # DateParser reads a part a form lacks from a group of "iso", never tried before it.
    assert TEXT_FORMS[-1][0] == "iso"


@pytest.fixture(scope="module")
def people() -> PersonFinder:
    return PersonFinder()


@given(st.lists(st.sampled_from(["Director", "minister", "ſub", "²head", "Sra", ",", "xvice"])))
def test_role_stems_found_at_word_starts(people: PersonFinder, words: list[str]) -> None:
    lowered = " ".join(words).lower()
    plain = re.compile(people._stems.pattern.removeprefix("(?<![a-z])"))
    assert plain.pattern != people._stems.pattern

    def starts(pattern: re.Pattern[str]) -> set[int]:
        found = (m.start() for m in pattern.finditer(lowered))
        return {at for at in found if at == 0 or not lowered[at - 1].isalpha()}

    assert starts(people._stems) == starts(plain)


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()


@given(ANY)
def test_fold_is_the_folding_table(tokenizer: Tokenizer, text: str) -> None:
    low = text.replace("İ", "I").lower()
    expected = "".join(c if c.isascii() else tokenizer._table.get(c, " ") for c in low)
    assert tokenizer.fold(text) == expected


@given(ANY)
def test_capitalised_tokens(text: str) -> None:
    tokens = Tokenizer().tokenize(text)
    assert tokens.upper == [k for k, s in enumerate(tokens.starts) if text[s].isupper()]


@given(
    st.one_of(
        ANY,
        st.lists(st.sampled_from(["más", "también", "não", "the", "été", ",", " ", "’"])).map(
            " ".join
        ),
    )
)
def test_language_counts(text: str) -> None:
    detector = LanguageDetector()
    words = re.findall(r"[^\W\d_]+", text.lower())
    expected = {
        lang: sum(detector._lookup.get(w) == lang for w in words) for lang in detector.languages
    }
    assert detector.counts(text) == expected


@given(ANY)
def test_number_spans_are_the_digit_runs(text: str) -> None:
    assert number_spans(text) == [m.span() for m in re.finditer(r"\d+", text)]


@given(
    st.one_of(
        ANY, st.lists(st.sampled_from(["May", "Sept.", " ", "\n", "x²", "5", "."])).map("".join)
    )
)
def test_word_before_is_the_pattern(text: str) -> None:
    pattern = re.compile(r"([^\W\d_]+)\.?\s+$")
    for high in range(len(text) + 1):
        low = max(0, high - 16)
        found = pattern.search(text, low, high)
        assert word_before(text, low, high) == (found.group(1) if found else None)


@given(ANY, st.integers(0, 60), st.integers(0, 60))
def test_word_starts_are_the_words_after_spaces(text: str, position: int, floor: int) -> None:
    position = min(position, len(text))
    low = max(floor, position - 40)
    starts = [m.start() + 1 for m in re.finditer(r"\s\S", text[:position][max(low - 1, 0) :])]
    starts = [s + max(low - 1, 0) for s in starts]
    if low == 0 < position and not text[0].isspace():
        starts.insert(0, 0)
    expected = [(s, re.match(r"\w*", text[s:]).group()) for s in starts[-5:]]  # type: ignore[union-attr]
    assert word_starts(text, position, floor) == expected


@given(st.lists(st.sampled_from(list('ab A.Z.. ?!"”’») \n\tÁ¿¡x1'))).map("".join))
def test_sentence_breaks_are_the_pattern(paragraph: str) -> None:
    expected = [m.span() for m in _SENTENCE_BREAK.finditer(paragraph)]
    assert _sentence_breaks(paragraph) == expected


@given(ANY)
def test_tokens_are_the_runs_of_folded_letters_and_digits(tokenizer: Tokenizer, text: str) -> None:
    tokens = tokenizer.tokenize(text)
    found = list(re.finditer(r"[a-z0-9]+", tokenizer.fold(text)))
    assert tokens.words == [m.group() for m in found]
    assert (tokens.starts, tokens.ends) == ([m.start() for m in found], [m.end() for m in found])
