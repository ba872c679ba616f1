"""Shishi's PDFs render on a fresh machine with pip alone: the CJK font comes from the pip-installed
package (or from SHISHI_REPORT_FONT), never from a guessed system path, is always embedded, and when
there is none the PDF is refused, loudly, instead of written with a font a viewer must supply.

The machines that run these tests have Debian's Noto CJK and WenQuanYi installed (.ci/run installs them
for the browser tests): the checks below show that the PDFs embed the shipped Noto Sans SC anyway."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from services.decision.http.result_sheet import result_sheet_pdf
from shared.web import pdf_fonts
from shared.web.pdf_fonts import ENV, PACKAGE, FontUnavailable, font_source, register_font
from shared.web.pdf_pages import numbered_canvas, wrap
from tests.component.decision_flow import Flow
from tests.fixtures.pdf import assert_renders_anywhere, check_pdf

TEXT = "蓬江区 江海区 新会区 台山市 开平市 鹤山市 恩平市 罕用字：邕衢亳儋漯濮鄱黟歙婺磴圩垌氹"
LINE = "民生实事项目人大代表票决制"


def one_page(font: str) -> bytes:
    import io

    buffer = io.BytesIO()
    pdf = numbered_canvas(font)(buffer, invariant=1)
    pdf.setFont(font, 10)  # one line of TEXT is 430 points: inside the margins
    pdf.drawString(80, 700, TEXT)
    for n in range(40):
        pdf.drawString(80, 660 - n * 14, LINE)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_the_font_is_the_pip_packages_even_with_debian_cjk_fonts_installed(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV, raising=False)
    source = font_source()
    assert source.origin == PACKAGE and source.path.name == "NotoSansSC-Regular.otf"
    assert "/usr/share/fonts" not in str(source.path)
    checked = check_pdf(one_page(register_font(TEXT + LINE)), tmp_path)
    assert_renders_anywhere(checked)
    assert TEXT.split()[0] in checked.text and "邕衢亳儋" in checked.text  # the text reads back, rare characters too


def test_shishi_report_font_names_another_font_file(monkeypatch, tmp_path: Path) -> None:
    """E.g. what fontconfig finds; here a TrueType-outline font made from the shipped one, so that the
    path without conversion is taken too."""
    monkeypatch.delenv(ENV, raising=False)
    made = tmp_path / "ours.ttf"
    made.write_bytes(pdf_fonts.truetype_subset(font_source(), TEXT + LINE + "第页，共 0123456789", "t").read())
    monkeypatch.setenv(ENV, str(made))
    assert font_source().path == made and font_source().origin == ENV
    checked = check_pdf(one_page(register_font(TEXT + LINE)), tmp_path / "pdf")
    assert_renders_anywhere(checked)
    monkeypatch.setenv(ENV, f"{made}#x")
    with pytest.raises(FontUnavailable, match="index"):
        font_source()
    (tmp_path / "notes.otf").write_text("not a font")
    monkeypatch.setenv(ENV, str(tmp_path / "notes.otf"))
    with pytest.raises(FontUnavailable, match="not a font file"):
        register_font("台山")


def test_no_font_means_no_pdf_and_says_how_to_get_one(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV, str(tmp_path / "missing.otf"))
    with pytest.raises(FontUnavailable, match="no such font file"):
        register_font("台山")
    monkeypatch.delenv(ENV)
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)  # as if the package were not installed
    with pytest.raises(FontUnavailable, match=PACKAGE):
        register_font("台山")

    flow = Flow(tmp_path / "decision")
    list_id, _ = flow.adopted_list(2)
    session_id, _ = flow.session(list_id, roll=3)
    r = flow.client.get(f"/decision/api/sessions/{session_id}/result-sheet.pdf", headers=flow.headers("deputy"))
    assert r.status_code == 503 and r.json()["reason"] == "pdf_font_unavailable"
    assert PACKAGE in r.json()["detail"]


def test_the_result_sheet_keeps_long_names_and_reasons_inside_the_margins_on_numbered_pages(tmp_path: Path) -> None:
    names = {f"c{i}": f"城区老旧小区改造及雨污分流管网建设工程第{i}期（含配套道路、绿化与照明提升）" for i in range(14)}
    rows = [{"candidate_id": c, "yes": 12 - i % 6, "no": i % 3, "abstain": 1} for i, c in enumerate(names)]
    result = {
        "status": "decided",
        "reason": "赞成票超过出席代表半数的候选项目按得票多少排序，前七项当选；"
        "其余项目转入下一年度候选项目库继续征集意见",
        "elected": [{"candidate_id": f"c{i}", "rank": i + 1} for i in range(7)],
        "tied": [],
        "rows": rows,
    }
    one_round = {
        "round_no": 1,
        "runoff": False,
        "kind": "competitive",
        "mode": "paper",
        "seats": 7,
        "rule_version": 2,
        "candidates": [{"candidate_id": c, "name": n} for c, n in names.items()],
        "tally": {"issued": 12, "returned": 12, "valid": 11, "invalid": 1},
        "result": result,
    }
    session = {
        "name": "台山市第十七届人民代表大会第五次会议",
        "year": 2025,
        "county": "440781",
        "town": "",
        "roll": [{"id": f"d{i}", "name": f"代表{i:02d}"} for i in range(14)],
        "present": [f"d{i}" for i in range(12)],
        "rounds": [one_round, {**one_round, "round_no": 2}, {**one_round, "round_no": 3}],
    }
    checked = check_pdf(result_sheet_pdf(session), tmp_path)
    assert len(checked.pages) >= 2
    assert_renders_anywhere(checked)
    words = "".join(checked.text.split())
    assert "广东省江门市台山市（440781）" in words and "（含配套道路、绿化与照明提升）" in words  # whole, wrapped


def test_wrapping_breaks_chinese_anywhere_but_before_closing_punctuation() -> None:
    font = register_font("民生实事项目，人大代表票决制。")
    lines = wrap("民生实事项目，人大代表票决制。" * 3, font, 10, 75)
    assert "".join(lines) == "民生实事项目，人大代表票决制。" * 3
    assert all(line and line[0] not in "，。" for line in lines)
    assert wrap("ticket-12345-440781", font, 10, 1000) == ["ticket-12345-440781"]


def test_no_helvetica_even_on_a_page_that_never_sets_a_font(tmp_path: Path) -> None:
    import io

    font = register_font("空白页")
    buffer = io.BytesIO()
    pdf: canvas.Canvas = numbered_canvas(font)(buffer, invariant=1)
    pdf.showPage()
    pdf.save()
    checked = check_pdf(buffer.getvalue(), tmp_path)
    assert [f["embedded"] for f in checked.fonts] == ["yes"]


def test_the_subset_is_cut_from_the_font_file_without_decoding_the_whole_font(monkeypatch) -> None:
    """HarfBuzz cuts the subset from the mapped file; fontTools opens only that subset (to redraw its outlines
    as TrueType): opening the 8 MB source with fontTools decoded its whole CFF table, the metrics, names and
    cmap of all 65,000 glyphs, a quarter of a report's memory (README, "Performance")."""
    from fontTools import ttLib

    monkeypatch.delenv(ENV, raising=False)
    opened: list[object] = []
    original = ttLib.TTFont.__init__

    def recording(self: object, file: object = None, *args: object, **kwargs: object) -> None:
        opened.append(file)
        original(self, file, *args, **kwargs)

    monkeypatch.setattr(ttLib.TTFont, "__init__", recording)
    source = font_source()
    subset = ttLib.TTFont(pdf_fonts.truetype_subset(source, TEXT, "t"))
    assert opened and all(not isinstance(f, str | Path) for f in opened)  # in-memory subsets only, never the file
    wanted = {ord(c) for c in TEXT if not c.isspace()}
    assert wanted <= set(subset.getBestCmap())
    assert "glyf" in subset and "CFF " not in subset and len(subset.getGlyphOrder()) <= len(wanted) + 2
    assert str(subset["name"].getDebugName(6)).endswith("-t")


def test_characters_the_font_lacks_are_named_in_a_warning(monkeypatch) -> None:
    from structlog.testing import capture_logs

    monkeypatch.delenv(ENV, raising=False)
    with capture_logs() as logs:
        pdf_fonts.truetype_subset(font_source(), "台山\U0001f600", "w")
    assert [e["characters"] for e in logs if e["event"] == "pdf_font_missing_glyphs"] == ["\U0001f600"]
