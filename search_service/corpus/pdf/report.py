"""Extract a DHR overview report PDF: page text, recommendations, summary, title-page metadata.

PDFium (pypdfium2) reads the text of every page, fast and one page at a time; pdfplumber,
about 75 times slower, only looks at the few pages that may hold a recommendations table.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium

from search_service.corpus.pdf import limits
from search_service.corpus.pdf import recommendations as pdf_recs
from search_service.corpus.pdf.text import clean_pages
from search_service.corpus.pdf.title_page import csp_name, published_date, title
from search_service.model import Recommendation

# Bump when extraction output changes: it is part of the cache key.
EXTRACTOR_VERSION = 2

# Average non-space characters per page below which a PDF is taken to be scanned images.
_MIN_CHARS_PER_PAGE = 20
_SUMMARY_PARAGRAPHS = 3
_SUMMARY_CHARS = 1500


@dataclass
class PdfReport:
    """What a report PDF holds: pages[0] is PDF page 1; recommendation pages are 1-based."""

    pages: list[str]
    recommendations: list[Recommendation] = field(default_factory=list)
    summary: str = ""
    title: str = ""
    csp: str = ""
    published_month: int | None = None
    published_year: int | None = None


class PdfError(Exception):
    """A PDF that cannot be read; ``reason`` says why in plain words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class PdfLimitError(PdfError):
    """A PDF skipped for going over a limit (limits.py); not cached, so a raised limit reads it."""


def extract_pdf(path: str | Path) -> PdfReport:
    """Read one report PDF into a PdfReport; raises PdfError for unreadable input."""
    path = Path(path)
    _check_file(path)
    raw = _page_texts(path)
    if sum(len("".join(p.split())) for p in raw) < _MIN_CHARS_PER_PAGE * len(raw):
        raise PdfError("no text layer (scanned image?)")
    pages, dehyphenate = clean_pages(raw)
    recs = pdf_recs.find_recommendations(path, pages, dehyphenate, raw)
    month, year = published_date(pages)
    csp = csp_name(pages)
    return PdfReport(
        pages=pages,
        recommendations=recs,
        summary=summary(pages),
        title=title(pages, csp),
        csp=csp,
        published_month=month,
        published_year=year,
    )


def _check_file(path: Path) -> None:
    """Cheap checks PDFium would paper over: it repairs truncated files silently."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(1024)
            f.seek(max(0, size - 2048))
            tail = f.read()
    except OSError as e:
        raise PdfError(f"cannot read file ({e.strerror})") from e
    if b"%PDF-" not in head:
        raise PdfError("not a PDF or damaged")
    if b"%%EOF" not in tail:
        raise PdfError("incomplete PDF (truncated download?)")


def _page_texts(path: Path) -> list[str]:
    """Text of each page in reading order, opening and closing one page at a time."""
    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as e:
        raise PdfError(_open_failure(path)) from e
    try:
        if len(doc) == 0:
            raise PdfError("no pages")
        allowed = limits.current()
        if allowed.max_pages and len(doc) > allowed.max_pages:
            raise PdfLimitError(allowed.pages_reason(len(doc)))
        texts = []
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    except pdfium.PdfiumError as e:
        raise PdfError("not a PDF or damaged") from e
    finally:
        doc.close()


def _open_failure(path: Path) -> str:
    """Why PDFium refused a file, from its bytes (PDFium's error code is stale across calls)."""
    data = path.read_bytes()
    if b"/Encrypt" in data:
        return "encrypted PDF"
    has_page = re.search(rb"/Type\s*/Page(?![a-zA-Z])", data)
    if re.search(rb"/Count\s+0\b", data) and not has_page:
        return "no pages"
    return "not a PDF or damaged"


class PageFinder:
    """A report's pages squashed once, to find the page where each of many texts starts."""

    def __init__(self, pages: list[str]):
        squashed = [_squash(p) for p in pages]
        self.starts: list[int] = []
        offset = 0
        for page in squashed:
            self.starts.append(offset)
            offset += len(page)
        self.haystack = "".join(squashed)

    def page_of(self, text: str) -> int | None:
        """1-based page where text starts, ignoring case, spacing, punctuation and hyphenation."""
        wanted = _squash(_NUMBERING.sub("", text))
        if not wanted:
            return None
        # Curated text may be edited after the first words; try ever shorter openings.
        for length in (len(wanted), 120, 60, 30):
            if length > len(wanted) or (length < 30 and len(wanted) >= 30):
                continue
            at = self.haystack.find(wanted[:length])
            if at >= 0:
                return bisect_right(self.starts, at)  # the last page starting at or before
        return None


# A recommendation's own number before its text: "3.", "R2)", "Recommendation 4:".
_NUMBERING = re.compile(r"^\s*(?:recommendation\s+|r)?\d+[a-z]?[.):]\s*", re.I)


def find_page(pages: list[str], text: str) -> int | None:
    """1-based page where ``text`` starts (PageFinder, for one text)."""
    return PageFinder(pages).page_of(text)


_NOT_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]")


