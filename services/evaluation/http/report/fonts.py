"""A Chinese font for the PDF. Debian's Noto CJK (fonts-noto-cjk) has PostScript (CFF) outlines,
which reportlab cannot embed; so the characters the report uses are subset from it with
fontTools and converted to TrueType outlines, then embedded. Without it, WenQuanYi Zen Hei
(fonts-wqy-zenhei, TrueType) is embedded; without either, reportlab's STSong-Light CID font is
used (not embedded; viewers supply it)."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.pdfbase import pdfmetrics

NOTO = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
]
SC_INDEX = 2  # Noto Sans CJK SC inside the collection
TRUETYPE = [
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
]


def register_font(text: str) -> str:
    """Register a font covering ``text`` and return its name."""
    source = next((p for p in NOTO if p.exists()), None)
    if source is not None:
        try:
            return _embedded(source, text)
        except ImportError:
            pass
    truetype = next((p for p in TRUETYPE if p.exists()), None)
    if truetype is not None:  # already TrueType outlines: reportlab embeds a subset itself
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("WenQuanYi", str(truetype), subfontIndex=0))
        return "WenQuanYi"
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _embedded(source: Path, text: str) -> str:
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as FTFont
    from fontTools.ttLib import newTable
    from reportlab.pdfbase.ttfonts import TTFont

    font = FTFont(str(source), fontNumber=SC_INDEX, lazy=False, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(text=text + "0123456789%.—-/:() ")
    sub.subset(font)
    glyphs, order = font.getGlyphSet(), font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font.sfntVersion = "\x00\x01\x00\x00"
    font["maxp"].tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxComponentDepth",
    ):
        setattr(font["maxp"], attr, 0 if attr != "maxZones" else 1)
    font["head"].indexToLocFormat = 0
    font["post"].formatType = 3.0
    buffer = io.BytesIO()
    font.save(buffer)
    buffer.seek(0)
    name = "NotoSansSC"
    pdfmetrics.registerFont(TTFont(name, buffer))
    return name
