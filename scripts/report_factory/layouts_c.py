"""Variant c of each layout: the recommendations part, written from literal wording.

Each recommendation item is a dict with "paras" (the first one carries the addressee in
the list layouts), optional "bullets" and "tail" (paragraphs after the bullets), "to"
(agency keys or literal names: the addressees) and layout-specific cell values.
Placeholders such as {council} are filled from the report's agencies.
"""

from docx.shared import Mm, Pt

from . import tables
from . import wordxml as wx
from .builder import Builder
from .recs import Rec


def parts(b: Builder, item: dict) -> tuple[list[str], list[str], list[str]]:
    """The item's paragraphs, bullets and closing paragraphs, placeholders filled."""

    def fill(texts):
        return [text.format(**b.ctx) for text in texts]

    return fill(item["paras"]), fill(item.get("bullets", [])), fill(item.get("tail", []))


def rec_cell(b: Builder, cell, paras: list[str], bullets: list[str], tail: list[str]) -> None:
    """Paragraphs, Word bullets and closing paragraphs in one table cell."""
    tables.fill_cell(b, cell, paras, bullets)
    for text in tail:
        wx.add_run(wx.cell_paragraph(cell, False), text)


def small_text(table, size: float) -> None:
    """Set every run of a table to one point size."""
    for row in table.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(size)


def lead_in(b: Builder, spec: dict) -> None:
    """The recommendations section's opening paragraph(s)."""
    for text in spec["lead_in"]:
        b.numbered_para(text.format(count=spec["count_word"], **b.ctx))


def closing(b: Builder, spec: dict) -> None:
    """A blank line and a closing paragraph after a table."""
    b.para("")
    b.para(b.prose.paragraph("conclusion", 2))


# -- tables ---------------------------------------------------------------------------
def plain(b: Builder, spec: dict) -> None:
    """Ref | Recommendation | Lead agency | Shared with | Timescale."""
    lead_in(b, spec)
    table = b.doc.add_table(rows=1, cols=5, style="Table Grid")
    tables.header_row(table, ["Ref", "Recommendation", "Lead agency", "Shared with", "Timescale"])
    for idx, item in enumerate(spec["recs"], start=1):
        to = tables.names(b, item["to"])
        paras, bullets, tail = parts(b, item)
        cells = table.add_row().cells
        tables.fill_cell(b, cells[0], [str(idx)])
        rec_cell(b, cells[1], paras, bullets, tail)
        tables.fill_cell(b, cells[2], item.get("lines") or to)
        tables.fill_cell(b, cells[3], tables.names(b, item.get("shared", ["–"])))
        tables.fill_cell(b, cells[4], [item.get("when", "Six months")])
        b.out.recs.append(
            Rec(str(idx), paras, bullets, to, source="table", marker=str(idx), tail=tail)
        )
    wx.set_widths(table, spec["widths"])
    small_text(table, spec.get("table_size", 9.5))
    closing(b, spec)


def grouped(b: Builder, spec: dict) -> None:
    """Full-width group rows (local / national), numbering continuing across them."""
    lead_in(b, spec)
    table = b.doc.add_table(rows=1, cols=4, style="Table Grid")
    tables.header_row(table, spec["columns"])
    merges, idx = [], 0
    for group in spec["groups"]:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[3])
        tables.fill_cell(b, merged, [group["title"]], bold_first=True)
        wx.shade(merged, tables.GROUP_FILL)
        for item in group["recs"]:
            idx += 1
            to = tables.names(b, item["to"])
            paras, bullets, tail = parts(b, item)
            cells = table.add_row().cells
            tables.fill_cell(b, cells[0], [str(idx)])
            rec_cell(b, cells[1], paras, bullets, tail)
            if item.get("span"):  # first row of a vertically merged agency cell
                merges.append((len(table.rows) - 1, item["span"], item.get("lines") or to))
            elif not item.get("spanned"):
                tables.fill_cell(b, cells[2], item.get("lines") or to)
            tables.fill_cell(b, cells[3], [item.get("when", "March 2025")])
            b.out.recs.append(
                Rec(str(idx), paras, bullets, to, source="table", marker=str(idx), tail=tail)
            )
    wx.set_widths(table, spec["widths"])
    for first, span, lines in merges:
        merged = table.cell(first, 2).merge(table.cell(first + span - 1, 2))
        tables.fill_cell(b, merged, lines)
    small_text(table, spec.get("table_size", 10))
    closing(b, spec)


def plan_intro(b: Builder, spec: dict) -> None:
    """The recommendations section only points to the action plan."""
    lead_in(b, spec)
    b.para(b.prose.paragraph("conclusion", 2))


