"""Extract many PDFs across processes, caching each result by the PDF's content hash.

A re-index of unchanged PDFs only hashes them and reads one cache entry each: no PDF work
at all. Entries are pickles of plain dicts, lists and strings (10x faster to load than the
same JSON, which dominated cache hits), read by an unpickler that refuses every class, so
a tampered entry cannot run code. Entries are written atomically (temporary file +
os.replace), so a crash never leaves half an entry; one that does not load is ignored and
recomputed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from pathlib import Path

from search_service.corpus.digest import file_sha256
from search_service.corpus.pdf.report import EXTRACTOR_VERSION, PdfError, PdfReport, extract_pdf
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
    except Exception as e:  # a worker must answer for every file, whatever the PDF holds
        return PdfError(f"could not read PDF ({type(e).__name__})")


def _extract_and_store(path: str | Path, digest: str, cache_dir: str) -> Result:
    result = extract_safely(path)
    # A full or read-only cache only costs a re-extraction next time.
    with contextlib.suppress(OSError):
        store_cached(cache_dir, digest, result)
    return result


def extract_many(
    paths: Iterable[str | Path],
    cache_dir: str | Path,
    procs: int | None = None,
    stats: ExtractStats | None = None,
) -> Iterator[tuple[str | Path, Result]]:
    """Yield (path, PdfReport or PdfError) per path, in order; misses are extracted in parallel."""
    cache_dir = str(cache_dir)
    stats = stats if stats is not None else ExtractStats()
    pending: list[tuple[str | Path, str | None, Result | None]] = []
    for path in paths:
        try:
            digest = file_sha256(path)
        except OSError as e:
            pending.append((path, None, PdfError(f"cannot read file ({e.strerror})")))
            continue
        pending.append((path, digest, load_cached(cache_dir, digest)))
    misses = [(p, d) for p, d, r in pending if r is None and d is not None]
    workers = min(procs or os.cpu_count() or 1, len(misses))
    if workers <= 1:
        # One file or one core: a pool would only add start-up time.
        for path, digest, result in pending:
            if result is None:
                stats.extracted += 1
                result = _extract_and_store(path, digest, cache_dir)
            else:
                stats.hits += digest is not None
            yield path, result
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures: dict[int, Future] = {
            i: pool.submit(_extract_and_store, p, d, cache_dir)
            for i, (p, d, r) in enumerate(pending)
            if r is None and d is not None
        }
        for i, (path, digest, result) in enumerate(pending):
            if i in futures:
                stats.extracted += 1
                try:
                    result = futures[i].result()
                except BrokenProcessPool:
                    result = PdfError("the PDF reader crashed on this file")
            else:
                stats.hits += digest is not None
            yield path, result
