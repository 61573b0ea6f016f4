"""Walk a corpus folder: review pages, manifest.csv links, and (later) report PDFs."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..agencies import sectors_for
from ..model import Review, Skipped
from ..regions import region_for
from .pages import PageFormatError, parse_page

PAGE_SUFFIXES = (".txt", ".md")
MANIFEST = "manifest.csv"
# Titles the demo generator gives its reviews, so the web page can say it is a demo.
SYNTHETIC_MARK = "(synthetic)"


@dataclass
class CorpusReport:
    """What reading a corpus produced: the reviews, and the files skipped with reasons."""

    reviews: list[Review] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def safe_url(url: str) -> str:
    """Keep only http(s) links; anything else (javascript:, data:, file:) becomes ''."""
    url = url.strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


def read_manifest(folder: Path) -> tuple[dict[str, dict[str, str]], list[Skipped]]:
    """Map a page's file name (and its stem) to its pdf_url/source_url from manifest.csv."""
    path = folder / MANIFEST
    if not path.exists():
        return {}, []
    links: dict[str, dict[str, str]] = {}
    skipped: list[Skipped] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or "file" not in reader.fieldnames:
                return {}, [Skipped(MANIFEST, "manifest.csv has no 'file' column")]
            for row in reader:
                name = (row.get("file") or "").strip()
                if not name:
                    continue
                entry = {
                    "pdf_url": safe_url(row.get("pdf_url") or ""),
                    "source_url": safe_url(row.get("source_url") or ""),
                }
                links[name] = entry
                links.setdefault(Path(name).stem, entry)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        skipped.append(Skipped(MANIFEST, f"manifest.csv could not be read: {exc}"))
    return links, skipped


def finish_review(review: Review) -> Review:
    """Fill the derived fields: region from the CSP, sectors from addressees, synthetic flag."""
    review.region = region_for(review.csp) if review.csp else "Unknown"
    review.synthetic = SYNTHETIC_MARK in review.title.lower()
    for rec in review.recommendations:
        rec.sectors = sectors_for(rec.addressees)
    return review


def read_page_file(path: Path) -> Review:
    """Read and parse one review page file; raise PageFormatError with a user-facing reason."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PageFormatError("not UTF-8 text") from None
    return parse_page(text, path.stem)


def iter_corpus(
    folder: Path, progress: Callable[[int, int, str], None] | None = None
) -> Iterator[Review | Skipped]:
    """Yield a Review for each readable page in folder, a Skipped for each file that is not."""
    links, skipped = read_manifest(folder)
    yield from skipped
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)
    pages = [p for p in files if p.suffix.lower() in PAGE_SUFFIXES]
    for p in files:
        if p.suffix.lower() not in PAGE_SUFFIXES and not p.name.startswith("."):
            yield Skipped(p.name, f"not a review page or report ({p.suffix or 'no extension'})")
    for done, path in enumerate(pages, start=1):
        if progress:
            progress(done, len(pages), path.name)
        try:
            review = read_page_file(path)
        except (PageFormatError, OSError) as exc:
            yield Skipped(path.name, str(exc))
            continue
        entry = links.get(path.name) or links.get(path.stem) or {}
        review.pdf_url = entry.get("pdf_url", "")
        review.source_url = entry.get("source_url", "")
        yield finish_review(review)


def read_corpus(
    folder: Path, progress: Callable[[int, int, str], None] | None = None
) -> CorpusReport:
    """Read a whole corpus folder into memory."""
    report = CorpusReport()
    for item in iter_corpus(folder, progress):
        (report.skipped if isinstance(item, Skipped) else report.reviews).append(item)
    return report
