"""Size limits on corpus inputs: past one, a file is skipped or cut, and the index run says so.

Every limit is far above what a real Domestic Homicide Review holds, so only a broken or
hostile file meets one; each exists so that such a file costs a line in the summary instead
of minutes of parsing, gigabytes of memory or an index no one can search.
"""

from __future__ import annotations

from search_service.model import Review

# A summary page is a few KB of text (the seed review, the longest page of the demo corpus,
# is 4 KB); 2 MB is hundreds of times that, and bounds the time and memory one page takes.
MAX_PAGE_BYTES = 2 * 1024 * 1024
# A review makes tens of recommendations; 500 is well past any real one, so more means a
# table that swallowed the rest of a document, and each recommendation is a search hit.
MAX_RECOMMENDATIONS = 500
# A summary is a few paragraphs, a recommendation a few hundred words (about 2,000 characters
# at most) and a report page about 5,000; 100,000 characters is a short book, and keeps one
# stored field small enough to highlight in a search answer.
MAX_TEXT_CHARS = 100_000
# manifest.csv has one short row (a file name and two links, about 200 bytes) per review;
# 16 MB is room for some 80,000 rows, many times the whole Home Office library.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def megabytes(size: int) -> str:
    """A byte count as a user reads it: '2 MB', '3.5 MB'."""
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def cut_to_limits(review: Review) -> list[str]:
    """Cut a review's recommendations and texts to the limits; say what was cut, one reason each."""
    reasons: list[str] = []
    extra = len(review.recommendations) - MAX_RECOMMENDATIONS
    if extra > 0:
        reasons.append(
            f"{len(review.recommendations):,} recommendations: only the first "
            f"{MAX_RECOMMENDATIONS:,} were indexed ({extra:,} dropped)"
        )
        del review.recommendations[MAX_RECOMMENDATIONS:]
    if len(review.summary) > MAX_TEXT_CHARS:
        reasons.append(
            f"the summary is {len(review.summary):,} characters: only the first "
            f"{MAX_TEXT_CHARS:,} were indexed"
        )
        review.summary = review.summary[:MAX_TEXT_CHARS]
    long = [rec for rec in review.recommendations if len(rec.text) > MAX_TEXT_CHARS]
    for rec in long:
        rec.text = rec.text[:MAX_TEXT_CHARS]
    if long:
        numbers = ", ".join(rec.number for rec in long[:5]) + (", ..." if len(long) > 5 else "")
        reasons.append(
            f"{len(long):,} recommendation{'s' if len(long) != 1 else ''} ({numbers}) over "
            f"{MAX_TEXT_CHARS:,} characters: only the first {MAX_TEXT_CHARS:,} of each were indexed"
        )
    pages = [passage for passage in review.passages if len(passage.text) > MAX_TEXT_CHARS]
    for passage in pages:
        passage.text = passage.text[:MAX_TEXT_CHARS]
    if pages:
        reasons.append(
            f"{len(pages):,} report page{'s' if len(pages) != 1 else ''} over "
            f"{MAX_TEXT_CHARS:,} characters: only the first {MAX_TEXT_CHARS:,} of each were indexed"
        )
    return reasons
