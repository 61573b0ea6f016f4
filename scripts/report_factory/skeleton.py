"""The narrative sections every report shares; the layout writes the recommendations."""

from docx.enum.section import WD_SECTION
from docx.shared import Pt

from . import layouts
from . import wordxml as wx
from .builder import Builder

GLOSSARY = [
    ("DASH", "Domestic Abuse, Stalking and Harassment and Honour-based Violence risk checklist"),
    ("DHR", "Domestic Homicide Review"),
    ("DVDS", "Domestic Violence Disclosure Scheme (“Clare’s Law”)"),
    ("DVPN / DVPO", "Domestic Violence Protection Notice / Order"),
    ("GP", "General Practitioner"),
    ("ICB", "Integrated Care Board"),
    ("IDVA", "Independent Domestic Violence Advisor"),
    ("IMR", "Individual Management Review"),
    ("MARAC", "Multi-Agency Risk Assessment Conference"),
    ("MASH", "Multi-Agency Safeguarding Hub"),
    ("MAPPA", "Multi-Agency Public Protection Arrangements"),
    ("SAB", "Safeguarding Adults Board"),
]

TERMS = [
    "To establish what lessons are to be learned from the domestic homicide about the way in which local professionals and organisations work individually and together to safeguard victims.",
    "To identify clearly what those lessons are, both within and between agencies, how and within what timescales they will be acted on, and what is expected to change as a result.",
    "To examine each agency’s response to any disclosure of domestic abuse, including the use of risk assessment and referral to the MARAC.",
    "To consider whether agencies recognised coercive and controlling behaviour and responded to it appropriately.",
    "To consider the impact of the COVID-19 restrictions on the services available to the victim and the perpetrator.",
    "To seek the views of the family, friends and colleagues of the victim and to reflect them in the report.",
]


