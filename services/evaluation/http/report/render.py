"""The report as HTML (inline SVG charts) or PDF (reportlab, the same charts, embedded CJK font,
``invariant`` mode so the same events give the same bytes)."""

from __future__ import annotations

import io
from html import escape

from services.evaluation.http.report import charts
from shared.divisions import full_name, name_of
from shared.kernel.china_time import china_date

FIGURES = [
    ("completion_rate", "完成率"),
    ("on_time_rate", "按期完成率"),
    ("deputy_satisfied_rate", "代表测评满意及基本满意率"),
    ("resident_satisfaction", "群众满意度"),
    ("reply_rate", "办复率"),
    ("solved_rate", "解决率"),
    ("reply_24h_rate", "咨询类24小时答复率"),
    ("local_share", "小事就地解决率"),
    ("coverage", "乡镇（街道）票决覆盖率"),
]
VERDICTS = [("satisfied", "满意"), ("basically_satisfied", "基本满意"), ("unsatisfied", "不满意")]
RECT = {
    "ordered": "整改中",
    "reported": "已报告整改",
    "closed": "整改后满意",
    "escalation_pending": "待定下一步",
    "escalated": "已启动监督程序",
}
STEPS = {"special_inquiry": "专题询问", "formal_questioning": "质询", "special_investigation": "特定问题调查"}


def _pct(f: dict) -> str:
    if f["value"] is None:
        return "—（数据尚未发布）" if "not published" in f["note"] else "—（无数据）"
    return f"{f['value'] * 100:.1f}%（{f['numerator']}/{f['denominator']}）"


def county_label(code: str) -> str:
    """``440781`` -> 广东省江门市台山市（440781）: the name from the county registry, with the code."""
    name = full_name(code)
    return f"{name}（{code}）" if name != code else code


def scope_label(scope: str) -> str:
    """A county, or every county under a province (``44*``) or a prefecture (``4407*``), by name."""
    if not scope.endswith("*"):
        return county_label(scope)
    prefix = scope.rstrip("*")
    area = full_name(prefix.ljust(6, "0")) if len(prefix) in (2, 4) and name_of(prefix.ljust(6, "0")) else prefix
    return f"{area} 所辖各县（市、区）"


def title_of(data: dict) -> str:
    return f"{scope_label(data['scope'])} {data['year']} 年度民生实事项目满意度测评报告"


def _rows(m: dict) -> list[tuple[str, float | None]]:
    return [(label, m[key]["value"]) for key, label in FIGURES]


def _project_rows(m: dict) -> list[list[str]]:
    rows = []
    for p in m["projects"]:
        counts = p["counts"]
        r = p.get("rectification") or {}
        rows.append(
            [
                p["name"],
                {"major": "民生实事", "micro": "微实事"}.get(p["tier"], p["tier"]),
                "是" if p["on_time"] else "否",
                dict(VERDICTS).get(p["verdict"] or "", "待测评"),
                f"{counts.get('satisfied', 0)}/{counts.get('basically_satisfied', 0)}/{counts.get('unsatisfied', 0)}"
                if counts
                else "",
                RECT.get(r.get("status", ""), "")
                + (f"（{STEPS[r['next_step']['step']]}）" if r.get("next_step") else ""),
                f"{sum(p['residents'].values())} 人 / 回访 {len(p['return_visits'])}",
                f"{float(p['usage']['rate']) * 100:.0f}%" if p.get("usage") else "—",
            ]
        )
    return rows


def _parts(m: dict) -> list[tuple[str, int, str]]:
    return [(k, m["verdicts"][k], label) for k, label in VERDICTS]


RECIPIENTS = {
    "all_deputies": "全体代表",
    "party_committee": "党委",
    "government": "政府",
    "organisation_department": "组织部门",
}


def _round_lines(data: dict, county: str) -> list[str]:
    lines = []
    for r in sorted(data["rounds"].get(county, []), key=lambda r: r["session_year"]):
        b = r.get("ballots") or {}
        line = (
            f"{r['session_year']}年人代会测评：出席并领取选票 {r['attending']} 人，"
            f"收回 {b.get('returned', r['cast'])} 张，"
            f"有效 {b.get('valid', '—')} 张"
        )
        if r.get("confirmed_at"):
            line += f"；主席团于 {china_date(r['confirmed_at']).isoformat()} 确认"
        if r["distributed"]:
            line += "；已送达" + "、".join(RECIPIENTS.get(d["recipient"], d["recipient"]) for d in r["distributed"])
        lines.append(line + "。")
    return lines


def _followups(m: dict) -> list[str]:
    lines = []
    for p in m["projects"]:
        r = p.get("rectification")
        if r:
            line = f"{p['name']}：整改期限 {r['deadline']}"
            if r.get("overdue_warning"):
                line += f"，逾期 {r['overdue_warning']['days_overdue']} 天未报告，已预警"
            if r.get("report"):
                line += "，政府已报告整改" + ("（逾期）" if r.get("late") else "")
            if r.get("re_rating"):
                line += f"，常委会再次测评：{dict(VERDICTS)[r['re_rating']['verdict']]}"
            if r.get("next_step"):
                line += f"，下一步：{STEPS[r['next_step']['step']]}"
            lines.append(line + "。")
        for lb in p["lookbacks"]:
            if lb["problem"]:
                lines.append(f"{p['name']}：{lb['checked_on']} 回头看发现问题：{lb['problem']}（已转为新诉求）。")
    return lines


