"""QR codes (亮码) and printable A4 posters: PNG and SVG through ``segno``, posters as one PDF
(reportlab, every font embedded), and the origin a printed code points at.

A poster names whom or what the code reaches (a deputy, a liaison station, a project site) and
prints its code as vector squares, so it stays sharp at any size. Batch printing puts one poster
per page in one PDF. The same text always gives the same bytes (reportlab's invariant mode, fixed
font timestamps).

The Chinese font is loaded here, minimally, until the shared PDF font module of issue 17 lands
(``shared/web/pdf_fonts.py``); then :func:`cjk_font` should be replaced by it. The sources, in
order: PyPI ``pylopdf-fonts-zh-cn`` (Noto Sans SC, CFF outlines), Debian's Noto Sans CJK
(fonts-noto-cjk, CFF), WenQuanYi Zen Hei (fonts-wqy-zenhei, TrueType). CFF outlines are subset
to the characters used and redrawn as TrueType outlines, which reportlab embeds. A font that
would not be embedded is never used: without any of the three, making a PDF fails and says why.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from fastapi import Request
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

# -- where a printed code points ------------------------------------------------------------


def public_origin(request: Request, configured: str = "") -> str:
    """The origin residents' phones reach: ``SHISHI_PUBLIC_ORIGIN`` when set, else the origin the
    gateway was asked on (``X-Forwarded-Host`` / ``-Proto``), else this request's own."""
    if configured:
        return configured.rstrip("/")
    host = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
    if host:
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip() or request.url.scheme
        return f"{proto}://{host}"
    return str(request.base_url).rstrip("/")


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


# -- the Chinese font (minimal; see the module's docstring) -----------------------------------

NOTO_DEBIAN = [
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),  # index 2: Noto Sans CJK SC
    (Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"), 2),
]
WQY = [Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")]
ALWAYS = (
    "0123456789%.,:;—-–/()（）：，。、·《》“”\"'?!？！＋+#&=_@ ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)
_lock = threading.Lock()


class NoEmbeddableFont(RuntimeError):
    """No Chinese font that can be embedded is installed."""


def _cff_sources() -> list[tuple[Path, int]]:
    sources: list[tuple[Path, int]] = []
    try:
        import pylopdf_fonts_zh_cn  # the pip-installed Noto Sans SC

        sources.append((Path(pylopdf_fonts_zh_cn.sans_path()), 0))
    except ImportError:
        pass
    return sources + [(p, i) for p, i in NOTO_DEBIAN if p.exists()]


def cjk_font(text: str) -> str:
    """Register an embedded font that covers ``text`` (a subset of it) and return its name."""
    chars = "".join(sorted(set(text + ALWAYS)))
    with _lock:
        return _registered(chars)


@lru_cache(maxsize=64)
def _registered(chars: str) -> str:
    from reportlab.pdfbase.ttfonts import TTFont

    name = "ShishiCJK-" + hashlib.sha1(chars.encode()).hexdigest()[:12]
    for source, index in _cff_sources():
        if source.exists():
            pdfmetrics.registerFont(TTFont(name, _truetype_subset(source, index, chars, name)))
            return name
    truetype = next((p for p in WQY if p.exists()), None)
    if truetype is not None:  # already TrueType outlines: reportlab embeds a subset itself
        pdfmetrics.registerFont(TTFont(name, str(truetype), subfontIndex=0))
        return name
    raise NoEmbeddableFont(
        "no Chinese font to embed: install PyPI pylopdf-fonts-zh-cn (or Debian fonts-noto-cjk / fonts-wqy-zenhei)"
    )


def _truetype_subset(source: Path, index: int, chars: str, name: str) -> io.BytesIO:
    """The glyphs of ``chars`` from a CFF-outline font, redrawn as TrueType (quadratic) outlines,
    under the PostScript name ``name``: reportlab keeps one font per face name, so each subset
    needs its own (else a later subset would quietly draw with the first one's glyphs)."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(source), fontNumber=index, lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    glyphs, order = font.getGlyphSet(), font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for glyph in order:
        pen = TTGlyphPen(glyphs)
        glyphs[glyph].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[glyph] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font.sfntVersion = "\x00\x01\x00\x00"
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["post"].formatType = 3.0
    for record in font["name"].names:
        if record.nameID == 6:  # the PostScript name, which reportlab takes for the face's name
            record.string = name
    out = io.BytesIO()
    font.save(out)
    out.seek(0)
    return out


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines no wider than ``width`` (character by character: Chinese has no spaces)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if line and pdfmetrics.stringWidth(line + ch, font, size) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


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
    font = cjk_font(_text_of(posters) + title)
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