def build(spec: dict, toc_entries: list, toc_pages: dict[str, int]) -> tuple:
    """Write the whole report; returns (Document, Built)."""
    b = Builder(spec, toc_entries, toc_pages)
    pr = b.prose
    b.running_heads()
    b.title_page()
    b.toc()
    n = spec.get("paras", 1)
    if spec.get("exec_summary", True):
        b.heading("Executive Summary", 1, numbered=False)
        for topic in ("intro", "background", "analysis", "conclusion"):
            b.para(pr.paragraph(topic, 3))
        b.para(f"The recommendations of the review are set out in full in {spec['recs_where']}.")
        b.page_break()
    b.heading("Introduction", 1)
    b.numbered_para(
        f"This overview report was commissioned by {spec['csp_full']} following the death of "
        f"{spec['pseudonym']} in {spec['year_death']}."
    )
    b.para(
        pr.paragraph("intro", 3),
        footnote="Home Office (2016), Multi-agency Statutory Guidance for the Conduct of Domestic Homicide Reviews.",
    )
    b.heading("Timescales and confidentiality", 1)
    b.numbered_para(pr.paragraph("process", 2))
    b.heading("Terms of reference", 1)
    b.numbered_para("The panel agreed the following terms of reference at its first meeting:")
    terms = b.numbering.instance(b.numbering.decimal(left=1134))
    for term in TERMS[: spec.get("terms", 5)]:
        para = b.doc.add_paragraph(term)
        wx.set_num(para, terms, 0)
    b.heading("Methodology", 1)
    for _ in range(n):
        b.numbered_para(pr.paragraph("process", 3))
    b.heading("Involvement of family, friends and colleagues", 1)
    for _ in range(n):
        b.numbered_para(pr.paragraph("family", 3))
    contributors(b, spec)
    b.heading("The review panel", 1)
    b.numbered_para("The panel comprised senior representatives of the following organisations:")
    panel = b.doc.add_table(rows=1, cols=2, style="Table Grid")
    panel.rows[0].cells[0].text, panel.rows[0].cells[1].text = "Role", "Organisation"
    roles = ["Detective Inspector", "Head of Safeguarding", "Named Nurse", "Service Manager"]
    for role, key in zip(roles, ("police", "health", "mh", "council"), strict=True):
        cells = panel.add_row().cells
        cells[0].text, cells[1].text = role, spec["agencies"][key]
    wx.repeat_header(panel.rows[0])
    wx.set_widths(panel, [55, 105])
    b.heading("Independent chair and author", 1)
    b.numbered_para(
        f"The independent chair and author, {spec['author']}, has no connection with any agency "
        f"in {spec['area']}. She has completed the Home Office training for chairs and has "
        "chaired reviews in several areas of England."
    )
    b.heading("Parallel reviews", 1)
    b.numbered_para(pr.paragraph("process", 2))
    b.heading("Equality and diversity", 1)
    b.numbered_para(pr.sentence("equality") + " " + pr.sentence("equality"))
    b.para(pr.paragraph("equality", 2), footnote="Equality Act 2010, section 4.")
    b.heading("Dissemination", 1)
    b.numbered_para(
        "The report will be shared with the family, the members of the panel, the Home Office "
        "Quality Assurance Panel, the Domestic Abuse Commissioner and the local safeguarding boards."
    )
    b.heading("Background information", 1)
    for _ in range(n + 1):
        b.numbered_para(pr.paragraph("background", 3))
    b.heading("Chronology", 1)
    layouts.chronology(b, spec)
    b.heading("Analysis", 1)
    for title in spec.get(
        "analysis",
        [
            "Risk assessment and the MARAC",
            "Coercive control",
            "Health services",
            "Professional curiosity",
        ],
    ):
        b.heading(title, 2)
        for _ in range(n):
            b.numbered_para(pr.paragraph("analysis", 4))
    b.para(
        pr.paragraph("analysis", 2),
        footnote="SafeLives (2014), DASH risk checklist quick start guidance.",
    )
    b.heading("Conclusions", 1)
    for _ in range(n):
        b.numbered_para(pr.paragraph("conclusion", 3))
    b.heading("Lessons to be learned", 1)
    b.numbered_para(pr.paragraph("analysis", 3))
    for _ in range(spec.get("pad", 0)):
        b.numbered_para(pr.paragraph("conclusion", 2))
    layouts.write(b, spec)
    appendices(b, spec)
    b.finish()
    return b.doc, b.out


def contributors(b: Builder, spec: dict) -> None:
    """Contributing agencies: Word bullets, or a two-column section."""
    b.heading("Contributors to the review", 1)
    b.numbered_para("The following agencies contributed to the review:")
    names = sorted(set(spec["agencies"].values()) - {spec["csp_full"]})
    if spec.get("two_column_agencies"):
        b.new_section(WD_SECTION.CONTINUOUS)
        wx.set_columns(b.doc.sections[-1], 2)
        for name in names:
            para = b.doc.add_paragraph(name)
            para.paragraph_format.alignment = 0
            para.paragraph_format.space_after = Pt(2)
        b.new_section(WD_SECTION.CONTINUOUS)
        wx.set_columns(b.doc.sections[-1], 1)
    else:
        b.bullets(names)


def appendices(b: Builder, spec: dict) -> None:
    """Glossary (a two-column section in some reports) and, for action plans, the plan."""
    if spec["layout"] == "action-plan":
        layouts.action_plan_appendix(b, spec)
    b.heading("Appendix A: Glossary", 1, numbered=False, new_page=spec["layout"] != "action-plan")
    if spec.get("two_column_glossary"):
        b.new_section(WD_SECTION.CONTINUOUS)
        wx.set_columns(b.doc.sections[-1], 2)
        for term, meaning in GLOSSARY:
            para = b.doc.add_paragraph()
            para.paragraph_format.alignment = 0
            wx.add_run(para, term, bold=True)
            wx.add_run(para, " – " + meaning)
    else:
        table = b.doc.add_table(rows=1, cols=2, style="Table Grid")
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Term", "Meaning"
        for term, meaning in GLOSSARY:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = term, meaning
        wx.repeat_header(table.rows[0])
        wx.set_widths(table, [35, 125])