HEAD = ["项目", "类别", "按期", "代表测评", "满意/基本/不满意", "整改", "群众评价", "使用率"]


def render_html(data: dict) -> str:
    parts = [
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title_of(data))}</title>',
        "<style>body{font-family:'Noto Sans CJK SC',sans-serif;max-width:900px;margin:auto;padding:1rem}"
        "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px;font-size:13px}</style>",
        f"</head><body><h1>{escape(title_of(data))}</h1>",
    ]
    for m in data["counties"]:
        parts.append(f"<section><h2>{escape(county_label(m['county']))}</h2><ul>")
        for key, label in FIGURES:
            parts.append(f"<li>{label}：{escape(_pct(m[key]))}</li>")
        parts.append("</ul>")
        parts.append(charts.svg(charts.bars(_rows(m)), 480, 24 * len(FIGURES), None))
        parts.append(
            "<h3>代表满意度测评结果</h3>" + "，".join(f"{label} {m['verdicts'][k]} 项" for k, label in VERDICTS)
        )
        parts.append("<div>" + charts.svg(charts.stacked(_parts(m)), 480, 52) + "</div>")
        parts.append("".join(f"<p>{escape(line)}</p>" for line in _round_lines(data, m["county"])))
        parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in HEAD) + "</tr>")
        for row in _project_rows(m):
            parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
        followups = _followups(m)
        if followups:
            parts.append("<h3>整改与回头看</h3>" + "".join(f"<p>{escape(line)}</p>" for line in followups))
        parts.append("</section>")
    if data["scope"].endswith("*"):
        parts.append(
            "<h2>合计</h2><ul>"
            + "".join(f"<li>{label}：{escape(_pct(data['totals'][key]))}</li>" for key, label in FIGURES[:7])
            + "</ul>"
        )
    parts.append("<p>数据来源：评议服务事件存储（仅由事件计算）。</p></body></html>")
    return "".join(parts)


def render_pdf(data: dict) -> bytes:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from shared.web.pdf_fonts import register_font
    from shared.web.pdf_pages import FLOW_WIDTH, FOOTER_TEXT, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, numbered_canvas

    counties = data["counties"]
    text = title_of(data) + FOOTER_TEXT + "".join(county_label(m["county"]) for m in counties)
    text += "".join("".join(r) for m in counties for r in _project_rows(m))
    text += (
        "".join(label for _, label in FIGURES + VERDICTS)
        + "".join(HEAD)
        + "合计数据来源评议服务事件存储仅由计算项（）：，人回访无尚未发布代表满意度测评结果整改与回头看"
    )
    text += "".join(_pct(m[k]) for m in counties for k, _ in FIGURES) + "".join(RECT.values())
    text += "".join(line for m in counties for line in _round_lines(data, m["county"]) + _followups(m))
    if data["scope"].endswith("*"):
        text += "".join(_pct(data["totals"][key]) for key, _ in FIGURES[:7])
    font = register_font(text)
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22, wordWrap="CJK")
    h2 = ParagraphStyle("h2", fontName=font, fontSize=13, leading=18, wordWrap="CJK")
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9, wordWrap="CJK")
    # the project table's columns, as shares of the text width (project, tier, on time, verdict, counts, ...)
    shares = [0.24, 0.09, 0.06, 0.1, 0.13, 0.14, 0.14, 0.1]
    story = [Paragraph(escape(title_of(data)), h1), Spacer(1, 8)]
    for m in counties:
        story.append(Paragraph(escape(county_label(m["county"])), h2))
        for key, label in FIGURES:
            story.append(Paragraph(escape(f"{label}：{_pct(m[key])}"), body))
        width = int(FLOW_WIDTH)
        story.append(charts.drawing(charts.bars(_rows(m), width=width), width, 24 * len(FIGURES), font))
        story.append(Paragraph("代表满意度测评结果", h2))
        story.append(charts.drawing(charts.stacked(_parts(m), width=width), width, 52, font))
        for line in _round_lines(data, m["county"]):
            story.append(Paragraph(escape(line), body))
        rows = [[Paragraph(escape(c), cell) for c in row] for row in [HEAD, *_project_rows(m)]]
        table = Table(rows, colWidths=[FLOW_WIDTH * share for share in shares], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("GRID", (0, 0), (-1, -1), 0.3, "#999999"),
                ]
            )
        )
        story += [Spacer(1, 6), table, Spacer(1, 8)]
        followups = _followups(m)
        if followups:
            story.append(Paragraph("整改与回头看", h2))
            story += [Paragraph(escape(line), body) for line in followups]
        story.append(Spacer(1, 12))
    if data["scope"].endswith("*"):
        story.append(Paragraph("合计", h2))
        for key, label in FIGURES[:7]:
            story.append(Paragraph(escape(f"{label}：{_pct(data['totals'][key])}"), body))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        initialFontName=font,
        invariant=1,
        title=title_of(data),
        author="Shishi",
        creator="Shishi",
        producer="Shishi",
        subject="",
        keywords="",
    )
    doc.build(story, canvasmaker=numbered_canvas(font))
    return buffer.getvalue()
