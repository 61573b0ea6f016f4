"""Generate DHR overview report PDFs with fpdf2 that look like real ones, plus broken PDFs.

Public API (reused by the indexer tests and scripts/bench_pdf):

- ``build_report(path, ...) -> GeneratedReport``: a report plus where things landed
  (the page each recommendation starts on, the page count).
- ``make_report_pdf(path, ...) -> Path``: the same, returning just the path.
- ``make_encrypted_pdf``, ``make_truncated_pdf``, ``make_image_only_pdf``,
  ``make_zero_page_pdf``, ``make_not_a_pdf``: each kind of bad input.

Layout of a report: page 1 title page (CSP, "Domestic Homicide Review", "Overview Report",
"Published <month year>"), page 2 contents, page 3 executive summary, then numbered body
paragraphs, then a "Recommendations" section that starts part-way down a page so its table
(or numbered list) breaks across a page. Every page after the title page has a running
header and a "Page N of M" footer. Text in ``passages`` is printed at the top of that page;
a "\\n" in it forces a line break there, so "safe-\\nguarding" is a word hyphenated at a
line end.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

DEFAULT_RECOMMENDATIONS: list[tuple[str, str, str]] = [
    (
        "1",
        "Bolton Community Safety Partnership should ensure that the learning from this review "
        "is disseminated to all partner agencies through a programme of multi-agency "
        "training on coercive control.",
        "Bolton Community Safety Partnership",
    ),
    (
        "2",
        "Greater Manchester Police should review how officers complete the DASH risk "
        "assessment when the victim declines to answer questions.",
        "Greater Manchester Police",
    ),
    (
        "3",
        "The GP practice should routinely ask about domestic abuse when a patient presents "
        "with anxiety, depression or unexplained injuries, and record the answer.",
        "Bolton NHS Foundation Trust; Bolton CCG",
    ),
    (
        "4",
        "Bolton Council Housing Options should share information with the MARAC coordinator "
        "whenever a tenant at high risk asks to move.",
        "Bolton Council",
    ),
    (
        "5",
        "The National Probation Service should check police call-out records before "
        "assessing the risk an offender poses to a new partner.",
        "National Probation Service",
    ),
    (
        "6",
        "The Home Office should consider updating the statutory guidance so that "
        "reviews consider economic abuse.",
        "Home Office",
    ),
]

SUMMARY_PARAGRAPHS = [
    "This review examines the contact that agencies had with Adult A and Adult B before "
    "the death of Adult A in the spring of 2019. The review panel met six times.",
    "Adult A had told her GP and a housing officer about arguments at home. No agency "
    "asked about domestic abuse or completed a risk assessment with her.",
    "The review makes six recommendations, including better multi-agency information "
    "sharing and training on coercive control for front-line staff.",
]

FOREWORD = (
    "The Community Safety Partnership commissioned this review after the death of a woman "
    "in her home. The chair thanks her family, who spoke openly about her life and the "
    "help she sought, and the agencies that gave their records to the panel."
)

_FILLER = [
    "The panel considered the records provided by each agency in chronological order.",
    "Agencies were asked to provide an Individual Management Review of their contact.",
    "The GP surgery saw Adult A on several occasions for low mood and poor sleep.",
    "A referral to the MARAC was not made although risk factors were present.",
    "The housing provider received complaints about noise from the property.",
    "Police attended the address after a neighbour reported shouting late at night.",
    "The IDVA service had no contact with Adult A during the period under review.",
    "Family members told the chair that Adult A had become isolated from friends.",
    "The panel noted that professional curiosity was not always shown by staff.",
    "Information sharing between health and children's services was limited.",
    "Adult B had previous convictions for violence against a former partner.",
    "The Domestic Violence Disclosure Scheme was not used by any agency.",
]

_MARGIN = 20.0
_LINE_H = 5.5
_FONT_SIZE = 11


@dataclass
class GeneratedReport:
    """A generated report PDF and where its parts landed (pages are 1-based)."""

    path: Path
    page_count: int
    recommendation_pages: dict[str, int] = field(default_factory=dict)
    recommendations_heading_page: int = 0


class _ReportPdf(FPDF):
    def __init__(self, header_text: str):
        super().__init__(format="A4")
        self.header_text = header_text
        self.set_margins(_MARGIN, _MARGIN + 8, _MARGIN)
        self.set_auto_page_break(False)
        self.alias_nb_pages("{nb}")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("Helvetica", "I", 9)
        self.set_xy(_MARGIN, 10)
        self.cell(0, 5, self.header_text, align="C")
        self.set_font("Helvetica", "", _FONT_SIZE)
        self.set_xy(_MARGIN, _MARGIN + 8)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("Helvetica", "", 9)
        self.set_xy(_MARGIN, self.h - 14)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_font("Helvetica", "", _FONT_SIZE)

    @property
    def bottom(self) -> float:
        return self.h - _MARGIN - 6

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap; a "\\n" in the text is a forced line break."""
        lines: list[str] = []
        for hard in text.split("\n"):
            line = ""
            for word in hard.split():
                trial = f"{line} {word}" if line else word
                if line and self.get_string_width(trial) > width:
                    lines.append(line)
                    line = word
                else:
                    line = trial
            lines.append(line)
        return lines

    def paragraph(self, text: str, *, fits_only: bool = False) -> bool:
        """Write a paragraph at the cursor; with fits_only, write nothing if it won't fit."""
        lines = self.wrap(text, self.epw)
        if fits_only and self.get_y() + len(lines) * _LINE_H > self.bottom:
            return False
        for line in lines:
            self.set_x(_MARGIN)
            self.cell(0, _LINE_H, line, new_x="LMARGIN", new_y="NEXT")
        self.ln(2.5)
        return True

    def heading(self, text: str) -> None:
        self.set_font("Helvetica", "B", 13)
        self.set_x(_MARGIN)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", _FONT_SIZE)
        self.ln(2)


