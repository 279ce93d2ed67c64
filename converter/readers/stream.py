"""Read a line-based input from an open binary stream, block by block, in constant memory.

A listing or a JSON Lines file is read in blocks of whole lines (about
:data:`BLOCK_SIZE` bytes each); every block is decoded and tidied as
:func:`~converter.readers.text.decode` and :func:`~converter.readers.text.prepare`
tidy a whole text, and its lines are handed on one by one. The caller opens
the stream and passes it in: nothing here opens a file.

The errors are the same as reading the whole input at once, in the same
precedence: an undecodable byte anywhere wins over a control character, which
wins over an input with nothing in it. So :func:`check_stream` reads the
stream once before :func:`stream_lines` reads it again.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from converter.errors import EmptyInputError
from converter.readers.text import (
    control_character,
    control_error,
    decode,
    iter_lines,
    line_of,
    tidy,
)

BLOCK_SIZE = 1 << 20
_BOM = codecs.BOM_UTF8


def _blocks(stream: BinaryIO, size: int) -> Iterator[bytes]:
    """Yield blocks of whole lines (the last may lack its newline) from the stream's start."""
    stream.seek(0)
    while True:
        lines = stream.readlines(size)
        if not lines:
            return
        yield b"".join(lines)


def _decode_block(block: bytes, first: bool) -> str:
    """Decode one block; the first loses a UTF-8 byte order mark."""
    if first and block.startswith(_BOM):
        block = block[len(_BOM) :]
    return block.decode("utf-8")


def check_stream(stream: BinaryIO, name: str, empty: str, *, size: int = BLOCK_SIZE) -> None:
    """Raise what decoding and tidying the whole input would raise, having read it once.

    Raise :class:`~converter.errors.FormatError` for bytes that are not UTF-8 or text with a
    control character, and :class:`EmptyInputError` for an input of blanks
    (``"the input is empty"``) or of nothing but blanks once tidied (``empty``).
    """
    raw_blank, text_blank = True, True
    control: tuple[int, str] | None = None  # (line, character) of the first control character
    lines_before = 0
    for number, block in enumerate(_blocks(stream, size)):
        raw_blank = raw_blank and not block.strip()
        try:
            text = _decode_block(block, number == 0)
        except UnicodeDecodeError:
            decode(b"".join(_blocks(stream, size)), name)  # raises the error a whole read raises
            raise  # pragma: no cover - decode() raised above
        if control is None:
            found = control_character(text)
            if found is not None:
                control = (lines_before + line_of(text, found[0]), found[1])
        if text_blank:
            text_blank = not tidy(text).strip()
        lines_before += block.count(b"\n")
    if raw_blank:
        raise EmptyInputError("the input is empty", source=name)
    if control is not None:
        raise control_error(name, *control)
    if text_blank:
        raise EmptyInputError(empty, source=name)


def stream_lines(stream: BinaryIO, name: str, *, size: int = BLOCK_SIZE) -> Iterator[str]:
    """Yield the tidied lines of a stream that :func:`check_stream` has accepted.

    The lines are those :func:`~converter.readers.text.iter_lines` yields for
    the whole input decoded and prepared, the last (empty) one included.
    """
    ended = True  # whether what came so far ends in a newline (an empty input does)
    for number, block in enumerate(_blocks(stream, size)):
        text = tidy(_decode_block(block, number == 0))
        if text.endswith("\n"):
            yield from iter_lines(text[:-1])
            ended = True
        else:
            yield from iter_lines(text)
            ended = False
    if ended:
        yield ""
