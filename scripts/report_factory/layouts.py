"""The recommendations part of each layout, and the chronology."""

import random

from docx.enum.section import WD_SECTION
from docx.shared import Mm, Pt

from . import tables
from . import wordxml as wx
from .builder import Builder
from .recs import Rec, imperative, sentence

CONTACTS = [
    (
        "Police",
        "Call from neighbour reporting shouting",
        "Officers attended; DASH completed, graded standard",
    ),
    (
        "GP",
        "Appointment: low mood and poor sleep",
        "Medication reviewed; no routine enquiry recorded",
    ),
    (
        "Acute trust",
        "Emergency department: wrist injury",
        "Treated and discharged; explanation of a fall accepted",
    ),
    ("Housing", "Homelessness application", "Temporary accommodation offered; not taken up"),
    (
        "IDVA service",
        "Referral received from police",
        "Four attempts to contact; case closed after no response",
    ),
    (
        "Mental health",
        "Assessment of the perpetrator",
        "Discharged to GP with advice on alcohol services",
    ),
    ("Children’s social care", "Referral from school", "Single assessment completed; case closed"),
    (
        "Probation",
        "Supervision appointment",
        "Reported new relationship; no enquiry of police made",
    ),
    (
        "Police",
        "Report of criminal damage",
        "Perpetrator arrested; released on bail with conditions",
    ),
    ("MARAC", "Case heard at meeting", "Actions agreed for police and the IDVA service"),
]
MONTHS = "January February March April May June July August September October November December"


def write(b: Builder, spec: dict) -> None:
    """Dispatch to the layout's writer."""
    b.heading(spec.get("recs_heading", "Recommendations"), 1)
    if spec.get("recs_pad"):  # moves the page breaks within the list
        b.numbered_para(b.prose.paragraph("conclusion", spec["recs_pad"]))
    (spec.get("writer") or WRITERS[spec["layout"]])(b, spec)


def intro(b: Builder, spec: dict, count_word: str) -> None:
    """The introductory numbered paragraph of the recommendations section."""
    b.numbered_para(
        f"The review makes {count_word} recommendations, set out below. Each agency has "
        "agreed an action plan, which will be monitored by the Community Safety Partnership."
    )


