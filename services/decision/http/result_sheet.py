"""The printable result sheet (票决结果表, PDF) of a vote session, for the presidium to sign.

Chinese text: a CJK TrueType font found on the machine is embedded (subset); otherwise
reportlab's built-in ``STSong-Light`` CID font is used, so a pip-only machine still works.
Deterministic: fixed metadata and no timestamps, so the same session gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from shared.divisions import full_name

FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
]
FONT = "ShishiCJK"
STATUS = {"decided": "已决定", "runoff": "需另行投票（并列）", "void": "无效（不足法定人数）"}
KIND = {"competitive": "差额", "equal": "等额"}
MODE = {"electronic": "电子表决", "paper": "纸质选票"}


def cjk_font() -> str:
    """Register and name the font: an embedded TrueType CJK font if usable, else STSong-Light."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            try:
                pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=index))
                return FONT
            except Exception:  # noqa: BLE001 - a font reportlab cannot read (e.g. CFF outlines): try the next
                continue
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def result_sheet_pdf(session: dict) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=0)
    pdf.setTitle(f"{session['name']} 票决结果")
    pdf.setAuthor("Shishi")
    pdf.setCreator("Shishi decision")
    font = cjk_font()
    width, height = A4
    y = height - 60

    def line(text: str, size: int = 10, x: float = 50, gap: float = 16) -> None:
        nonlocal y
        if y < 80:
            pdf.showPage()
            y = height - 60
        pdf.setFont(font, size)
        pdf.drawString(x, y, text)
        y -= gap

    title = session["name"] if str(session["year"]) in session["name"] else f"{session['year']}年 {session['name']}"
    line(title, 16, gap=24)
    line(
        f"民生实事项目票决结果  {full_name(session['county'])}（{session['county']}）  {session['town'] or ''}",
        11,
        gap=20,
    )
    line(f"应到代表 {len(session['roll'])} 名，实到 {len(session['present'])} 名", 11, gap=22)
    for r in session["rounds"]:
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
            line("表决进行中", 10, x=60)
            continue
        line(
            f"发出选票 {tally.get('issued', 0)}  收回 {tally.get('returned', 0)}  有效 {tally.get('valid', 0)}  "
            f"无效 {tally.get('invalid', 0)}  结果：{STATUS.get(result['status'], result['status'])} "
            f"{result.get('reason', '')}",
            10,
            x=60,
        )
        elected = {e["candidate_id"]: e["rank"] for e in result["elected"]}
        pdf.setFont(font, 10)
        pdf.drawString(60, y, "候选项目")
        for x, label in ((300, "赞成"), (345, "反对"), (390, "弃权")):
            pdf.drawRightString(x + 20, y, label)
        pdf.drawString(430, y, "结果")
        y -= 16
        names = {c["candidate_id"]: c["name"] for c in r["candidates"]}
        rows = sorted(result["rows"], key=lambda row: (-row["yes"], row["candidate_id"]))
        for row in rows:
            verdict = (
                f"当选 第{elected[row['candidate_id']]}名"
                if row["candidate_id"] in elected
                else "并列待定"
                if row["candidate_id"] in result["tied"]
                else "未当选"
            )
            pdf.setFont(font, 10)
            if y < 80:
                pdf.showPage()
                y = height - 60
                pdf.setFont(font, 10)
            pdf.drawString(60, y, names.get(row["candidate_id"], row["candidate_id"])[:22])
            for x, value in ((300, row["yes"]), (345, row["no"]), (390, row["abstain"])):
                pdf.drawRightString(x + 20, y, str(value))
            pdf.drawString(430, y, verdict)
            y -= 15
        y -= 8
    y -= 20
    line("总监票人（签字）：____________    主席团（签字）：____________    日期：________", 11)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
