"""Extract many PDFs across processes, caching each result by the PDF's content hash.

A re-index of unchanged PDFs only hashes them and reads one cache entry each: no PDF work
at all. Entries are pickles of plain dicts, lists and strings (10x faster to load than the
same JSON, which dominated cache hits), read by an unpickler that refuses every class, so
a tampered entry cannot run code. Entries are written atomically (temporary file +
os.replace), so a crash never leaves half an entry; one that does not load is ignored and
recomputed.

Every miss is read in a worker process (workers.py) under the limits of limits.py, as the
environment sets them when extract_many is called. A PDF skipped for a limit, or because
its reader crashed, is not cached: a raised limit, or a quieter machine, may read it next
time.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from search_service.corpus.digest import file_sha256
from search_service.corpus.pdf import limits
from search_service.corpus.pdf.limits import PdfLimits
from search_service.corpus.pdf.report import (
    EXTRACTOR_VERSION,
    PdfError,
    PdfLimitError,
    PdfReport,
    extract_pdf,
)
from search_service.corpus.pdf.workers import ReaderPool
from search_service.model import Recommendation

Result = PdfReport | PdfError


@dataclass
class ExtractStats:
    """How many PDFs extract_many took from the cache and how many it actually extracted."""

    hits: int = 0
    extracted: int = 0


def _entry(cache_dir: Path, digest: str) -> Path:
    # The extractor version is in the name: a new extractor never reads old results.
    return cache_dir / digest[:2] / f"{digest}.v{EXTRACTOR_VERSION}.pickle"


class _PlainUnpickler(pickle.Unpickler):
    """Loads only builtin containers and scalars: any class or function is refused."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"refusing {module}.{name} in a cache entry")


def load_cached(cache_dir: str | Path, digest: str) -> Result | None:
    """The cached result for a content hash, or None when absent or unreadable."""
    try:
        with _entry(Path(cache_dir), digest).open("rb") as f:
            data = _PlainUnpickler(f).load()
        if "error" in data:
            return PdfError(str(data["error"]))
        report = dict(data["report"])
        report["recommendations"] = [Recommendation(**r) for r in report["recommendations"]]
        result = PdfReport(**report)
        if not all(isinstance(p, str) for p in result.pages):
            return None
        return result
    except Exception:  # absent, truncated or garbled: all mean "extract again"
        return None


def store_cached(cache_dir: str | Path, digest: str, result: Result) -> None:
    """Write a result for a content hash atomically."""
    target = _entry(Path(cache_dir), digest)
    target.parent.mkdir(parents=True, exist_ok=True)
    is_error = isinstance(result, PdfError)
    data = {"error": result.reason} if is_error else {"report": asdict(result)}
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def extract_safely(path: str | Path) -> Result:
    """extract_pdf that returns its PdfError, and turns any other failure into one."""
    try:
        return extract_pdf(path)
    except PdfError as e:
        return e
    except MemoryError:  # in a worker: its address space limit (limits.MEMORY_MB) was reached
        return PdfLimitError(limits.current().memory_reason())
    except Exception as e:  # a worker must answer for every file, whatever the PDF holds
        return PdfError(f"could not read PDF ({type(e).__name__})")


def _extract_and_store(path: str | Path, digest: str, cache_dir: str) -> Result:
    result = extract_safely(path)
    if not isinstance(result, PdfLimitError):
        # A full or read-only cache only costs a re-extraction next time.
        with contextlib.suppress(OSError):
            store_cached(cache_dir, digest, result)
    return result


def _read_alone(path: str | Path, digest: str, cache_dir: str, run_limits: PdfLimits) -> Result:
    """One PDF read in a worker of its own (a cache entry that vanished or broke since listed)."""
    with ReaderPool(_extract_and_store, 1, run_limits) as pool:
        return next(pool.results([(path, digest, cache_dir)]))


def extract_many(
    paths: Iterable[str | Path],
    cache_dir: str | Path,
    procs: int | None = None,
    stats: ExtractStats | None = None,
) -> Iterator[tuple[str | Path, Result]]:
    """Yield (path, PdfReport or PdfError) per path, in order; misses read in worker processes."""
    # Cached results are loaded one at a time as they are yielded, and worker results are
    # read only a few ahead of the caller, so memory stays flat however many PDFs there are.
    cache_dir = str(cache_dir)
    stats = stats if stats is not None else ExtractStats()
    run_limits = limits.from_environment()
    with ReaderPool(_extract_and_store, procs or os.cpu_count() or 1, run_limits) as pool:
        # (path, digest, error, cached): a file that cannot be hashed has an error instead.
        listed: list[tuple[str | Path, str, PdfError | None, bool]] = []
        misses: list[tuple[str | Path, str, str]] = []
        for path in paths:
            try:
                digest = file_sha256(path)
            except OSError as e:
                listed.append((path, "", PdfError(f"cannot read file ({e.strerror})"), False))
                continue
            cached = _entry(Path(cache_dir), digest).is_file()
            listed.append((path, digest, None, cached))
            if not cached:
                misses.append((path, digest, cache_dir))
                pool.grow(len(misses))  # a worker starts (~0.2 s) while the rest are hashed
        extracted = pool.results(misses)
        for path, digest, error, cached in listed:
            if error is not None:
                yield path, error
                continue
            result = load_cached(cache_dir, digest) if cached else None
            if result is not None:
                stats.hits += 1
            else:
                stats.extracted += 1
                if cached:
                    result = _read_alone(path, digest, cache_dir, run_limits)
                else:
                    result = next(extracted)
            yield path, result


def read_one(path: str | Path) -> Result:
    """One PDF read in a worker under the PDF limits, not cached (for `inspect`)."""
    with ReaderPool(extract_safely, 1, limits.from_environment()) as pool:
        return next(pool.results([(path,)]))
