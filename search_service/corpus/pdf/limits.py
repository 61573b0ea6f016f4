"""What one PDF may cost to read: time, memory, pages, ruled lines per page.

Each limit is a constant here, overridable by an environment variable read when a run starts
(``from_environment``), not at import; 0 turns a limit off. The indexer reads them once per
extract_many call and hands them to its worker processes (``install``), so a worker obeys
the numbers of the run that started it, not the environment its process was forked with.
A PDF over a limit is skipped with a reason that names the limit and its variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# Seconds one PDF may take. A 150-page report takes under a second, a 2,000-page one
# about three: 120 s is forty times the biggest real report, and short enough that a
# hostile file delays a build by two minutes, not for ever.
TIME_LIMIT = 120.0
# Address space of a worker, in MiB. A 500-page report peaks near 100 MB; a real PDF's
# images and fonts stay far below 2 GiB, while a compressed stream bomb (kilobytes that
# inflate to gigabytes) stops there instead of taking the machine's memory. Two workers
# per two cores then cost at most 4 GiB.
MEMORY_MB = 2048
# Reports are 50-150 pages, the longest seen a few hundred; 2,000 pages is ten times that,
# and a file claiming more is not a review.
MAX_PAGES = 2000
# Rules (path objects: lines, rectangles, curves) on one page, and cells they rule, above
# which its tables are not read (its text still is). A real table page draws tens to
# hundreds of rules around tens to hundreds of cells. Table detection was quadratic in the
# rules (40,000 took 85-120 s); it no longer is, but each cell read costs PDFium a call, and
# a page ruling thousands of cells is a drawing, not a recommendations table.
MAX_RULED_LINES = 5000

ENV = {
    "time_limit": "DHR_PDF_TIME_LIMIT",
    "memory_mb": "DHR_PDF_MEMORY_MB",
    "max_pages": "DHR_PDF_MAX_PAGES",
    "max_ruled_lines": "DHR_PDF_MAX_RULED_LINES",
}


@dataclass(frozen=True)
class PdfLimits:
    """The limits of one run; 0 means no limit."""

    time_limit: float = TIME_LIMIT
    memory_mb: int = MEMORY_MB
    max_pages: int = MAX_PAGES
    max_ruled_lines: int = MAX_RULED_LINES

    def time_reason(self) -> str:
        """Why a PDF that ran out of time was skipped."""
        return f"took longer than {self.time_limit:g} s to read ({ENV['time_limit']})"

    def memory_reason(self) -> str:
        """Why a PDF that ran out of memory was skipped."""
        return f"needed more than {self.memory_mb} MiB of memory to read ({ENV['memory_mb']})"

    def pages_reason(self, pages: int) -> str:
        """Why a PDF with too many pages was skipped."""
        return (
            f"has {pages:,} pages, more than the {self.max_pages:,} read of one PDF "
            f"({ENV['max_pages']})"
        )


def env_number(name: str, default: float, kind: type, hint: str = " (0 for no limit)") -> float:
    """A setting from the environment: a number >= 0, default when unset; ValueError says why."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a number{hint}") from None
    if value < 0:
        raise ValueError(f"{name}={raw!r}: expected a number >= 0{hint}")
    return value


def from_environment() -> PdfLimits:
    """The limits as the environment sets them now."""
    return PdfLimits(
        time_limit=env_number(ENV["time_limit"], TIME_LIMIT, float),
        memory_mb=env_number(ENV["memory_mb"], MEMORY_MB, int),
        max_pages=env_number(ENV["max_pages"], MAX_PAGES, int),
        max_ruled_lines=env_number(ENV["max_ruled_lines"], MAX_RULED_LINES, int),
    )


# Set in a worker process by install(): the limits of the run that started it.
_installed: PdfLimits | None = None


def install(limits: PdfLimits) -> None:
    """Make ``current()`` answer these limits in this process (a worker's initializer)."""
    global _installed
    _installed = limits


def current() -> PdfLimits:
    """The limits in force: a worker's installed ones, else the environment's now."""
    return _installed if _installed is not None else from_environment()
