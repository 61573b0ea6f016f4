"""Recommendation tables: plain ruled, grouped with merged cells, landscape action plan."""

from docx.shared import Pt

from . import wordxml as wx
from .builder import Builder
from .recs import Rec, imperative

HEAD_FILL = "D9E2F3"
GROUP_FILL = "EDEDED"


def names(b: Builder, keys: list[str]) -> list[str]:
    """Agency keys (police, council ...) to the report's agency names; others are literal."""
    return [b.spec["agencies"].get(key, key) for key in keys]


def header_row(table, titles: list[str]) -> None:
    """Bold, shaded header row that Word repeats on every page."""
    for cell, title in zip(table.rows[0].cells, titles, strict=True):
        para = wx.cell_paragraph(cell, True)
        wx.add_run(para, title, bold=True)
        wx.shade(cell, HEAD_FILL)
    wx.repeat_header(table.rows[0])


def fill_cell(b: Builder, cell, paragraphs: list[str], bullets: list[str] = (), bold_first=False):
    """Paragraphs, then Word bullet items, in one cell."""
    for idx, text in enumerate(paragraphs):
        para = wx.cell_paragraph(cell, idx == 0)
        wx.add_run(para, text, bold=bold_first and idx == 0)
    for text in bullets:
        para = wx.cell_paragraph(cell, False)
        wx.add_run(para, text)
        wx.set_num(para, b.cell_bullet_num, 0)


def plain(b: Builder, spec: dict) -> None:
    """Four-column ruled table: No. | Recommendation | Agency | Target date / Shared with."""
    last = spec.get("last_col", "Target date")
    table = b.doc.add_table(rows=1, cols=4, style="Table Grid")
    header_row(table, ["No.", "Recommendation", "Agency", last])
    for idx, item in enumerate(spec["recs"], start=1):
        to = names(b, item["to"])
        paras, bullets = imperative(item["t"], to, b.ctx)
        cells = table.add_row().cells
        fill_cell(b, cells[0], [str(idx)])
        fill_cell(b, cells[1], paras, bullets)
        fill_cell(b, cells[2], item.get("lines") or to)
        fill_cell(b, cells[3], names(b, item.get("extra", ["March 2025"])))
        b.out.recs.append(Rec(str(idx), paras, bullets, to, source="table", marker=str(idx)))
    wx.set_widths(table, [12, 88, 35, 25])


def grouped(b: Builder, spec: dict) -> None:
    """Table with full-width group rows and vertically merged agency cells."""
    table = b.doc.add_table(rows=1, cols=4, style="Table Grid")
    header_row(table, ["No.", "Recommendation", "Agency", "Target date"])
    merges = []
    for group in spec["groups"]:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[3])
        fill_cell(b, merged, [group["title"]], bold_first=True)
        wx.shade(merged, GROUP_FILL)
        for item in group["recs"]:
            to = names(b, item["to"])
            paras, bullets = imperative(item["t"], to, b.ctx)
            row = table.add_row()
            cells = row.cells
            fill_cell(b, cells[0], [item["n"]])
            fill_cell(b, cells[1], paras, bullets)
            if item.get("span"):  # first row of a vertically merged agency cell
                merges.append((len(table.rows) - 1, item["span"], item.get("lines") or to))
            elif not item.get("spanned"):
                fill_cell(b, cells[2], item.get("lines") or to)
            fill_cell(b, cells[3], [item.get("date", "December 2024")])
            b.out.recs.append(Rec(item["n"], paras, bullets, to, source="table", marker=item["n"]))
    wx.set_widths(table, [13, 92, 33, 22])
    for first, span, lines in merges:
        merged = table.cell(first, 2).merge(table.cell(first + span - 1, 2))
        fill_cell(b, merged, lines)


ACTIONS = [
    "Review the current training package and add a module on cumulative risk.",
    "Deliver briefings to all frontline teams.",
    "Audit a sample of twenty cases and report the findings to the partnership board.",
    "Update the policy and publish it on the intranet with a practitioner summary.",
    "Agree a data-sharing protocol between the partner agencies.",
    "Include the learning in induction training for new staff.",
    "Issue a seven-minute briefing and discuss it at team meetings.",
]

OUTCOMES = [
    "Practitioners are confident in identifying risk.",
    "Referrals contain complete information.",
    "Improved consistency in the grading of risk, evidenced by audit.",
    "Victims are offered timely specialist support.",
]

REPORT_MONTHS = ["January", "February", "March", "April", "May", "June", "July"]
REPORT_MONTHS += ["August", "September", "October", "November", "December"]


def action_plan(b: Builder, spec: dict) -> None:
    """Landscape action plan: one recommendation cell merged over its action rows."""
    label_style = spec.get("label", "heading")  # "heading": own line; "inline": "5. Text"
    table = b.doc.add_table(rows=1, cols=6, style="Table Grid")
    titles = ["Recommendation", "Scope", "Action", "Lead agency", "Target date", "Outcome"]
    header_row(table, titles)
    merges = []
    action_idx = 0
    for idx, item in enumerate(spec["recs"], start=1):
        leads = names(b, item["leads"])
        to = list(dict.fromkeys(leads))
        paras, bullets = imperative(item["t"], to, b.ctx)
        first_row = len(table.rows)
        for row_no, lead in enumerate(leads):
            cells = table.add_row().cells
            if row_no == 0:
                if label_style == "heading":
                    fill_cell(b, cells[0], [f"Recommendation {idx}"] + paras, bullets, True)
                else:
                    fill_cell(b, cells[0], [f"{idx}. {paras[0]}"] + paras[1:], bullets)
                fill_cell(b, cells[1], [item.get("scope", "Local")])
            action = ACTIONS[action_idx % len(ACTIONS)]
            action_idx += 1
            fill_cell(b, cells[2], [action])
            fill_cell(b, cells[3], [lead])
            fill_cell(b, cells[4], [item.get("date", "June 2025")])
            outcome = item.get("outcome", {}).get(row_no) or (
                f"Action {idx}.{row_no + 1}: {OUTCOMES[action_idx % len(OUTCOMES)]} Progress "
                f"is reported to the partnership board in {REPORT_MONTHS[action_idx % 12]}."
            )
            fill_cell(b, cells[5], [outcome])
            b.out.must_span.append(outcome)
        if len(leads) > 1:
            merges.append((first_row, len(leads)))
        marker = f"Recommendation {idx}" if label_style == "heading" else f"{idx}."
        b.out.recs.append(Rec(str(idx), paras, bullets, to, source="table", marker=marker))
    wx.set_widths(table, [62, 18, 58, 38, 23, 48])
    for first, span in merges:
        for col in (0, 1):
            table.cell(first, col).merge(table.cell(first + span - 1, col))
    for row in table.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(9.5)
