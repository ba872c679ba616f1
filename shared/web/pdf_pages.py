"""Page furniture shared by Shishi's PDFs: an A4 page with fixed margins, "第 N 页，共 M 页" under every
page, and text wrapped to a width (Chinese has no spaces to break at: any character may end a line,
except that closing punctuation never starts one)."""

from __future__ import annotations

from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 56.7  # 2 cm on every side
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
FLOW_WIDTH = TEXT_WIDTH - 2 * 6  # inside a platypus frame (6 pt padding on each side): charts and tables
FOOTER_TEXT = "第页，共"  # the footer's characters: every document's font must hold them
NO_LINE_START = set("，。、；：？！）》」』”’%,.;:!?)")


def footer(number: int, total: int) -> str:
    return f"第 {number} 页，共 {total} 页"


def numbered_canvas(font: str) -> type[canvas.Canvas]:
    """A canvas class that writes the page number and the page count, in ``font``, under every page
    (the count is known only at the end, so pages are kept until ``save``)."""

    class Numbered(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("initialFontName", font)  # nothing in Helvetica, which would not be embedded
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(font, 8)
                self.setFillColorRGB(0.35, 0.35, 0.35)
                self.drawCentredString(PAGE_WIDTH / 2, MARGIN / 2, footer(number, total))
                super().showPage()
            super().save()

    return Numbered


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (a word of Latin letters or digits is kept whole when it fits)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if line and stringWidth(line + token, font, size) > width and token[0] not in NO_LINE_START:
                lines.append(line.rstrip())
                line = token.lstrip()
                while stringWidth(line, font, size) > width:  # one token wider than the line: cut it
                    cut = max(1, _fits(line, font, size, width))
                    lines.append(line[:cut])
                    line = line[cut:]
            else:
                line += token
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Runs of Latin letters and digits stay together; every other character is a token of its own."""
    tokens: list[str] = []
    for char in text:
        if tokens and char.isascii() and char.isalnum() and tokens[-1][-1].isascii() and tokens[-1][-1].isalnum():
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def _fits(text: str, font: str, size: float, width: float) -> int:
    for n in range(len(text), 0, -1):
        if stringWidth(text[:n], font, size) <= width:
            return n
    return 0
