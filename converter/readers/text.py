"""Decode inputs and tidy their text: the helpers every reader shares."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from converter.errors import EmptyInputError, FormatError

# C0 control characters other than tab, newline, vertical tab, form feed and
# carriage return never occur in news text; their presence means binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Characters that are not whitespace to str.split() but must vanish from text:
# zero-width spaces and joiners, word joiners, stray byte order marks, soft hyphens.
_INVISIBLES = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLES}]")
_ODD_SPACES = (
    "\t\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ASCII_ODD = ("  ", "\t", "\n", "\x0b", "\x0c")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def line_of(text: str, index: int) -> int:
    """Return the 1-based line number of character ``index`` in ``text``."""
    return text.count("\n", 0, index) + 1


def decode(data: bytes, name: str) -> str:
    """Decode ``data`` as UTF-8 (a UTF-8 or UTF-16 byte order mark is honoured).

    Raise :class:`FormatError` naming the line of the first byte that is not
    valid UTF-8, which is also how a binary file shows itself.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode("utf-16", "replace").count("\n") + 1
            raise FormatError("invalid UTF-16 data", source=name, line=line) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start});"
            " binary data or another encoding",
            source=name,
            line=line,
        ) from None


def control_character(text: str) -> tuple[int, str] | None:
    """Return where the first NUL or other control character of ``text`` is, and which it is."""
    found = _CONTROL.search(text)
    return None if found is None else (found.start(), found.group())


def check_text(text: str, name: str) -> None:
    """Raise :class:`FormatError` when ``text`` holds NUL or other control characters."""
    found = control_character(text)
    if found is not None:
        raise control_error(name, line_of(text, found[0]), found[1])


def control_error(name: str, line: int, char: str) -> FormatError:
    """Return the error for a control character on ``line``."""
    return FormatError(f"binary data: control character U+{ord(char):04X}", source=name, line=line)


def prepare(text: str, name: str) -> str:
    """Return ``text`` checked for binary data, with ``\\n`` line ends and plain spaces.

    A leading byte order mark goes; odd spaces (non-breaking, thin, tabs...)
    become plain spaces and invisible characters are removed, so that each line
    then needs no more than ``strip()``.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    check_text(text, name)
    return tidy(text)


def tidy(text: str) -> str:
    """Return ``text`` with ``\\n`` line ends, plain spaces and no invisible characters.

    One ``str.replace`` per character that actually occurs is much faster on a
    large input than a regular expression.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for char in _ODD_SPACES:
        if char in text:
            text = text.replace(char, " ")
    for char in _INVISIBLES:
        if char in text:
            text = text.replace(char, "")
    return text


def input_lines(text: str | bytes, name: str, empty: str) -> Iterator[str]:
    """Return the tidied lines of a whole input; raise ``EmptyInputError(empty)`` if blank."""
    if isinstance(text, bytes):
        text = decode(text, name)
    text = prepare(text, name)
    if not text.strip():
        raise EmptyInputError(empty, source=name)
    return iter_lines(text)


def iter_lines(text: str) -> Iterator[str]:
    """Yield the lines of ``text`` (split on ``\\n``) without building a list of them."""
    start = 0
    find = text.find
    while True:
        end = find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def clean(text: str) -> str:
    """Return ``text`` on one line: odd spaces made plain, runs of whitespace collapsed.

    Non-breaking, thin and ideographic spaces, tabs, line breaks and control
    characters all become one space; zero-width characters are removed. Quotes
    and other punctuation are kept as they are.
    """
    if _CONTROL.search(text) is not None:
        text = _CONTROL.sub(" ", text)
    if text.isascii():
        if not any(c in text for c in _ASCII_ODD):
            return text.strip()
        return " ".join(text.split())
    if _INVISIBLE.search(text) is not None:
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Split plain text on blank lines into cleaned, non-empty paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = (clean(part) for part in _BLANK_LINES.split(text))
    return tuple(part for part in parts if part)


def language_tag(value: str | None) -> str | None:
    """Return ``value`` as a tidy BCP 47 tag ("en-us" becomes "en-US"), or None if it is none."""
    if not value or not _LANGUAGE_TAG.fullmatch(value.strip()):
        return None
    subtags = value.strip().replace("_", "-").split("-")
    tidy = [subtags[0].lower()]
    for subtag in subtags[1:]:
        if len(subtag) == 2 and subtag.isalpha():
            tidy.append(subtag.upper())
        elif len(subtag) == 4 and subtag.isalpha():
            tidy.append(subtag.title())
        else:
            tidy.append(subtag.lower())
    return "-".join(tidy)
