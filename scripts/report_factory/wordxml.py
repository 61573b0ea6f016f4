"""Low-level Word features python-docx lacks: fields, numbering, sections, table flags."""

import zipfile
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

# Fixed zip timestamp so the .docx bytes depend only on the content.
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def el(tag: str, **attrs: str):
    """Make a w: element with w: attributes (keyword names without the prefix)."""
    node = OxmlElement(tag)
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), str(value))
    return node


def setup_document(doc: DocumentObject, font: str, size: float) -> None:
    """Set the fonts, British English, justified body text and automatic hyphenation."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(22)
        section.header_distance = section.footer_distance = Mm(10)
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    rpr.append(el("w:lang", val="en-GB", eastAsia="en-US", bidi="ar-SA"))
    normal = doc.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:hAnsi"), font)
    fmt = normal.paragraph_format
    fmt.alignment = 3  # justified
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    for name, pts in (("Heading 1", size + 3), ("Heading 2", size + 1), ("Heading 3", size)):
        style = doc.styles[name]
        style.font.name = font
        style.font.size = Pt(pts)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:hAnsi"), font)
        style.paragraph_format.alignment = 0
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    for name in ("Title", "Subtitle"):
        doc.styles[name].font.name = font
        doc.styles[name].font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    settings = doc.settings.element
    tab_stop = settings.find(qn("w:defaultTabStop"))
    hyphen = [el("w:autoHyphenation"), el("w:hyphenationZone", val="357")]
    for node in reversed(hyphen):
        tab_stop.addnext(node)


def add_run(paragraph: Paragraph, text: str, bold: bool = False, italic: bool = False):
    """Append a run; tabs in text become real w:tab elements."""
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    return run


def add_field(paragraph: Paragraph, instr: str, cached: str) -> None:
    """Append a complex field (begin / instrText / separate / cached result / end)."""
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("t", cached)):
        run = OxmlElement("w:r")
        if kind == "instr":
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = f" {text} "
        elif kind == "t":
            node = OxmlElement("w:t")
            node.text = text
        else:
            node = el("w:fldChar", fldCharType=kind)
        run.append(node)
        paragraph._p.append(run)
    end = OxmlElement("w:r")
    end.append(el("w:fldChar", fldCharType="end"))
    paragraph._p.append(end)


def write_header_footer(section, header: str, marking: str, footer_left: str) -> None:
    """Running header (title + marking) and footer ("Page X of Y" fields) of a section."""
    head = section.header.paragraphs[0]
    head.text = ""
    head.paragraph_format.alignment = 1
    add_run(head, marking, bold=True)
    line = section.header.add_paragraph()
    line.paragraph_format.alignment = 1
    add_run(line, header).font.size = Pt(8)
    foot = section.footer.paragraphs[0]
    foot.text = ""
    foot.paragraph_format.alignment = 1
    add_run(foot, footer_left + "\t").font.size = Pt(8)
    add_run(foot, "Page ")
    add_field(foot, "PAGE \\* MERGEFORMAT", "1")
    add_run(foot, " of ")
    add_field(foot, "NUMPAGES \\* MERGEFORMAT", "1")
    marker = section.footer.add_paragraph()
    marker.paragraph_format.alignment = 1
    add_run(marker, marking, bold=True)


def first_page_marking(section, marking: str) -> None:
    """A different first page (title page) whose header holds only the marking."""
    section.different_first_page_header_footer = True
    para = section.first_page_header.paragraphs[0]
    para.text = ""
    para.paragraph_format.alignment = 1
    add_run(para, marking, bold=True)


def set_landscape(section) -> None:
    """Turn a section's pages to A4 landscape."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)


def set_portrait(section) -> None:
    """Turn a section's pages back to A4 portrait."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)


def set_columns(section, count: int) -> None:
    """Lay a section out in `count` newspaper columns."""
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:cols")):
        sect_pr.remove(old)
    cols = el("w:cols", num=str(count), space="567")
    # w:cols sits after w:pgMar / w:pgNumType in CT_SectPr.
    anchor = sect_pr.find(qn("w:pgNumType")) or sect_pr.find(qn("w:pgMar"))
    anchor.addnext(cols)


def repeat_header(row: _Row) -> None:
    """Mark a table row as a header row repeated on every page (w:tblHeader)."""
    row._tr.get_or_add_trPr().append(el("w:tblHeader"))


def keep_row_whole(row: _Row) -> None:
    """Forbid a row to break across pages (w:cantSplit)."""
    row._tr.get_or_add_trPr().append(el("w:cantSplit"))


def set_widths(table: Table, widths_mm: list[float]) -> None:
    """Fix the grid and every cell to the given column widths."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for idx, cell in enumerate(row.cells):
            cell.width = Mm(widths_mm[min(idx, len(widths_mm) - 1)])


def shade(cell: _Cell, fill: str) -> None:
    """Give a cell a background colour."""
    cell._tc.get_or_add_tcPr().append(el("w:shd", val="clear", color="auto", fill=fill))


def cell_paragraph(cell: _Cell, first: bool) -> Paragraph:
    """The cell's first (empty) paragraph, or a new one."""
    para = cell.paragraphs[0] if first else cell.add_paragraph()
    para.paragraph_format.alignment = 0
    para.paragraph_format.space_after = Pt(3)
    return para


def set_num(paragraph: Paragraph, num_id: int, ilvl: int = 0) -> None:
    """Attach a paragraph to a Word list (w:numPr)."""
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = el("w:numPr")
    num_pr.append(el("w:ilvl", val=str(ilvl)))
    num_pr.append(el("w:numId", val=str(num_id)))
    style = ppr.find(qn("w:pStyle"))
    if style is None:
        ppr.insert(0, num_pr)
    else:
        style.addnext(num_pr)


def bookmark(paragraph: Paragraph, name: str, ident: int) -> None:
    """Wrap a paragraph's content in a bookmark (a TOC hyperlink target)."""
    start = el("w:bookmarkStart", id=str(ident), name=name)
    ppr = paragraph._p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(el("w:bookmarkEnd", id=str(ident)))


def page_break_before(paragraph: Paragraph) -> None:
    """Start a paragraph on a new page."""
    paragraph.paragraph_format.page_break_before = True


def footnotes_part_xml(notes: list[str]) -> bytes:
    """The word/footnotes.xml blob: the two separators then one footnote per text."""
    body = [
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>",
    ]
    for ident, text in enumerate(notes, start=1):
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        body.append(
            f'<w:footnote w:id="{ident}"><w:p><w:pPr><w:spacing w:after="0"/>'
            '<w:jc w:val="left"/></w:pPr>'
            '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve"> {safe}</w:t></w:r>'
            "</w:p></w:footnote>"
        )
    xml = f"<w:footnotes {nsdecls('w', 'r')}>{''.join(body)}</w:footnotes>"
    parse_xml(xml)  # fail here, not in LibreOffice, if the XML is malformed
    return xml.encode("utf-8")


def footnote_reference(paragraph: Paragraph, ident: int) -> None:
    """Append a superscript footnote reference mark to a paragraph."""
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    rpr.append(el("w:vertAlign", val="superscript"))
    run.append(rpr)
    run.append(el("w:footnoteReference", id=str(ident)))
    paragraph._p.append(run)


def save_deterministic(doc: DocumentObject, path: Path) -> None:
    """Save the document, then rewrite the zip with fixed timestamps."""
    doc.save(str(path))
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
