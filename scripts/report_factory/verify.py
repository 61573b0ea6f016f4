"""Convert with LibreOffice, read the PDF with poppler, and check the ground truth."""

import re
import subprocess
import unicodedata
from bisect import bisect_right
from pathlib import Path

PREFIX = 60  # squashed characters that locate the start of a text
GAP = 1500  # squashed characters allowed either side of a page boundary inside a text
SHORT_GAP = 300  # the same when the text's first piece is shorter than PREFIX


class CheckError(Exception):
    """A ground-truth check failed."""


def squash(text: str) -> str:
    """Lowercase letters and digits only (accents and ligatures folded)."""
    folded = unicodedata.normalize("NFKD", text).lower()
    return re.sub(r"[^a-z0-9]", "", folded)


def convert(docx: Path, outdir: Path) -> Path:
    """docx -> PDF with LibreOffice headless."""
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = outdir / (docx.stem + ".pdf")
    if not pdf.exists():
        raise CheckError(f"LibreOffice did not write {pdf}")
    return pdf


class PdfText:
    """The PDF's text per page (pdftotext -raw), running heads removed, squashed."""

    def __init__(self, pdf: Path, running: list[str], footer_left: str) -> None:
        raw = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        pages = raw.split("\f")
        if pages and not pages[-1].strip():
            pages.pop()
        drop = {squash(line) for line in running}
        foot = re.compile(rf"^({re.escape(squash(footer_left))})?(page\d+of\d+)?$")
        self.lines: list[tuple[int, str]] = []  # (page, squashed line)
        self.pages: list[str] = []
        for number, page in enumerate(pages, start=1):
            kept = []
            for line in page.splitlines():
                sq = squash(line)
                if not sq or sq in drop or foot.match(sq):
                    continue
                kept.append(sq)
                self.lines.append((number, sq))
            self.pages.append("".join(kept))
        self.starts = []
        pos = 0
        for page in self.pages:
            self.starts.append(pos)
            pos += len(page)
        self.stream = "".join(self.pages)

    def page_of(self, pos: int) -> int:
        """1-based page holding stream position pos."""
        return bisect_right(self.starts, pos)

    def _next_boundary(self, pos: int) -> int | None:
        idx = bisect_right(self.starts, pos)
        return self.starts[idx] if idx < len(self.starts) else None

    def _match_from(self, pos: int, text: str) -> tuple[int, int] | None:
        """Match text at pos, allowing breaks only around page boundaries; (end, pieces).

        The first piece must hold the squashed start (PREFIX characters) unless it ends
        its page, so the start of a text is always on one page."""
        stream, pieces = self.stream, 1
        while True:
            common = 0
            limit = min(len(text), len(stream) - pos)
            while common < limit and stream[pos + common] == text[common]:
                common += 1
            if common == len(text):
                return pos + common, pieces
            boundary = self._next_boundary(pos + common - 1)
            # A start shorter than PREFIX is accepted only as the last thing on its page
            # (a table row that breaks after its first line), continuing at the top of
            # the next one.
            short = pieces == 1 and common < min(len(text), PREFIX)
            gap = SHORT_GAP if short else GAP
            if common < (20 if short else 12) or boundary is None:
                return None
            if boundary - (pos + common) > gap:
                return None
            for back in range(0, 8):
                key = text[common - back : common - back + 24]
                found = stream.find(key, boundary, boundary + gap + len(key))
                if found >= 0:
                    pos, text, pieces = found, text[common - back :], pieces + 1
                    break
            else:
                return None
            if pieces > 8:
                return None

    def locate(self, text: str, what: str) -> tuple[int, int, int]:
        """(start position, start page, end page) of a text that must occur exactly once."""
        sq = squash(text)
        head = sq[:PREFIX]
        on_pages = [n for n, page in enumerate(self.pages, start=1) if head in page]
        if len(on_pages) > 1 or sum(p.count(head) for p in self.pages) > 1:
            raise CheckError(f"{what}: start {head!r} found on pages {on_pages}: ambiguous")
        hits = []
        pos = self.stream.find(sq[:20])
        while pos >= 0:
            match = self._match_from(pos, sq)
            if match:
                hits.append((pos, match[0]))
            pos = self.stream.find(sq[:20], pos + 1)
        if len(hits) != 1:
            raise CheckError(f"{what}: full text found {len(hits)} times (want 1): {text[:80]!r}")
        start, end = hits[0]
        page = self.page_of(start)
        if on_pages and on_pages != [page]:
            raise CheckError(f"{what}: start on page {on_pages} but text matched on {page}")
        return start, page, self.page_of(end - 1)

    def heading_pages(self, keys: list[tuple[str, str]]) -> list[int]:
        """Pages of headings, matched in document order as whole lines after the contents."""
        pages, cursor = [], 0
        first_body = 0
        for key, alt in keys:
            for idx in range(max(cursor, first_body), len(self.lines)):
                line = self.lines[idx][1]
                joined = line + (self.lines[idx + 1][1] if idx + 1 < len(self.lines) else "")
                if line in (key, alt) or (len(line) < len(key) and joined == key):
                    pages.append(self.lines[idx][0])
                    cursor = idx + 1
                    break
            else:
                raise CheckError(f"heading {key!r} not found as a line after line {cursor}")
        return pages
