"""QR codes (亮码) and printable A4 posters: PNG and SVG through ``segno``, posters as one PDF
(reportlab, every font embedded), and the origin a printed code points at.

A poster names whom or what the code reaches (a deputy, a liaison station, a project site) and
prints its code as vector squares, so it stays sharp at any size. Batch printing puts one poster
per page in one PDF. The same text always gives the same bytes (reportlab's invariant mode, fixed
font timestamps).

The Chinese font is the one every PDF of Shishi embeds (``shared/web/pdf_fonts.py``), lines are
broken by ``shared/web/pdf_pages.wrap``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import segno
from fastapi import Request
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from shared.web.pdf_fonts import register_font
from shared.web.pdf_pages import wrap
from shared.web.requests import public_origin as request_origin

# -- where a printed code points ------------------------------------------------------------


def public_origin(request: Request, configured: str = "") -> str:
    """The origin residents' phones reach: ``SHISHI_PUBLIC_ORIGIN`` when set, else the origin the
    gateway was asked on (``X-Forwarded-Host`` / ``-Proto``), else this request's own."""
    return configured.rstrip("/") if configured else request_origin(request)


# -- QR codes -------------------------------------------------------------------------------

ERROR_LEVEL = "m"  # 15% of the code may be smudged or torn and it still reads


def qr_code(data: str) -> segno.QRCode:
    return segno.make(data, error=ERROR_LEVEL, micro=False)


def qr_png(data: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    qr_code(data).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(data: str, title: str = "") -> bytes:
    out = io.BytesIO()
    qr_code(data).save(out, kind="svg", scale=10, border=4, title=title or None, xmldecl=False)
    return out.getvalue()


# -- posters --------------------------------------------------------------------------------

RED = (0.70, 0.07, 0.09)
INK = (0.12, 0.14, 0.16)
MUTED = (0.38, 0.42, 0.46)


@dataclass(frozen=True)
class Poster:
    """One A4 page: a banner, whom the code reaches, facts about them, the code, how to use it."""

    banner: str  # 人大代表 亮码亮身份 / 代表联络站 / 民生实事项目
    title: str  # the deputy's or station's or project's name
    subtitle: str = ""
    facts: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, value), e.g. ("地址", "…")
    url: str = ""
    call: str = ""  # what scanning does, under the code
    footer: str = ""

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "facts": [list(f) for f in self.facts]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Poster:
        """A poster another service described (``as_json``): only its known fields, all text."""
        fields = {k: str(data.get(k) or "") for k in ("banner", "title", "subtitle", "url", "call", "footer")}
        facts = tuple((str(label), str(value)) for label, value in data.get("facts") or [])
        return cls(**fields, facts=facts)


def _text_of(posters: Sequence[Poster]) -> str:
    parts: list[str] = []
    for p in posters:
        parts += [p.banner, p.title, p.subtitle, p.url, p.call, p.footer]
        for label, value in p.facts:
            parts += [label, value]
    return "".join(parts)


def posters_pdf(posters: Sequence[Poster], *, title: str) -> bytes:
    """Every poster on its own A4 page, in one PDF (batch printing)."""
    if not posters:
        raise ValueError("no posters to print")
    font = register_font(_text_of(posters) + title)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1, initialFontName=font, initialFontSize=12)
    pdf.setTitle(title)
    pdf.setAuthor("Shishi (实事)")
    for poster in posters:
        _draw(pdf, poster, font)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _draw(pdf: canvas.Canvas, p: Poster, font: str) -> None:
    width, height = A4
    margin = 48.0
    pdf.setFillColorRGB(*RED)
    pdf.rect(0, height - 110, width, 110, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(font, 30)
    pdf.drawCentredString(width / 2, height - 70, p.banner)
    y = height - 165
    pdf.setFillColorRGB(*INK)
    for line in wrap(p.title, font, 32, width - 2 * margin):
        pdf.setFont(font, 32)
        pdf.drawCentredString(width / 2, y, line)
        y -= 40
    if p.subtitle:
        pdf.setFillColorRGB(*MUTED)
        for line in wrap(p.subtitle, font, 15, width - 2 * margin):
            pdf.setFont(font, 15)
            pdf.drawCentredString(width / 2, y, line)
            y -= 21
    y -= 6
    pdf.setFillColorRGB(*INK)
    for label, value in p.facts:
        label_text = f"{label}："
        pdf.setFont(font, 13)
        label_width = pdfmetrics.stringWidth(label_text, font, 13)
        lines = wrap(value, font, 13, width - 2 * margin - label_width)
        pdf.setFillColorRGB(*MUTED)
        pdf.drawString(margin, y, label_text)
        pdf.setFillColorRGB(*INK)
        for line in lines:
            pdf.drawString(margin + label_width, y, line)
            y -= 19
    if p.url:
        size = min(300.0, y - 150)
        _draw_qr(pdf, p.url, (width - size) / 2, y - size - 10, size)
        y -= size + 34
        pdf.setFont(font, 16)
        pdf.setFillColorRGB(*RED)
        for line in wrap(p.call, font, 16, width - 2 * margin):
            pdf.drawCentredString(width / 2, y, line)
            y -= 22
        pdf.setFont(font, 9)
        pdf.setFillColorRGB(*MUTED)
        for line in wrap(p.url, font, 9, width - 2 * margin):
            pdf.drawCentredString(width / 2, y, line)
            y -= 12
    if p.footer:
        pdf.setFont(font, 10)
        pdf.setFillColorRGB(*MUTED)
        lines = wrap(p.footer, font, 10, width - 2 * margin)
        for n, line in enumerate(lines):
            pdf.drawCentredString(width / 2, 40 + 14 * (len(lines) - 1 - n), line)


def _draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """The code as filled squares (vector), with its quiet zone: sharp at any print size."""
    matrix = [list(row) for row in qr_code(data).matrix]
    border = 4
    cells = len(matrix) + 2 * border
    cell = size / cells
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):  # one rectangle per run of dark modules
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(
                    x + (border + start) * cell,
                    y + size - (border + r + 1) * cell,
                    (c - start) * cell,
                    cell,
                    stroke=0,
                    fill=1,
                )
            else:
                c += 1