def _squash(text: str) -> str:
    # Letters and digits only: line breaks, hyphens and spacing differ between sources.
    return _NOT_LETTER_OR_DIGIT.sub("", text.lower())


_SUMMARY_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?executive summary$", re.IGNORECASE)
_PARA_NUMBER = re.compile(r"^\d+(?:\.\d+)+\.?\s+")
_HEADINGISH = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?[A-Z][^.:;]{0,60}$")
_LEADERS = re.compile(r"\.{4,}|\s\d+$")


def _is_heading(line: str, previous: str | None) -> bool:
    # A short capitalised line after a finished sentence; a wrapped line never follows one.
    ends = previous is None or previous.endswith((".", ":", "?", "!"))
    return ends and len(line.split()) <= 8 and bool(_HEADINGISH.match(line))


def _paragraphs(lines: list[str]) -> list[str]:
    """Group lines into paragraphs: a numbered line ('2.3 ...') or a heading starts a new one."""
    paragraphs: list[list[str]] = []
    previous: str | None = None
    closed = True
    for line in lines:
        heading = _is_heading(line, previous)
        if closed or heading or _PARA_NUMBER.match(line) or previous.endswith(":"):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
        closed, previous = heading, line
    return [_PARA_NUMBER.sub("", " ".join(p)) for p in paragraphs]


def _section_lines(pages: list[str], start_page: int, start_line: int) -> list[str]:
    """Lines after a heading up to the next heading-like line, over at most two pages."""
    out: list[str] = []
    for p in range(start_page, min(start_page + 2, len(pages))):
        lines = pages[p].split("\n")
        for line in lines[start_line + 1 :] if p == start_page else lines:
            if _HEADINGISH.match(line) and len(line.split()) <= 8 and out:
                return out
            if line.strip():
                out.append(line.strip())
    return out


def _limit(paragraphs: list[str]) -> str:
    kept: list[str] = []
    for para in paragraphs:
        if kept and len("\n\n".join([*kept, para])) > _SUMMARY_CHARS:
            break
        kept.append(para)
        if len(kept) == _SUMMARY_PARAGRAPHS:
            break
    return "\n\n".join(kept)


def summary(pages: list[str]) -> str:
    """The executive summary's first paragraphs, or the report's first prose paragraphs."""
    for p, page in enumerate(pages):
        for i, line in enumerate(page.split("\n")):
            if _SUMMARY_HEADING.match(line.strip()):
                return _limit(_paragraphs(_section_lines(pages, p, i)))
    prose = []
    for page in pages[1:]:
        lines = [ln for ln in page.split("\n") if ln and not _LEADERS.search(ln)]
        prose += [para for para in _paragraphs(lines) if len(para.split()) >= 25]
        if len(prose) >= _SUMMARY_PARAGRAPHS:
            break
    return _limit(prose)
