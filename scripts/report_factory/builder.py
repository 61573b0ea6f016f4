"""The common skeleton of an overview report: title page, contents, prose sections."""

from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from . import wordxml as wx
from .numbering import Numbering
from .prose import Prose
from .recs import Rec

FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
TEXT_WIDTH_TWIPS = int(Mm(160).twips)


@dataclass
class Heading:
    """A heading as written: level, rendered number label, text, bookmark."""

    level: int
    label: str
    text: str
    anchor: str


@dataclass
class Built:
    """What a build produced besides the docx: ground truth and check material."""

    recs: list[Rec] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    must_span: list[str] = field(default_factory=list)  # texts that must cross a page
    running: list[str] = field(default_factory=list)  # header/footer lines we wrote
    footer_left: str = ""


class Builder:
    """Writes one report; layouts call its helpers for the recommendations part."""

    def __init__(self, spec: dict, toc_entries: list, toc_pages: dict[str, int]) -> None:
        self.spec = spec
        self.toc_entries = toc_entries
        self.toc_pages = toc_pages
        self.doc = Document()
        wx.setup_document(self.doc, spec.get("font", "Arial"), spec.get("size", 11))
        self.text_width = TEXT_WIDTH_TWIPS
        if spec.get("margins"):  # (top, right, bottom, left) in mm
            top, right, bottom, left = spec["margins"]
            section = self.doc.sections[0]
            section.top_margin, section.right_margin = Mm(top), Mm(right)
            section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
            self.text_width = int(Mm(210 - left - right).twips)
        self.numbering = Numbering(self.doc)
        self.outline = spec.get("outline", "h1h2")
        self.outline_num = (
            self.numbering.outline(number_h2=self.outline == "h1h2")
            if self.outline != "none"
            else 0
        )
        self.bullet_num = self.numbering.bullet()
        self.cell_bullet_num = self.numbering.bullet(left=284, hanging=284)
        self.counters = [0, 0]
        self.footnotes: list[str] = []
        self.bookmarks = 0
        self.out = Built()
        ctx = dict(spec["agencies"])
        ctx.update(v=spec["v"], p=spec["p"], area=spec["area"], csp=spec["csp_full"])
        ctx["year"] = str(spec["year_death"])
        self.ctx = ctx
        self.prose = Prose(spec["seed"], ctx)

    # -- paragraphs -------------------------------------------------------------------
    def para(self, text: str, footnote: str | None = None, style: str | None = None):
        """A justified body paragraph, optionally ending in a footnote reference."""
        para = self.doc.add_paragraph(text, style=style)
        if footnote and self.spec.get("footnotes", True):
            self.footnotes.append(footnote)
            wx.footnote_reference(para, len(self.footnotes))
        return para

    def numbered_para(self, text: str) -> Paragraph:
        """A body paragraph numbered at outline level 2 ("17.1") when the outline says so."""
        para = self.doc.add_paragraph(text)
        if self.outline == "h1paras":
            wx.set_num(para, self.outline_num, 1)
            self.counters[1] += 1
        return para

    def bullets(self, items: list[str], num: int | None = None) -> None:
        """Word bullet items (a real bullet list definition)."""
        for item in items:
            para = self.doc.add_paragraph(item)
            para.paragraph_format.space_after = Pt(3)
            wx.set_num(para, num or self.bullet_num, 0)

    def heading(self, text: str, level: int, numbered: bool = True, new_page: bool = False):
        """A heading; numbered headings follow the outline list, others opt out."""
        para = self.doc.add_paragraph(text, style=f"Heading {level}")
        label = ""
        numbered_levels = {"h1h2": (1, 2), "h1paras": (1,), "none": ()}[self.outline]
        if level in numbered_levels and numbered:
            if level == 1:
                self.counters = [self.counters[0] + 1, 0]
                label = f"{self.counters[0]}."
            else:
                self.counters[1] += 1
                label = f"{self.counters[0]}.{self.counters[1]}"
        elif level in numbered_levels:
            wx.set_num(para, 0, 0)  # numId 0: this heading opts out of the outline list
        if new_page:
            wx.page_break_before(para)
        self.bookmarks += 1
        anchor = f"_Toc{self.spec['seed'] * 1000 + self.bookmarks}"
        wx.bookmark(para, anchor, self.bookmarks)
        self.out.headings.append(Heading(level, label, text, anchor))
        return para

    def page_break(self) -> None:
        """A hard page break."""
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- front matter -----------------------------------------------------------------
    def title_page(self) -> None:
        """Title lines, author and date; the first page has its own (marking-only) header."""
        spec = self.spec
        first = self.doc.paragraphs[0] if self.doc.paragraphs else self.doc.add_paragraph()
        first.paragraph_format.space_before = Pt(90)
        for idx, (text, size, bold) in enumerate(spec["title_lines"]):
            para = first if idx == 0 else self.doc.add_paragraph()
            para.paragraph_format.alignment = 1
            para.paragraph_format.space_after = Pt(14)
            run = wx.add_run(para, text, bold=bold)
            run.font.size = Pt(size)
        gap = self.doc.add_paragraph()
        gap.paragraph_format.space_before = Pt(120)
        for line in (f"Independent Chair and Author: {spec['author']}", spec["date_line"]):
            para = self.doc.add_paragraph()
            para.paragraph_format.alignment = 1
            wx.add_run(para, line).font.size = Pt(12)
        self.page_break()
        self.doc.add_paragraph(spec["page2_heading"], style="Heading 3")
        for text in spec["page2_lines"]:
            self.para(text)
        table = self.doc.add_table(rows=4, cols=2, style="Table Grid")
        rows = [
            ("Version", "Final"),
            ("Status", spec["marking"]),
            ("Date", spec["date_line"].split(": ", 1)[-1]),
            ("Author", spec["author"]),
        ]
        for row, (key, value) in zip(table.rows, rows, strict=True):
            row.cells[0].text, row.cells[1].text = key, value
        wx.set_widths(table, [40, 120])
        self.page_break()

    def toc(self) -> None:
        """A TOC field whose cached result lists the headings with their pages."""
        title = self.doc.add_paragraph("Contents", style="Heading 1")
        wx.set_num(title, 0, 0)
        entries = self.toc_entries
        for idx, (level, label, text, anchor) in enumerate(entries):
            para = self.doc.add_paragraph()
            fmt = para.paragraph_format
            fmt.alignment = 0
            fmt.space_after = Pt(2)
            fmt.left_indent = Mm(8 * (level - 1))
            ppr = para._p.get_or_add_pPr()
            tabs = wx.el("w:tabs")
            tabs.append(wx.el("w:tab", val="left", pos=str(int(Mm(8 * level + 6).twips))))
            tabs.append(wx.el("w:tab", val="right", leader="dot", pos=str(self.text_width)))
            ppr.append(tabs)
            if idx == 0:
                self._field_char(para, "begin")
                instr = wx.OxmlElement("w:r")
                node = wx.OxmlElement("w:instrText")
                node.set(wx.qn("xml:space"), "preserve")
                node.text = ' TOC \\o "1-3" \\h '
                instr.append(node)
                para._p.append(instr)
                self._field_char(para, "separate")
            link = wx.el("w:hyperlink", anchor=anchor, history="1")
            page = str(self.toc_pages.get(anchor, 0) or 0)
            for piece in ([label, "\t"] if label else []) + [text, "\t", page]:
                run = wx.OxmlElement("w:r")
                run.append(wx.OxmlElement("w:tab") if piece == "\t" else self._t(piece))
                link.append(run)
            para._p.append(link)
            if idx == len(entries) - 1:
                self._field_char(para, "end")
        self.page_break()

    @staticmethod
    def _t(text: str):
        node = wx.OxmlElement("w:t")
        node.set(wx.qn("xml:space"), "preserve")
        node.text = text
        return node

    @staticmethod
    def _field_char(para: Paragraph, kind: str) -> None:
        run = wx.OxmlElement("w:r")
        run.append(wx.el("w:fldChar", fldCharType=kind))
        para._p.append(run)

    # -- sections ---------------------------------------------------------------------
    def new_section(self, start=WD_SECTION.NEW_PAGE):
        """Start a new section (its header and footer stay linked to the previous one)."""
        section = self.doc.add_section(start)
        # The copied sectPr keeps w:titlePg; only the title page has the marking-only header.
        section.different_first_page_header_footer = False
        return section

    def running_heads(self) -> None:
        """Headers and footers for the document (first page: marking only)."""
        spec = self.spec
        section = self.doc.sections[0]
        header = f"{spec['area']} DHR – {spec['v']} – Overview Report"
        footer_left = spec.get("footer_left", f"{spec['area']} DHR Overview Report")
        wx.write_header_footer(section, header, spec["marking"], footer_left)
        wx.first_page_marking(section, spec["marking"])
        self.out.running = [spec["marking"], header]
        self.out.footer_left = footer_left

    def finish(self) -> None:
        """Add the footnotes part (python-docx has no API for it)."""
        if self.footnotes:
            part = Part(
                PackURI("/word/footnotes.xml"),
                FOOTNOTES_CT,
                wx.footnotes_part_xml(self.footnotes),
                self.doc.part.package,
            )
            self.doc.part.relate_to(part, RT.FOOTNOTES)
