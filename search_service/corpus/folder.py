"""Walk a corpus folder: review pages, manifest.csv links, and (later) report PDFs."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from search_service.corpus.agencies import sectors_for
from search_service.corpus.dhrd import link_record
from search_service.corpus.limits import MAX_PAGE_BYTES, cut_to_limits, megabytes
from search_service.corpus.listing import list_folder
from search_service.corpus.manifest import MANIFEST, read_manifest_rows
from search_service.corpus.pages import PageFormatError, parse_page
from search_service.corpus.pdf.cache import extract_many
from search_service.corpus.pdf.page_kinds import page_kind
from search_service.corpus.pdf.report import PageFinder, PdfError, PdfReport
from search_service.corpus.regions import region_for
from search_service.model import Passage, Review, Skipped

PAGE_SUFFIXES = (".txt", ".md")
PDF_SUFFIX = ".pdf"
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
    """Map a page's file name (and its stem) to its links; bad rows as Skipped (first row wins)."""
    # corpus/manifest.py says which rows are bad, and why the first row for a file wins.
    manifest = read_manifest_rows(folder)
    links: dict[str, dict[str, str]] = {}
    for row in manifest.rows:
        raw_pdf = row.get("pdf_url")
        entry = {
            "pdf_url": safe_url(raw_pdf),
            "source_url": safe_url(row.get("source_url")),
            # A bare file name ties a local report PDF to this page.
            "pdf_file": raw_pdf if _is_local_pdf_name(raw_pdf) else "",
        }
        links[row.file] = entry
        links.setdefault(Path(row.file).stem, entry)
    return links, manifest.skipped


def _is_local_pdf_name(value: str) -> bool:
    # Only a plain name in the corpus folder: no directories, no way out of the folder.
    return (
        value.lower().endswith(PDF_SUFFIX)
        and Path(value).name == value
        and not value.startswith(".")
    )


def pdf_owners(links: dict[str, dict[str, str]]) -> dict[str, str]:
    """{report PDF file name: stem of the page it belongs to} for PDFs tied by manifest.csv."""
    return {
        entry["pdf_file"]: Path(name).stem
        for name, entry in links.items()
        if entry.get("pdf_file") and Path(name).suffix.lower() in PAGE_SUFFIXES
    }


def finish_review(review: Review) -> Review:
    """Fill the derived fields: region, sectors, synthetic flag, the link to the DHRD."""
    review.region = region_for(review.csp) if review.csp else "Unknown"
    review.synthetic = SYNTHETIC_MARK in review.title.lower()
    review.dhrd = link_record(review)
    for rec in review.recommendations:
        rec.sectors = sectors_for(rec.addressees)
    return review


