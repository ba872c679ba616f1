"""The printable result sheet (票决结果表, PDF) of a vote session, for the presidium to sign.

Chinese text in the one CJK font every Shishi PDF embeds (``shared/web/pdf_fonts.py``: pip-installed,
subset, never a font the viewer must supply); the county by name, the deputies present by name;
candidates with equal yes-votes share a rank (并列); every line wrapped within the margins;
"第 N 页，共 M 页" under each page. Deterministic: fixed metadata and no timestamps, so the same
session gives the same bytes.
"""

from __future__ import annotations

import io

from reportlab.pdfgen import canvas

from shared.divisions import full_name
from shared.web.pdf_fonts import register_font
from shared.web.pdf_pages import FOOTER_TEXT, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, TEXT_WIDTH, numbered_canvas, wrap
from shared.web.refusals import refusal_text

STATUS = {"decided": "已决定", "runoff": "需另行投票（并列）", "void": "无效（不足法定人数）"}
KIND = {"competitive": "差额", "equal": "等额"}
MODE = {"electronic": "电子表决", "paper": "纸质选票"}
SIGNATURES = "总监票人（签字）：____________    主席团（签字）：____________    日期：________"
# the candidates' table: name (wrapped in its column), yes / no / abstain (right-aligned), result
NAME_X, NAME_W = MARGIN + 10, 215.0
NUMBER_RIGHT = (NAME_X + NAME_W + 45, NAME_X + NAME_W + 90, NAME_X + NAME_W + 135)
RESULT_X = NAME_X + NAME_W + 150
BOTTOM = MARGIN + 20  # the last baseline above the footer


def _verdict(row: dict, result: dict, elected: dict[str, int], shared: set[int]) -> str:
    """当选 第N名, with （并列） when another candidate of the session has the same rank."""
    if row["candidate_id"] in elected:
        rank = elected[row["candidate_id"]]
        return f"当选 第{rank}名" + ("（并列）" if rank in shared else "")
    return "并列待定" if row["candidate_id"] in result["tied"] else "未当选"


def shared_ranks(session: dict) -> set[int]:
    """The ranks two or more elected candidates of the session share (并列)."""
    ranks = [e["rank"] for r in session["rounds"] for e in (r.get("result") or {}).get("elected", [])]
    return {rank for rank in ranks if ranks.count(rank) > 1}


def attendance(session: dict) -> str:
    """出席代表 by name, in the roll's order (attendance is public record)."""
    present = set(session["present"])
    return "、".join(d.get("name") or d["id"] for d in session["roll"] if d["id"] in present)


def _lines(session: dict) -> list[tuple[str, int, float, float]]:
    """Every line of the sheet but the tables: (text, size, indent, gap after)."""
    county = full_name(session["county"])
    title = session["name"] if str(session["year"]) in session["name"] else f"{session['year']}年 {session['name']}"
    present = attendance(session)
    return [
        (title, 16, 0, 24),
        (f"民生实事项目票决结果  {county}（{session['county']}）  {session['town'] or ''}", 11, 0, 20),
        (f"应到代表 {len(session['roll'])} 名，实到 {len(session['present'])} 名", 11, 0, 18 if present else 22),
        *([(f"出席代表：{present}", 10, 0, 16)] if present else []),
    ]


def result_sheet_pdf(session: dict) -> bytes:
    rounds = session["rounds"]
    names = {c["candidate_id"]: c["name"] for r in rounds for c in r["candidates"]}
    shared = shared_ranks(session)
    text = FOOTER_TEXT + SIGNATURES + "".join(t for t, *_ in _lines(session)) + "".join(names.values())
    text += "".join(STATUS.values()) + "".join(KIND.values()) + "".join(MODE.values())
    text += "第轮另行投票表决应选项规则版本进行中发出选票收回有效无效结果候选项目赞成反对弃权当选名并列待定未当选（）"
    text += "".join(refusal_text(str((r.get("result") or {}).get("reason", ""))) for r in rounds)
    font = register_font(text)
    buffer = io.BytesIO()
    pdf: canvas.Canvas = numbered_canvas(font)(
        buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=0
    )
    pdf.setTitle(f"{session['name']} 票决结果")
    pdf.setAuthor("Shishi")
    pdf.setCreator("Shishi decision")
    y = PAGE_HEIGHT - MARGIN - 16

    def room(height: float) -> None:
        nonlocal y
        if y - height < BOTTOM:
            pdf.showPage()
            y = PAGE_HEIGHT - MARGIN - 16

    def line(text: str, size: int = 10, indent: float = 0, gap: float = 16) -> None:
        nonlocal y
        for part in wrap(text, font, size, TEXT_WIDTH - indent):
            room(size)
            pdf.setFont(font, size)
            pdf.drawString(MARGIN + indent, y, part)
            y -= gap

    for text_, size, indent, gap in _lines(session):
        line(text_, size, indent, gap)
    for r in rounds:
        result = r.get("result") or {}
        tally = r.get("tally") or {}
        title = "另行投票" if r["runoff"] else "表决"
        line(
            f"第{r['round_no']}轮{title}：{KIND.get(r['kind'], r['kind'])}，{MODE.get(r['mode'], r['mode'])}，"
            f"应选 {r['seats']} 项，规则版本 v{r['rule_version']}",
            12,
            gap=18,
        )
        if not result:
            line("表决进行中", 10, indent=10)
            continue
        line(
            f"发出选票 {tally.get('issued', 0)}  收回 {tally.get('returned', 0)}  有效 {tally.get('valid', 0)}  "
            f"无效 {tally.get('invalid', 0)}  结果：{STATUS.get(result['status'], result['status'])} "
            f"{refusal_text(result.get('reason', ''))}",
            10,
            indent=10,
        )
        room(16)
        pdf.setFont(font, 10)
        pdf.drawString(NAME_X, y, "候选项目")
        for right, label in zip(NUMBER_RIGHT, ("赞成", "反对", "弃权"), strict=True):
            pdf.drawRightString(right, y, label)
        pdf.drawString(RESULT_X, y, "结果")
        y -= 16
        elected = {e["candidate_id"]: e["rank"] for e in result["elected"]}
        by_yes = sorted(
            result["rows"], key=lambda row: (-row["yes"], names.get(row["candidate_id"], ""), row["candidate_id"])
        )
        for row in by_yes:
            parts = wrap(names.get(row["candidate_id"], row["candidate_id"]), font, 10, NAME_W)
            room(15 * len(parts))
            pdf.setFont(font, 10)
            for right, value in zip(NUMBER_RIGHT, (row["yes"], row["no"], row["abstain"]), strict=True):
                pdf.drawRightString(right, y, str(value))
            pdf.drawString(RESULT_X, y, _verdict(row, result, elected, shared))
            for part in parts:
                pdf.drawString(NAME_X, y, part)
                y -= 15
        y -= 8
    y -= 20
    line(SIGNATURES, 11)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
