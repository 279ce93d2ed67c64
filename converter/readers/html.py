"""Turn the HTML of a feed entry into plain paragraphs with the standard library's parser."""

from __future__ import annotations

from html.parser import HTMLParser

from converter.readers.text import split_paragraphs


def _words(text: str) -> frozenset[str]:
    """Return the set of the space-separated words of ``text``."""
    return frozenset(text.split())


# Elements that start or end a paragraph of text.
_BLOCKS = _words(
    "address article aside blockquote caption dd div dl dt figcaption figure footer form"
    " h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th"
    " thead tr ul"
)
# Elements whose content is never text a reader sees.
_HIDDEN = _words("script style template noscript iframe object svg math head title")
_BREAK = "\n\n"


class _ParagraphCollector(HTMLParser):
    """Collect text, turning block boundaries into blank lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a block, a hidden element or a line break."""
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append(_BREAK)
        elif tag == "br":
            # One <br> breaks a line, which joins its paragraph; two make a blank line.
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Treat ``<br/>`` and ``<hr/>`` like their open forms, without opening anything."""
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append(_BREAK)

    def handle_endtag(self, tag: str) -> None:
        """Close a block or a hidden element."""
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append(_BREAK)

    def handle_data(self, data: str) -> None:
        """Keep the text of visible elements."""
        if not self.hidden:
            self.parts.append(data)


def html_paragraphs(markup: str) -> tuple[str, ...]:
    """Return the paragraphs of an HTML fragment as plain text, entities decoded.

    Block elements (``p``, ``div``, ``li``, headings...) and blank lines in the
    text separate paragraphs; a single ``<br>`` only breaks a line. Text with no
    markup at all is split on blank lines, as plain text is.
    """
    if "<" not in markup and "&" not in markup:
        return split_paragraphs(markup)
    collector = _ParagraphCollector()
    collector.feed(markup)
    collector.close()
    return split_paragraphs("".join(collector.parts))


def html_text(markup: str) -> str:
    """Return an HTML fragment (a title, say) as one line of plain text."""
    return " ".join(html_paragraphs(markup))
