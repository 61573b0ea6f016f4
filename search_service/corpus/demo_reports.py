"""Report PDFs for the demo generator's review pages: long reports, quickly, for benchmarks.

A real library report is 40-150 pages of prose. These are written straight as PDF operators
(Helvetica, one Flate-compressed content stream per page) because fpdf2's text layout runs
at ~20 pages/s here and a benchmark at the library's size needs ~26,000 pages in minutes.
Words are drawn with English word frequencies (the wordfreq package: the `bench` extra), with
sentences of DHR prose mixed in so the phrases users search for are there. Same seed, same
files.
"""

from __future__ import annotations

import random
import re
import zlib
from bisect import bisect
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path

from search_service.corpus.demo import RECOMMENDATIONS, SUMMARIES
from search_service.model import MONTHS

# A4 in points; 12 pt Helvetica on 20 pt lines, as a council's Word template sets a report.
_WIDTH, _HEIGHT = 595, 842
_MARGIN, _TOP, _BOTTOM = 72, 770, 80
_SIZE, _LEADING = 12, 20
_LINE_WIDTH = _WIDTH - 2 * _MARGIN
# Helvetica's advance widths (per 1000 em) from its AFM; other characters take 556.
_WIDTHS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:'()-",
        [556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556]
        + [333, 500, 278, 556, 500, 722, 500, 500, 500, 667, 667, 722, 722, 667, 611, 778]
        + [722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944]
        + [667, 667, 611] + [556] * 10 + [278, 278, 278, 278, 278, 191, 333, 333, 333],
        strict=True,
    )
)
_WORD = re.compile(r"^[a-z]+$")
# How much of the prose is DHR sentences (the rest is words at English frequencies).
_DHR_SHARE = 0.2
_SECTIONS = [
    "Introduction",
    "Terms of reference",
    "Background information",
    "Chronology",
    "Overview of agency involvement",
    "Analysis",
    "Equality and diversity",
    "Conclusions",
    "Lessons to be learned",
]


@dataclass(frozen=True)
class GeneratedReport:
    """A written report: its path, page count and the page its recommendations start on."""

    path: Path
    pages: int
    recommendations_page: int


@cache
def _english() -> tuple[list[str], list[float]]:
    """The 40,000 most frequent English words (letters only) and their cumulative weights."""
    try:
        import wordfreq
    except ImportError:
        raise SystemExit(
            "report PDFs need English word frequencies: pip install -e '.[bench]'"
        ) from None
    words = [w for w in wordfreq.top_n_list("en", 45000) if _WORD.match(w) and w != "i"]
    words = words[:40000]
    return words, list(accumulate(wordfreq.word_frequency(w, "en") for w in words))


@cache
def _dhr_sentences() -> list[str]:
    texts = [text.replace("That {agency}", "The agency") for text, _ in RECOMMENDATIONS]
    sentences = []
    for text in texts + list(SUMMARIES):
        sentences += [s.strip() + "." for s in text.split(". ") if s.strip()]
    return [s.replace("..", ".") for s in sentences]


def _sentence(rng: random.Random) -> str:
    if rng.random() < _DHR_SHARE:
        return rng.choice(_dhr_sentences())
    words, weights = _english()
    total = weights[-1]
    picked = [words[bisect(weights, rng.random() * total)] for _ in range(rng.randint(6, 24))]
    if len(picked) > 10:
        picked[rng.randint(3, len(picked) - 4)] += ","
    return " ".join(picked).capitalize() + "."


def _width(text: str) -> float:
    return sum(_WIDTHS.get(c, 556) for c in text) * _SIZE / 1000


def _wrap(text: str) -> list[str]:
    lines, line, width = [], [], 0.0
    space = _WIDTHS[" "] * _SIZE / 1000
    for word in text.split():
        w = _width(word)
        if line and width + space + w > _LINE_WIDTH:
            lines.append(" ".join(line))
            line, width = [], 0.0
        width += (space if line else 0) + w
        line.append(word)
    if line:
        lines.append(" ".join(line))
    return lines


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _stream(lines: list[tuple[float, float, str, bool]]) -> bytes:
    """A page's content: (x, y, text, bold) lines in Helvetica."""
    ops = ["BT"]
    for x, y, text, bold in lines:
        font = "/F2" if bold else "/F1"
        ops.append(f"{font} {_SIZE} Tf 1 0 0 1 {x:.1f} {y:.1f} Tm ({_escape(text)}) Tj")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1", "replace")


