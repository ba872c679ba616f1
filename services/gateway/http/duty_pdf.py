"""The record of duty (履职档案) as a yearly A4 PDF: the summary, then each part as a table.
reportlab's invariant mode, every font embedded (shared.web.pdf_fonts.register_font): the same record
gives the same bytes."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from services.gateway.http.duty_texts import LABELS_ZH, ZH
from shared.kernel.china_time import china_date
from shared.web.pdf_fonts import register_font

L = LABELS_ZH


def _rows(record: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, column titles, rows) for each part of the record, in Chinese."""

    def label(kind: str, value: Any) -> str:
        return L[kind].get(str(value), str(value))

    demands = [
        [
            d["submitted_on"],
            d["town"],
            label("category", d["category"]),
            label("channel", d["channel"]),
            label("status", d["status"]),
            "、".join(label("stage", s["stage"]) for s in d["stages"] if s["stage"] in L["stage"]) or "—",
            "、".join(label("action", a["action"]) for a in d["actions"]) or "—",
        ]
        for d in record["demands"]["items"]
    ]
    receptions = [
        [
            china_date(r["starts_at"]).isoformat(),
            label("reception", r["kind"]),
            r["station_name"],
            r["topic"] or "—",
            str(r["demands"]),
        ]
        for r in record["receptions"]
    ]
    inspections = [
        [i["inspected_on"], i["name"], i["location"] or "—", str(i["findings"])] for i in record["inspections"]
    ]
    findings = [
        [f["found_on"], f["name"], f["text"], label("finding", f["status"]), f.get("closed_on") or "—"]
        for f in record["findings"]
    ]
    suggestions = [
        [s["raised_on"], s["title"], str(s["demands"]), label("status", s["status"])] for s in record["suggestions"]
    ]
    micro = [[m["proposed_on"], m["name"], m["town"], label("micro", m["status"])] for m in record["micro_projects"]]
    wishes = [[w["claimed_on"], w["town"], "、".join(label("wish", s) for s in w["steps"])] for w in record["wishes"]]
    groups = [[str(g["year"]), g["name"], label("project", g["status"])] for g in record["groups"]]
    votes = [
        [
            v["date"],
            v["name"],
            label("session", v["level"]),
            ZH["duty_attended"] if v["attended"] else ZH["duty_absent"],
        ]
        for v in record["attendance"]["votes"]
    ]
    ratings = [
        [r["date"], f"{r['session_year']}年人代会", str(r["rated_year"]), ZH["duty_attended"]]
        for r in record["attendance"]["ratings"]
    ]
    z = ZH
    return [
        (
            z["duty_demands"],
            [
                z["duty_date"],
                z["duty_town"],
                z["duty_category"],
                z["duty_channel"],
                z["duty_status"],
                z["duty_stages"],
                z["duty_actions"],
            ],
            demands,
        ),
        (
            z["duty_receptions"],
            [z["duty_date"], z["duty_kind"], z["duty_station"], "主题", z["duty_demands_n"]],
            receptions,
        ),
        (z["duty_groups"], [z["duty_year"], z["duty_project"], z["duty_status"]], groups),
        (z["duty_inspections"], [z["duty_date"], z["duty_project"], z["duty_location"], "问题数"], inspections),
        (
            z["duty_findings"],
            [z["duty_date"], z["duty_project"], z["duty_finding"], z["duty_status"], "销号日期"],
            findings,
        ),
        (z["duty_suggestions"], [z["duty_date"], z["duty_name"], z["duty_demands_n"], z["duty_status"]], suggestions),
        (z["duty_micro"], [z["duty_date"], z["duty_name"], z["duty_town"], z["duty_status"]], micro),
        (z["duty_wishes"], [z["duty_date"], z["duty_town"], z["duty_status"]], wishes),
        (z["duty_votes"], [z["duty_date"], z["duty_session"], z["duty_level"], z["duty_attended"]], votes),
        (z["duty_ratings"], [z["duty_date"], z["duty_session"], z["duty_rated_year"], z["duty_attended"]], ratings),
    ]


def _summary(record: dict[str, Any]) -> list[list[str]]:
    s = record["summary"]
    return [
        [ZH["duty_sum_demands"], f"{s['demands']}（已办结 {s['demands_done']}）"],
        [ZH["duty_sum_receptions"], str(s["receptions"])],
        [ZH["duty_sum_inspections"], str(s["inspections"])],
        [ZH["duty_sum_findings"], f"{s['findings']}（{s['findings_closed']}）"],
        [ZH["duty_sum_suggestions"], str(s["suggestions"])],
        [ZH["duty_sum_micro"], str(s["micro_projects"])],
        [ZH["duty_sum_wishes"], str(s["wishes"])],
        [ZH["duty_sum_votes"], f"{s['sessions_attended']}/{s['sessions_on_roll']}"],
        [ZH["duty_sum_ratings"], str(s["ratings_attended"])],
    ]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _strings(v)]
    if isinstance(value, list | tuple):
        return [x for v in value for x in _strings(v)]
    return [str(value)]


def record_pdf(record: dict[str, Any]) -> bytes:
    d = record["deputy"]
    title = ZH["duty_title"].format(name=d["name"], year=record["year"])
    subtitle = " · ".join(
        x for x in (record["county_name"], L["level"].get(d["level"], d["level"]), d["town"], d["group"]) if x
    )
    parts = _rows(record)
    summary = _summary(record)
    font = register_font("".join(_strings([title, subtitle, parts, summary, ZH])))
    heading = ParagraphStyle("h", fontName=font, fontSize=16, leading=22, spaceBefore=10, spaceAfter=6)
    title_style = ParagraphStyle("t", fontName=font, fontSize=20, leading=28, textColor=colors.HexColor("#b31217"))
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    note = ParagraphStyle("n", parent=body, textColor=colors.HexColor("#5f6b76"))
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c8d0d8")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def cell(text: str) -> Paragraph:
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), body)

    story: list[Any] = [
        Paragraph(title, title_style),
        Paragraph(subtitle, note),
        Paragraph(ZH["duty_no_phone"], note),
        Spacer(1, 4 * mm),
        Paragraph(ZH["duty_summary"], heading),
    ]
    table = Table([[cell(a), cell(b)] for a, b in summary], colWidths=[60 * mm, 100 * mm])
    table.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c8d0d8"))])
    )
    story.append(table)
    for name, columns, rows in parts:
        story.append(Paragraph(name, heading))
        if name == ZH["duty_votes"]:
            story.append(Paragraph(ZH["duty_attendance_note"], note))
        if not rows:
            story.append(Paragraph(ZH["duty_none"], body))
            continue
        t = Table([[cell(c) for c in columns]] + [[cell(v) for v in row] for row in rows], repeatRows=1)
        t.setStyle(grid)
        story.append(t)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=title,
        author="Shishi (实事)",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        invariant=1,
        initialFontName=font,  # else the canvas starts in Helvetica, which is not embedded
    )
    doc.build(story)
    return out.getvalue()