def _title_page(pdf: _ReportPdf, csp: str, title: str, subject: str, published: str) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_y(40)
    pdf.cell(0, 10, f"{csp} Community Safety Partnership", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(30)
    pdf.set_font("Helvetica", "B", 24)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 14, "Overview Report", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.ln(10)
    pdf.cell(0, 10, f"Into the death of {subject}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(40)
    pdf.cell(0, 8, "Independent Chair and Author: J. Smith", align="C", new_x="LMARGIN")
    pdf.ln(10)
    pdf.cell(0, 8, f"Published {published}", align="C", new_x="LMARGIN", new_y="NEXT")


def _contents_page(pdf: _ReportPdf, rec_page: int) -> None:
    pdf.add_page()
    pdf.heading("Contents")
    entries = [("1. Executive Summary", 3), ("2. Introduction", 4), ("3. Chronology", 5)]
    entries.append(("4. Recommendations", rec_page))
    for text, page in entries:
        pdf.cell(150, 7, text + " " + "." * 40)
        pdf.cell(0, 7, str(page), align="R", new_x="LMARGIN", new_y="NEXT")


def _summary_page(pdf: _ReportPdf, paragraphs: list[str]) -> None:
    pdf.add_page()
    if not paragraphs:
        # A report without an executive summary: a foreword in plain prose instead.
        pdf.heading("Foreword")
        pdf.paragraph(FOREWORD)
        return
    pdf.heading("1. Executive Summary")
    for number, text in enumerate(paragraphs, start=1):
        pdf.paragraph(f"1.{number} {text}")


class _Filler:
    """Deterministic numbered body paragraphs ("2.1 ...", "2.2 ...")."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.count = 0

    def next(self) -> str:
        self.count += 1
        sentences = self.rng.sample(_FILLER, k=self.rng.randint(3, 5))
        return f"2.{self.count} " + " ".join(sentences)


def _fill_page(pdf: _ReportPdf, filler: _Filler, stop_y: float | None = None) -> None:
    """Write body paragraphs until the next one would not fit (above stop_y if given)."""
    limit = stop_y if stop_y is not None else pdf.bottom
    while True:
        text = filler.next()
        if pdf.get_y() + len(pdf.wrap(text, pdf.epw)) * _LINE_H > limit:
            filler.count -= 1
            return
        pdf.paragraph(text)


_COLS = (16.0, 104.0, 50.0)  # No. | Recommendation | Agency  (sums to the 170mm text width)


def _table_row(pdf: _ReportPdf, cells: tuple[str, str, str], bold: bool = False) -> float:
    """Height a table row needs (cells wrap inside their column)."""
    pdf.set_font("Helvetica", "B" if bold else "", 10)
    lines = max(len(pdf.wrap(c, w - 3)) for c, w in zip(cells, _COLS, strict=True))
    return lines * 5 + 3


def _draw_row(pdf: _ReportPdf, cells: tuple[str, str, str], height: float, bold=False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 10)
    x, y = _MARGIN, pdf.get_y()
    for text, width in zip(cells, _COLS, strict=True):
        pdf.rect(x, y, width, height)
        for i, line in enumerate(pdf.wrap(text, width - 3)):
            pdf.set_xy(x + 1.5, y + 1.5 + i * 5)
            pdf.cell(width - 3, 5, line)
        x += width
    pdf.set_xy(_MARGIN, y + height)
    pdf.set_font("Helvetica", "", _FONT_SIZE)


def _recommendations_table(pdf, recs, repeat_header: bool) -> dict[str, int]:
    header = ("No.", "Recommendation", "Lead agency")
    header_h = _table_row(pdf, header, bold=True)
    _draw_row(pdf, header, header_h, bold=True)
    pages: dict[str, int] = {}
    for number, text, agency in recs:
        row = (number, text, agency)
        height = _table_row(pdf, row)
        if pdf.get_y() + height > pdf.bottom:
            # Continue on the next page; real reports usually do not repeat the header.
            pdf.add_page()
            if repeat_header:
                _draw_row(pdf, header, header_h, bold=True)
        pages[number] = pdf.page_no()
        _draw_row(pdf, row, height)
    return pages


_NUMBER_STYLES = {"recommendation": "Recommendation {n}:", "dot": "{n}.", "r": "R{n}"}


def _recommendations_numbered(pdf, recs, style: str) -> dict[str, int]:
    pages: dict[str, int] = {}
    for number, text, _agency in recs:
        para = f"{_NUMBER_STYLES[style].format(n=number)} {text}"
        if not pdf.paragraph(para, fits_only=True):
            pdf.add_page()
            pdf.paragraph(para)
        pages[number] = pdf.page_no()
    return pages


def build_report(
    path: str | Path,
    *,
    csp: str = "Bolton",
    title: str = "Domestic Homicide Review",
    subject: str = "Adult A",
    published: str = "March 2021",
    recommendations: list[tuple[str, str, str]] | None = None,
    layout: str = "table",
    numbered_style: str = "recommendation",
    repeat_table_header: bool = False,
    passages: dict[int, str] | None = None,
    pages: int = 12,
    summary: list[str] | None = None,
    seed: int = 0,
) -> GeneratedReport:
    """Write a realistic overview report PDF; body pages are 4 .. pages-1, recommendations last.

    ``summary`` gives the executive summary paragraphs (page 3); ``[]`` prints a foreword
    with no "Executive Summary" heading instead.

    ``layout`` is "table" (No. | Recommendation | Lead agency) or "numbered" (paragraphs
    "Recommendation 1: ...", "1. ..." or "R1 ..." by ``numbered_style``); the numbered
    layout prints no agency column, so name the agency in the text.
    """
    recs = DEFAULT_RECOMMENDATIONS if recommendations is None else recommendations
    passages = passages or {}
    if pages < 6:
        raise ValueError("a report needs at least 6 pages")
    rec_page = pages - 1
    bad = [p for p in passages if not 4 <= p <= rec_page]
    if bad:
        raise ValueError(f"passages go on body pages 4..{rec_page}, not {bad}")
    pdf = _ReportPdf(f"OFFICIAL - {csp} DHR Overview Report ({subject})")
    pdf.set_title(f"{csp} DHR {subject}")
    _title_page(pdf, csp, title, subject, published)
    _contents_page(pdf, rec_page)
    _summary_page(pdf, SUMMARY_PARAGRAPHS if summary is None else summary)
    filler = _Filler(seed)
    for page in range(4, rec_page + 1):
        pdf.add_page()
        if page == 4:
            pdf.heading("2. Introduction")
        if page in passages:
            pdf.paragraph(passages[page])
        # The recommendations start part-way down their page, so the list breaks a page.
        _fill_page(pdf, filler, stop_y=pdf.bottom - 70 if page == rec_page else None)
    pdf.heading("4. Recommendations")
    if layout == "table":
        rec_pages = _recommendations_table(pdf, recs, repeat_table_header)
    elif layout == "numbered":
        rec_pages = _recommendations_numbered(pdf, recs, numbered_style)
    else:
        raise ValueError(f"unknown layout {layout!r}")
    pdf.ln(4)
    pdf.heading("Appendix A: Glossary")
    pdf.paragraph("MARAC: Multi-Agency Risk Assessment Conference.", fits_only=True)
    path = Path(path)
    pdf.output(str(path))
    return GeneratedReport(path, pdf.page_no(), rec_pages, rec_page)


def make_report_pdf(path: str | Path, **kwargs) -> Path:
    """Write a realistic overview report PDF (see build_report) and return its path."""
    return build_report(path, **kwargs).path


def make_encrypted_pdf(path: str | Path, user_password: str = "secret") -> Path:
    """A one-page text PDF that needs a password to open."""
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password=user_password)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Domestic Homicide Review - confidential draft")
    path = Path(path)
    pdf.output(str(path))
    return path


def make_truncated_pdf(path: str | Path, keep: float = 0.5) -> Path:
    """A report PDF cut short, as an interrupted download leaves it."""
    path = Path(path)
    make_report_pdf(path, pages=8)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def make_image_only_pdf(path: str | Path, pages: int = 2) -> Path:
    """A scanned-looking PDF: each page is one picture, with no text layer."""
    from PIL import Image, ImageDraw

    pdf = FPDF()
    for n in range(pages):
        image = Image.new("L", (600, 800), 255)
        draw = ImageDraw.Draw(image)
        for row in range(40, 760, 24):
            draw.line((40, row, 560 - (row * 7 + n * 13) % 200, row), fill=40, width=6)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.add_page()
        pdf.image(buffer, x=0, y=0, w=pdf.w, h=pdf.h)
    path = Path(path)
    pdf.output(str(path))
    return path


def make_zero_page_pdf(path: str | Path) -> Path:
    """A well-formed PDF whose page tree is empty (fpdf2 refuses to write one)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path = Path(path)
    path.write_bytes(bytes(out))
    return path


def make_not_a_pdf(path: str | Path) -> Path:
    """An HTML error page saved with a .pdf name, as failed downloads often are."""
    path = Path(path)
    path.write_text("<html><body>404 Not Found</body></html>\n", encoding="utf-8")
    return path