class _Pages:
    """Lays out a report's pages: running header and footer, headings and paragraphs."""

    def __init__(self, header: str):
        self.header = header
        self.pages: list[list[tuple[float, float, str, bool]]] = []
        self.y = 0.0

    def new_page(self) -> None:
        self.pages.append([(_MARGIN, _HEIGHT - 40, self.header, False)])
        self.y = _TOP

    def line(self, text: str, bold: bool = False, indent: float = 0) -> None:
        if not self.pages or self.y < _BOTTOM:
            self.new_page()
        self.pages[-1].append((_MARGIN + indent, self.y, text, bold))
        self.y -= _LEADING

    def paragraph(self, text: str, bold: bool = False) -> None:
        for line in _wrap(text):
            self.line(line, bold)
        self.y -= _LEADING * 0.6  # Word's space after a paragraph

    def full(self, pages: int) -> bool:
        return len(self.pages) > pages or (len(self.pages) == pages and self.y < _BOTTOM)


def _pdf(pages: list[bytes]) -> bytes:
    """A PDF of these content streams, with Helvetica and Helvetica-Bold."""
    n = len(pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{5 + 2 * i} 0 R".encode() for i in range(n))
        + f"] /Count {n} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for i, content in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_WIDTH} {_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {6 + 2 * i} 0 R >>".encode()
        )
        packed = zlib.compress(content, 6)
        objects.append(
            f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode()
            + packed
            + b"\nendstream"
        )
    out = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
    offsets = []
    size = len(out[0])
    for number, body in enumerate(objects, start=1):
        offsets.append(size)
        chunk = f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        out.append(chunk)
        size += len(chunk)
    xref = [f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()]
    xref += [f"{offset:010d} 00000 n \n".encode() for offset in offsets]
    out += xref
    out.append(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{size}\n%%EOF\n".encode()
    )
    return b"".join(out)


def write_report_pdf(
    path: Path,
    csp: str,
    published: str,
    recommendations: list[str],
    pages: int,
    seed: int,
    marker: str = "",
) -> GeneratedReport:
    """Write one overview report of about `pages` pages; `marker` is a word put on page 2."""
    rng = random.Random(seed)
    layout = _Pages(f"{csp} Domestic Homicide Review - Overview Report")
    layout.new_page()
    layout.y = 600
    for text in (csp, "Domestic Homicide Review", "Overview Report", f"Published {published}"):
        layout.line(text, bold=True, indent=60)
        layout.y -= _LEADING
    layout.new_page()
    if marker:
        layout.paragraph(f"This report was revised: {marker}.")
    # Keep room for the recommendations: about two lines of text per recommendation.
    room = sum(len(_wrap(f"{i}. {t}")) + 1 for i, t in enumerate(recommendations, 1)) + 3
    lines_per_page = (_TOP - _BOTTOM) / _LEADING
    prose_pages = max(2, pages - 1 - int(room / lines_per_page + 0.99))
    section, para = 0, 0
    while not layout.full(prose_pages):
        if para == 0 or (para > 12 and rng.random() < 0.08):
            section, para = section + 1, 0
            layout.y -= _LEADING * 0.5
            layout.paragraph(f"{section}. {_SECTIONS[(section - 1) % len(_SECTIONS)]}", bold=True)
        para += 1
        sentences = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        layout.paragraph(f"{section}.{para} {sentences}")
    layout.new_page()
    recs_page = len(layout.pages)
    layout.paragraph(f"{section + 1}. Recommendations", bold=True)
    for i, text in enumerate(recommendations, start=1):
        layout.paragraph(f"{i}. {text}")
    total = len(layout.pages)
    streams = []
    for number, lines in enumerate(layout.pages, start=1):
        footer = (_WIDTH / 2 - 30, 40, f"Page {number} of {total}", False)
        streams.append(_stream(lines + ([footer] if number > 1 else [])))
    path.write_bytes(_pdf(streams))
    return GeneratedReport(path, total, recs_page)


def write_page_report(page: Path, pages: int, seed: int, marker: str = "") -> GeneratedReport:
    """The report PDF of one review page (same stem, beside it), as write_demo_reports makes it."""
    from search_service.corpus.pages import parse_page

    review = parse_page(page.read_text(encoding="utf-8"), page.stem)
    month = MONTHS[(review.published_month or 1) - 1]
    return write_report_pdf(
        page.with_suffix(".pdf"),
        review.csp,
        f"{month} {review.published_year or 2024}",
        [rec.text for rec in review.recommendations],
        pages,
        seed=zlib.crc32(f"{seed}:{page.stem}".encode()),
        marker=marker,
    )


def write_demo_reports(folder: Path, pages: int, seed: int) -> tuple[int, int]:
    """A report PDF beside every review page in folder (same stem); (reports, pages) written."""
    reports = total = 0
    for page in sorted(Path(folder).glob("*.txt")):
        total += write_page_report(page, pages, seed).pages
        reports += 1
    return reports, total