def chronology(b: Builder, spec: dict) -> None:
    """Prose chronology, or a long Date | Agency | Contact | Action taken table."""
    pr = b.prose
    b.numbered_para(pr.paragraph("chronology", 3))
    if not spec.get("chronology_rows"):
        b.para(pr.paragraph("chronology", 3))
        return
    rng = random.Random(spec["seed"])
    table = b.doc.add_table(rows=1, cols=4, style="Table Grid")
    tables.header_row(table, ["Date", "Agency", "Contact", "Action taken"])
    year = spec["year_death"] - 2
    day_of_year = 10
    for _ in range(spec["chronology_rows"]):
        day_of_year += rng.randint(8, 40)
        if day_of_year > 360:
            day_of_year -= 360
            year += 1
        month = MONTHS.split()[min(11, day_of_year // 30)]
        sector, contact, action = CONTACTS[rng.randrange(len(CONTACTS))]
        agency = {
            "Police": spec["agencies"]["police"],
            "Acute trust": spec["agencies"]["health"],
            "Mental health": spec["agencies"]["mh"],
            "Housing": spec["agencies"]["council"],
        }.get(sector, sector)
        cells = table.add_row().cells
        date = f"{1 + day_of_year % 28:02d} {month[:3]} {year}"
        for cell, text in zip(cells, (date, agency, contact, action), strict=True):
            tables.fill_cell(b, cell, [text])
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
    wx.set_widths(table, [24, 38, 48, 50])
    b.para(pr.paragraph("chronology", 2))


def numbered_list(b: Builder, spec: dict) -> None:
    """An auto-numbered (variant a) or typed-number (variant b) list with bullets."""
    items = spec["recs"]
    intro(b, spec, spec["count_word"])
    auto = spec["variant"] == "a"
    num = b.numbering.instance(b.numbering.decimal()) if auto else None
    for idx, item in enumerate(items, start=1):
        to = tables.names(b, item["to"])
        paras, bullets = sentence(item["t"], to, b.ctx, item.get("style", "that"))
        for pidx, text in enumerate(paras):
            para = b.doc.add_paragraph()
            if pidx == 0 and auto:
                wx.set_num(para, num, 0)
                wx.add_run(para, text)
            elif pidx == 0:
                para.paragraph_format.left_indent = Mm(10)
                para.paragraph_format.first_line_indent = Mm(-10)
                wx.add_run(para, f"{idx}.\t{text}")
            else:
                para.paragraph_format.left_indent = Mm(10)
                wx.add_run(para, text)
        b.bullets(bullets, b.bullet_num)
        b.out.recs.append(Rec(str(idx), paras, bullets, to, source="list", marker=str(idx)))


def paragraphs(b: Builder, spec: dict) -> None:
    """Typed "Recommendation N:" paragraphs, the text on the label's line."""
    b.numbered_para(pr_intro(spec))
    for idx, item in enumerate(spec["recs"], start=1):
        to = tables.names(b, item["to"])
        paras, bullets = sentence(item["t"], to, b.ctx, item.get("style", "that"))
        para = b.doc.add_paragraph()
        wx.add_run(para, f"Recommendation {idx}:", bold=True)
        wx.add_run(para, " " + paras[0])
        for text in paras[1:]:
            b.doc.add_paragraph(text)
        b.bullets(bullets)
        marker = f"Recommendation {idx}:"
        b.out.recs.append(Rec(str(idx), paras, bullets, to, source="list", marker=marker))


def pr_intro(spec: dict) -> str:
    """Lead-in sentence of a recommendations section."""
    return (
        f"The panel makes the following {spec['count_word']} recommendations. They are "
        "addressed to the agencies named in each one, which have accepted them."
    )


def agency_sections(b: Builder, spec: dict) -> None:
    """Single agency sub-sections, then overview recommendations addressed in the sentence."""
    restart = spec["variant"] == "b"
    abstract = b.numbering.decimal()
    shared = b.numbering.instance(abstract)
    count = 0
    b.numbered_para(pr_intro(spec))
    b.heading("Single agency recommendations", 2)
    for key, items in spec["agency_recs"]:
        agency = tables.names(b, [key])[0]
        b.heading(agency, 3)
        num = b.numbering.instance(abstract, restart=True) if restart else shared
        count = 0 if restart else count
        for item in items:
            count += 1
            to = tables.names(b, item["to"]) if item.get("to") else [agency]
            if item.get("to"):
                paras, bullets = sentence(item["t"], to, b.ctx, "that")
            else:
                paras, bullets = imperative(item["t"], to, b.ctx)
            list_item(b, num, paras, bullets)
            b.out.recs.append(Rec(str(count), paras, bullets, to, marker=str(count)))
    b.heading("Overview (multi-agency) recommendations", 2)
    num = b.numbering.instance(abstract, restart=True) if restart else shared
    count = 0 if restart else count
    for item in spec["recs"]:
        count += 1
        to = tables.names(b, item["to"])
        paras, bullets = sentence(item["t"], to, b.ctx, item.get("style", "that"))
        list_item(b, num, paras, bullets)
        b.out.recs.append(Rec(str(count), paras, bullets, to, marker=str(count)))


def list_item(b: Builder, num: int, paras: list[str], bullets: list[str]) -> None:
    """One auto-numbered item: its first paragraph numbered, the rest indented under it."""
    for pidx, text in enumerate(paras):
        para = b.doc.add_paragraph(text)
        if pidx == 0:
            wx.set_num(para, num, 0)
        else:
            para.paragraph_format.left_indent = Mm(10)
    b.bullets(bullets)


def table_layout(b: Builder, spec: dict) -> None:
    """Intro paragraph, then the plain or grouped table."""
    intro(b, spec, spec["count_word"])
    (tables.plain if spec["layout"] == "table-plain" else tables.grouped)(b, spec)
    b.para("")
    b.para(b.prose.paragraph("conclusion", 2))


def action_plan_intro(b: Builder, spec: dict) -> None:
    """The recommendations section points to the landscape action plan."""
    b.numbered_para(
        f"The review makes {spec['count_word']} recommendations. They are set out, with the "
        "actions agreed to deliver them, in the action plan at Appendix B."
    )
    b.para(b.prose.paragraph("conclusion", 2))


def action_plan_appendix(b: Builder, spec: dict) -> None:
    """Appendix B in a landscape section, then back to portrait for the glossary."""
    section = b.new_section(WD_SECTION.NEW_PAGE)
    wx.set_landscape(section)
    b.heading(spec.get("plan_heading", "Appendix B: Action plan"), 1, numbered=False)
    (spec.get("plan_table") or tables.action_plan)(b, spec)
    section = b.new_section(WD_SECTION.NEW_PAGE)
    wx.set_portrait(section)


WRITERS = {
    "table-plain": table_layout,
    "table-grouped": table_layout,
    "action-plan": action_plan_intro,
    "numbered-list": numbered_list,
    "paragraphs": paragraphs,
    "agency-sections": agency_sections,
}
