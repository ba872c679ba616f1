"""Two chart kinds drawn the same way into HTML (plain SVG) and PDF (reportlab graphics)."""

from __future__ import annotations

from html import escape

from reportlab.graphics.shapes import Drawing, Rect, String

COLOURS = {"satisfied": "#1b7f3b", "basically_satisfied": "#d89a00", "unsatisfied": "#b42318", "bar": "#1d4f91"}


def bars(rows: list[tuple[str, float | None]], width: int = 480, row_h: int = 24) -> list[tuple]:
    """Shapes of a horizontal percentage bar chart: (kind, x, y, w, h, colour / text)."""
    shapes, label_w = [], 190
    for n, (label, value) in enumerate(rows):
        y = n * row_h
        shapes.append(("text", 0, y + 16, 0, 0, label))
        w = 0 if value is None else int((width - label_w - 60) * value)
        shapes.append(("rect", label_w, y + 4, w, row_h - 8, COLOURS["bar"]))
        shapes.append(("text", label_w + w + 6, y + 16, 0, 0, "—" if value is None else f"{value * 100:.1f}%"))
    return shapes


def stacked(parts: list[tuple[str, int, str]], width: int = 480) -> list[tuple]:
    """A 100% bar of (key, count, label) with a legend line under it (height 52)."""
    total = sum(n for _, n, _ in parts) or 1
    shapes, x = [], 0
    for key, n, _ in parts:
        w = int(width * n / total)
        shapes.append(("rect", x, 0, w, 28, COLOURS[key]))
        x += w
    for i, (key, n, label) in enumerate(parts):
        shapes.append(("rect", i * 150, 36, 12, 12, COLOURS[key]))
        shapes.append(("text", i * 150 + 16, 47, 0, 0, f"{label} {n}"))
    return shapes


def svg(shapes: list[tuple], width: int, height: int, labels: dict[str, str] | None = None) -> str:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
    ]
    for kind, x, y, w, h, extra in shapes:
        if kind == "rect":
            out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{extra}"/>')
        else:
            out.append(f'<text x="{x}" y="{y}" font-size="13">{escape(str(extra))}</text>')
    out.append("</svg>")
    return "".join(out)


def drawing(shapes: list[tuple], width: int, height: int, font: str) -> Drawing:
    """The same shapes in PDF coordinates (origin bottom-left)."""
    d = Drawing(width, height, initialFontName=font)  # its text state starts in our font, not Helvetica
    for kind, x, y, w, h, extra in shapes:
        if kind == "rect":
            from reportlab.lib.colors import HexColor

            d.add(Rect(x, height - y - h, w, h, fillColor=HexColor(extra), strokeColor=None))
        else:
            d.add(String(x, height - y, str(extra), fontName=font, fontSize=9))
    return d