def read_page_file(path: Path) -> Review:
    """Read and parse one review page file; raise PageFormatError with a user-facing reason."""
    try:
        with path.open("rb") as fh:
            # One byte past the limit is enough to know, whatever the file's size claims.
            data = fh.read(MAX_PAGE_BYTES + 1)
    except OSError as exc:
        raise PageFormatError(f"could not be read: {str(exc.strerror or exc).lower()}") from None
    if len(data) > MAX_PAGE_BYTES:
        raise PageFormatError(
            f"larger than {megabytes(MAX_PAGE_BYTES)}, the limit for a review page: "
            "a real one is a few KB"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PageFormatError("not UTF-8 text") from None
    return parse_page(text, path.stem)


def _review_from_pdf(review_id: str, report: PdfReport) -> Review:
    """A review known only from its report PDF."""
    review = Review(
        id=review_id,
        title=report.title or review_id,
        csp=report.csp,
        published_month=report.published_month,
        published_year=report.published_year,
        summary=report.summary,
    )
    review.recommendations = [replace(rec, review_id=review_id) for rec in report.recommendations]
    return review


def _attach_pdf(review: Review, report: PdfReport, path: Path) -> Review:
    """Give a review its report: page passages, and the PDF page of each curated recommendation."""
    review.pdf_path = str(path.resolve())
    review.passages = [
        Passage(review.id, number, text, page_kind(text))
        for number, text in enumerate(report.pages, start=1)
        if text.strip()
    ]
    unplaced = [rec for rec in review.recommendations if not rec.page]
    if unplaced:
        # The pages are squashed once a report: squashed once a recommendation, they were
        # half of a full build's main process (its writers wait for it on two cores).
        finder = PageFinder(report.pages)
        for rec in unplaced:
            rec.page = finder.page_of(rec.text)
    review.summary = review.summary or report.summary
    return review


def _pages_by_review(pages: list[Path]) -> dict[str, list[Path]]:
    # A review is named by its page's stem; of two pages with one stem, .txt is tried first.
    # Reviews keep the order of their first page's name, as the index has always had them.
    order = {suffix: i for i, suffix in enumerate(PAGE_SUFFIXES)}
    by_stem: dict[str, list[Path]] = {}
    for path in sorted(pages):
        by_stem.setdefault(path.stem, []).append(path)
    for group in by_stem.values():
        group.sort(key=lambda p: (order[p.suffix.lower()], p.name))
    return by_stem


def _limited(review: Review, name: str) -> Iterator[Review | Skipped]:
    """The review cut to corpus/limits.py's limits, after a Skipped for each cut."""
    for reason in cut_to_limits(review):
        yield Skipped(name, reason, indexed=True)
    yield finish_review(review)


def iter_corpus(
    folder: Path,
    progress: Callable[[int, int, str], None] | None = None,
    pdf_cache: Path | None = None,
    only: Collection[str] | None = None,
    fetched: Mapping[str, Path] | None = None,
) -> Iterator[Review | Skipped]:
    """Yield a Review for each readable page or report in folder, a Skipped for each file that is not.

    Which entries are files is corpus/listing.py's rule (dot-files are not listed; folders,
    links leaving the folder or looping, and special files are skipped). Of two pages with one
    stem (bolton.txt, bolton.md) the first that parses is the review, .txt before .md, and the
    other is skipped. A PDF with the same file stem as a page, or named as a page's pdf_url in
    manifest.csv, belongs to that page's review (whose curated recommendations stand); a PDF
    on its own is a review in itself. PDFs are extracted in parallel and cached by content hash
    in pdf_cache. A review past a limit of corpus/limits.py is cut, with a Skipped saying what
    was dropped. only (file names), when given, limits the reading to those files; the
    manifest and the folder's other entries are still judged, as `index --update` needs.
    fetched ({manifest file name: PDF}, from corpus/fetch.py) are reports read as if that
    file were in the folder; their reviews keep the manifest's pdf_url as their link.
    """
    links, skipped = read_manifest(folder)
    yield from skipped
    files, refused = list_folder(folder, skip_names=(MANIFEST,))
    yield from refused
    if only is not None:
        wanted = set(only)
        files = [p for p in files if p.name in wanted]
    pages = [p for p in files if p.suffix.lower() in PAGE_SUFFIXES]
    pdfs = [p for p in files if p.suffix.lower() == PDF_SUFFIX]
    # A fetched copy's own name means nothing: the row that named it says whose it is.
    fetched_rows = {path: name for name, path in (fetched or {}).items()}
    pdfs += list(fetched_rows)
    for p in files:
        if p.suffix.lower() not in (*PAGE_SUFFIXES, PDF_SUFFIX):
            yield Skipped(p.name, f"not a review page or report ({p.suffix or 'no extension'})")
    total = len(pages) + len(pdfs)
    done = 0
    by_stem: dict[str, tuple[Review, str]] = {}
    for stem, candidates in _pages_by_review(pages).items():
        for path in candidates:
            done += 1
            if progress:
                progress(done, total, path.name)
            if stem in by_stem:
                kept = by_stem[stem][1]
                yield Skipped(path.name, f"a second page for review {stem}: {kept} is indexed")
                continue
            try:
                review = read_page_file(path)
            except PageFormatError as exc:
                yield Skipped(path.name, str(exc))
                continue
            entry = links.get(path.name) or links.get(path.stem) or {}
            review.pdf_url = entry.get("pdf_url", "")
            review.source_url = entry.get("source_url", "")
            by_stem[stem] = (review, path.name)
    cache = pdf_cache or Path(tempfile.gettempdir()) / "dhr-search-pdf-cache"
    owners = pdf_owners(links)
    for path, result in extract_many(pdfs, cache):
        row = fetched_rows.get(path)
        own = Path(row).stem if row else path.stem
        entry = links.get(row or path.name) or links.get(own) or {}
        shown = entry.get("pdf_url", "") if row else path.name  # a fetched one by its URL
        done += 1
        if progress:
            progress(done, total, shown)
        review, name = by_stem.pop(own if row else owners.get(path.name, own), (None, shown))
        if isinstance(result, PdfError):
            yield Skipped(shown, result.reason)
            if review is not None:
                yield from _limited(review, name)  # the page still stands without its report
            continue
        if review is None:
            review = _review_from_pdf(own, result)
            review.pdf_url = entry.get("pdf_url", "")
            review.source_url = entry.get("source_url", "")
        yield from _limited(_attach_pdf(review, result, path), name)
    for review, name in by_stem.values():
        yield from _limited(review, name)


def read_corpus(
    folder: Path,
    progress: Callable[[int, int, str], None] | None = None,
    pdf_cache: Path | None = None,
) -> CorpusReport:
    """Read a whole corpus folder into memory."""
    report = CorpusReport()
    for item in iter_corpus(folder, progress, pdf_cache):
        (report.skipped if isinstance(item, Skipped) else report.reviews).append(item)
    return report
