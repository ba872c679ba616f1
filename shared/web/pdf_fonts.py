"""The one font every Shishi PDF is written in (the annual report, the vote result sheet): a CJK font,
always embedded, found the same way on every machine, with pip alone.

Where it comes from, in this order (nothing else, no guessed system path):

1. ``SHISHI_REPORT_FONT``: a font file (OpenType/TrueType, or a collection with ``#<index>``), e.g. what
   fontconfig finds: ``SHISHI_REPORT_FONT="$(fc-match -f '%{file}' 'Noto Sans CJK SC')#2"``. A path that
   does not exist is an error, not a reason to look elsewhere.
2. Noto Sans SC 2.004 (SIL OFL 1.1) from the PyPI package ``pylopdf-fonts-zh-cn`` (a dependency, pinned
   with its hash in ``requirements.lock``).

Neither: :class:`FontUnavailable` (the PDF is refused, never written with a font a viewer must supply).

reportlab embeds only TrueType outlines; Noto's are PostScript (CFF). So the glyphs a document uses are
subset with HarfBuzz's subsetter (``uharfbuzz``: it reads the font file where it lies, mapped, and only the
parts the subset needs: fontTools' subsetter decoded the whole 8 MB CFF table, the 65,000 glyphs' metrics
and names and the whole cmap, 25 MB of a report's peak), then fontTools redraws that small subset's
outlines as TrueType (quadratic) ones, and the font is registered under a name derived from those glyphs
(the same text gives the same font and the same bytes; two documents rendered at once never share a name).
Characters the font lacks are logged as a warning, each document.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import structlog
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shared.web.pdf_pages import FOOTER_TEXT

ENV = "SHISHI_REPORT_FONT"
PACKAGE = "pylopdf-fonts-zh-cn"
# what any document may use besides its own text: printable ASCII, common punctuation, the page footer
ALWAYS = "".join(map(chr, range(0x20, 0x7F))) + "—–·×…“”‘’ ，。：；、（）《》？！¥" + FOOTER_TEXT

log = structlog.get_logger("shishi.pdf")


class FontUnavailable(RuntimeError):
    """No CJK font to embed: the PDF is refused rather than written with characters no viewer can show."""


@dataclass(frozen=True)
class FontSource:
    path: Path
    index: int  # the face inside a collection (.ttc), else 0
    origin: str  # where it was found: ``SHISHI_REPORT_FONT`` or the package's name


def font_source() -> FontSource:
    """Where the CJK font comes from (``SHISHI_REPORT_FONT``, else the pip package)."""
    configured = os.environ.get(ENV, "").strip()
    if configured:
        path, _, index = configured.partition("#")
        if not Path(path).is_file():
            raise FontUnavailable(f"{ENV}={configured}: no such font file")
        if index and not index.isdigit():
            raise FontUnavailable(f"{ENV}={configured}: the face index after # must be a number")
        return FontSource(Path(path), int(index or 0), ENV)
    try:
        import pylopdf_fonts_zh_cn
    except ImportError as exc:
        raise FontUnavailable(
            f"no CJK font for PDFs: install the package {PACKAGE} (a Shishi dependency: "
            f"`pip install --require-hashes -r requirements.lock`) or set {ENV} to a font file"
        ) from exc
    return FontSource(Path(pylopdf_fonts_zh_cn.sans_path()), 0, PACKAGE)


LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH")


@cache
def _font_digest(path: Path) -> str:
    with path.open("rb") as f:  # read in pieces: the font's bytes are never held here
        return hashlib.file_digest(f, "sha256").hexdigest()


def register_font(text: str) -> str:
    """Register a font with the glyphs of ``text`` (and digits and punctuation) and return its name."""
    source = font_source()
    chars = "".join(sorted(set(text + ALWAYS) - {"\n", "\r", "\t"}))
    identity = f"{_font_digest(source.path)}#{source.index}\n{chars}"  # not the path: the same bytes on every machine
    tag = hashlib.sha256(identity.encode()).hexdigest()[:12]
    name = f"ShishiCJK-{tag}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, truetype_subset(source, chars, tag)))
    return name


def truetype_subset(source: FontSource, chars: str, tag: str) -> io.BytesIO:
    """The glyphs of ``chars`` from ``source`` as a TrueType font reportlab embeds. Its PostScript name gets
    ``-<tag>``: reportlab keeps one font per face name, so two subsets of one face must not share a name."""
    from fontTools.ttLib import TTFont as FTFont

    font = FTFont(io.BytesIO(_subset(source, chars)), recalcTimestamp=False)
    kept = font.getBestCmap()
    missing = sorted({c for c in chars if ord(c) not in kept and not c.isspace()})
    if missing:
        log.warning("pdf_font_missing_glyphs", font=str(source.path), characters="".join(missing))
    if "CFF " in font:
        _cff_to_glyf(font)
    postscript = str(font["name"].getDebugName(6) or "CJK").replace(" ", "")[:40]
    for record in font["name"].names:
        if record.nameID == 6:
            record.string = f"{postscript}-{tag}"
    buffer = io.BytesIO()
    font.save(buffer)
    buffer.seek(0)
    return buffer


def _subset(source: FontSource, chars: str) -> bytes:
    """The OpenType subset of ``chars`` (and .notdef) from the font file, outlines as the source has them:
    every name record, no layout tables (reportlab shapes nothing), no hinting (the TrueType outlines
    drawn from it carry none)."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(source.path)), source.index)
    if face.glyph_count == 0:  # HarfBuzz opens any file: one that is no font has no glyphs
        raise FontUnavailable(f"{source.origin}: {source.path} is not a font file (no glyphs)")
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(ord(c) for c in chars)
    names = wanted.sets(hb.SubsetInputSets.NAME_ID)
    names.clear()
    names.invert()  # every name ID (the default is 0-6)
    dropped = wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    dropped.update(int.from_bytes(table.encode(), "big") for table in LAYOUT_TABLES)
    wanted.flags = hb.SubsetFlags.NOTDEF_OUTLINE | hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NO_LAYOUT_CLOSURE
    try:
        subset = hb.subset(face, wanted)
    except RuntimeError as exc:  # "Subsetting failed": a damaged font
        raise FontUnavailable(f"{source.origin}: {source.path} could not be subset ({exc})") from exc
    return bytes(subset.blob.data)


def _cff_to_glyf(font: object) -> None:
    """Redraw PostScript (cubic) outlines as TrueType (quadratic) ones, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as FTFont
    from fontTools.ttLib import newTable

    assert isinstance(font, FTFont)
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