def action_plan(b: Builder, spec: dict) -> None:
    """No. (narrow, merged) | Recommendation (merged) | Action | Lead | By when | Evidence."""
    for text in spec.get("plan_note", []):
        b.para(text)
    table = b.doc.add_table(rows=1, cols=6, style="Table Grid")
    titles = ["No.", "Recommendation", "Action required", "Lead agency", "By when"]
    tables.header_row(table, titles + ["Evidence of completion"])
    merges = []
    for idx, item in enumerate(spec["recs"], start=1):
        leads = tables.names(b, [lead for _, lead, _, _ in item["actions"]])
        to = list(dict.fromkeys(leads))
        paras, bullets, tail = parts(b, item)
        first_row = len(table.rows)
        for row_no, (action, _, when, evidence) in enumerate(item["actions"]):
            cells = table.add_row().cells
            if row_no == 0:
                tables.fill_cell(b, cells[0], [str(idx)])
                rec_cell(b, cells[1], paras, bullets, tail)
            tables.fill_cell(b, cells[2], [action.format(**b.ctx)])
            tables.fill_cell(b, cells[3], [leads[row_no]])
            tables.fill_cell(b, cells[4], [when])
            tables.fill_cell(b, cells[5], [evidence.format(**b.ctx)])
            b.out.must_span.append(evidence.format(**b.ctx))
        if len(item["actions"]) > 1:
            merges.append((first_row, len(item["actions"])))
        b.out.recs.append(
            Rec(str(idx), paras, bullets, to, source="table", marker=str(idx), tail=tail)
        )
    wx.set_widths(table, spec["widths"])
    for first, span in merges:
        for col in (0, 1):
            table.cell(first, col).merge(table.cell(first + span - 1, col))
    small_text(table, spec.get("table_size", 9))


# -- lists ----------------------------------------------------------------------------
def label_list(b: Builder, text: str, left: int, hanging: int, suffix: str = "tab") -> int:
    """A one-level auto-numbered list whose label is `text` ("Recommendation %1.")."""
    level = (
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:suff w:val="{suffix}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>'
        "<w:rPr><w:b/></w:rPr></w:lvl>"
    )
    return b.numbering.instance(b.numbering._add_abstract(level, "singleLevel"))


def item_body(b: Builder, paras, bullets, tail, num: int | None, indent: float = 0) -> None:
    """An item's paragraphs (the first one numbered when num is given), bullets, tail."""
    for pidx, text in enumerate(paras):
        para = b.doc.add_paragraph(text)
        if pidx == 0 and num is not None:
            wx.set_num(para, num, 0)
        elif indent:
            para.paragraph_format.left_indent = Mm(indent)
    b.bullets(bullets)
    for text in tail:
        para = b.doc.add_paragraph(text)
        if indent:
            para.paragraph_format.left_indent = Mm(indent)


def numbered_list(b: Builder, spec: dict) -> None:
    """A Word list numbered "Recommendation 1.", "Recommendation 2." …, text on the line."""
    lead_in(b, spec)
    num = label_list(b, "Recommendation %1.", 0, 0, suffix="space")
    for idx, item in enumerate(spec["recs"], start=1):
        to = tables.names(b, item["to"])
        paras, bullets, tail = parts(b, item)
        item_body(b, paras, bullets, tail, num)
        marker = f"Recommendation {idx}."
        b.out.recs.append(Rec(str(idx), paras, bullets, to, marker=marker, tail=tail))


def paragraphs(b: Builder, spec: dict) -> None:
    """A bold "Recommendation N" line of its own, then the text paragraph(s)."""
    lead_in(b, spec)
    for idx, item in enumerate(spec["recs"], start=1):
        to = tables.names(b, item["to"])
        paras, bullets, tail = parts(b, item)
        label = b.doc.add_paragraph()
        label.paragraph_format.keep_with_next = True
        label.paragraph_format.space_before = Pt(10)
        label.paragraph_format.space_after = Pt(3)
        wx.add_run(label, f"Recommendation {idx}", bold=True)
        item_body(b, paras, bullets, tail, None)
        marker = f"Recommendation {idx}"
        b.out.recs.append(Rec(str(idx), paras, bullets, to, marker=marker, tail=tail))


def agency_sections(b: Builder, spec: dict) -> None:
    """ "Recommendations for <agency>" sub-headings, one "1)" list numbered throughout."""
    lead_in(b, spec)
    num = label_list(b, "%1)", 567, 567)
    count = 0
    titles = spec.get("section_titles", {})
    for key, items in spec["agency_recs"]:
        agency = tables.names(b, [key])[0]
        b.heading(titles.get(key, "Recommendations for {agency}").format(agency=agency), 2)
        for item in items:
            count += 1
            to = tables.names(b, item["to"]) if item.get("to") else [agency]
            paras, bullets, tail = parts(b, item)
            item_body(b, paras, bullets, tail, num, indent=10)
            b.out.recs.append(Rec(str(count), paras, bullets, to, marker=str(count), tail=tail))
