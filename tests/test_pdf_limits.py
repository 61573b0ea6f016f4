"""Hostile PDFs and killed indexers: PDF workers die with the indexer, each PDF is read under
limits, and a crashed reader costs only its own file. Real files, real processes, no mocks.

The hostile PDFs are written by hand (a PDF is a few objects and a cross-reference table):
many pages can share one content stream, so a 2,001-page PDF is 300 KB and a stream bomb
that inflates to 4 GiB a few KB, each written in milliseconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from pdf_factory import DEFAULT_RECOMMENDATIONS, make_report_pdf

from search_service.corpus.digest import file_sha256
from search_service.corpus.pdf.cache import ExtractStats, extract_many, load_cached
from search_service.corpus.pdf.report import PdfError, PdfReport, extract_pdf

WORKER = b"search_service.corpus.pdf.workers"
CSPS = ["Bolton", "Wigan", "Salford"]


def write_pdf(
    path: Path, content: bytes, pages: int = 1, filters: str = "", size: int = 842
) -> Path:
    """A PDF of ``pages`` pages (``size`` points square) that all draw one content stream."""
    first_page = 4
    font = first_page + pages
    kids = " ".join(f"{first_page + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        f"<< /Length {len(content)}{filters} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    page = (
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size} {size}] /Contents 3 0 R "
        f"/Resources << /Font << /F1 {font} 0 R >> >> >>"
    ).encode()
    objects += [page] * pages
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n".encode()
    out += b"%%EOF\n"
    path.write_bytes(bytes(out))
    return path


def text_lines(lines: list[str], top: int = 800) -> bytes:
    shown = " ".join(f"({line}) '" for line in lines)
    return f"BT /F1 10 Tf 72 {top} Td 12 TL {shown} ET".encode()


def text_pdf(path: Path, pages: int, lines: int = 50) -> Path:
    """A plain report-like PDF: ``lines`` lines of prose on every page (PDFium: ~0.6 s/1,000)."""
    prose = [
        f"Paragraph {n} sets out what the agencies knew about the risk to the victim."
        for n in range(lines)
    ]
    return write_pdf(path, text_lines(prose), pages=pages)


def slow_pdf(path: Path) -> Path:
    """Four pages of a million text runs each: PDFium parses each page in one C call of ~2 s."""
    content = text_lines(["Recommendations and the agencies"]) + b" (ab) Tj" * 1_000_000
    return write_pdf(path, zlib.compress(content, 6), pages=4, filters=" /Filter /FlateDecode")


def stream_bomb(path: Path, gib: int = 4) -> Path:
    """A page whose content stream is a few KB, inflating to ``gib`` GiB (deflate, twice)."""
    # After a full flush deflate starts afresh, so a MiB of spaces compresses to the same bytes
    # each time: the inner stream is that block repeated (its checksum is wrong, but a reader
    # runs out of memory long before it could notice), and compressing it again makes it tiny.
    deflate = zlib.compressobj(9)
    head = deflate.compress(text_lines(["Hello bomb"])) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(b" " * (1 << 20)) + deflate.flush(zlib.Z_FULL_FLUSH)
    inner = head + block * (gib << 10) + deflate.flush()
    outer = zlib.compress(inner, 9)
    return write_pdf(path, outer, filters=" /Filter [/FlateDecode /FlateDecode]")


def ruled_pdf(path: Path, rules: int) -> Path:
    """One big page whose text names a recommendations table, and ``rules`` scattered rules."""
    text = text_lines(
        ["Recommendations", "Recommendation Agency", "This page draws a great many ruled lines."],
        top=14_300,
    )
    # A regular scatter (no two rules alike): every rule is a distinct row or column to snap.
    ops = []
    for n in range(rules // 2):
        x, y = (n * 7919) % 14_000, (n * 104_729) % 14_000 + (n % 10) / 10
        ops.append(f"{x} {y:.1f} m {x + 50} {y:.1f} l S {y:.1f} {x} m {y:.1f} {x + 50} l S")
    return write_pdf(path, text + b"\n" + "\n".join(ops).encode(), size=14_400)


# --- processes, as /proc shows them ---------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie is dead, waiting to be reaped


def pdf_workers(parent: int | None = None) -> list[int]:
    """Live PDF worker processes (of ``parent``, when given: its pid is in their command line)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ours = parent is None or str(parent).encode() in argv
        if ours and any(WORKER in arg for arg in argv) and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def open_files(pid: int) -> list[str]:
    files = []
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            files.append(os.readlink(fd))
        except OSError:
            continue
    return files


def descendants(pid: int) -> list[int]:
    """Live processes started by ``pid``, by its children, and so on."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        stat = _stat(int(entry.name))
        if stat is not None and stat[0] != "Z":
            children.setdefault(stat[1], []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def wait_until_reading(parent: int, where: Path, timeout: float = 60) -> list[int]:
    """Descendants of ``parent`` with ``where`` (or a file in it) open, once there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readers = [
            pid
            for pid in descendants(parent)
            if any(f.startswith(str(where)) for f in open_files(pid))
        ]
        if readers:
            return readers
        time.sleep(0.02)
    raise AssertionError(f"no process of {parent} started reading {where}")


def gone_within(pids: list[int], seconds: float) -> list[int]:
    """The pids still alive after waiting up to ``seconds`` for them to die."""
    deadline = time.monotonic() + seconds
    while [p for p in pids if alive(p)] and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def index_command(corpus: Path, index: Path) -> list[str]:
    return [sys.executable, "-m", "search_service", "index", str(corpus), "--index-dir", str(index)]


# --- 1. workers die with the indexer --------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_the_indexer_mid_extraction_kills_its_workers_and_frees_the_lock(tmp_path, sig):
    corpus, index = tmp_path / "corpus", tmp_path / "ix"
    corpus.mkdir()
    for n in range(4):  # ~0.6 s each for PDFium, more for the rest: seconds of extraction
        text_pdf(corpus / f"slow-{n}.pdf", pages=1000)
    workers: list[int] = []
    with open(tmp_path / "stderr", "w") as err:
        proc = subprocess.Popen(index_command(corpus, index), stdout=subprocess.DEVNULL, stderr=err)
        try:
            readers = wait_until_reading(proc.pid, corpus)
            workers = descendants(proc.pid)  # PDF readers, and any other helper of the build
            assert proc.poll() is None, "the build ended before it could be killed"
            holding_lock = [p for p in readers if any(f.endswith(".lock") for f in open_files(p))]
            proc.send_signal(sig)
            assert proc.wait(timeout=10) == -sig
            left = gone_within(workers, seconds=5)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for pid in workers:  # the build's own processes: a failure leaves none behind
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)
    # Started by exec, none held the indexer's writer lock open; and none outlived it.
    assert not holding_lock, "PDF readers inherited the writer lock"
    assert not left, "processes of the killed indexer outlived it"
    assert not pdf_workers(proc.pid)
    # Nothing holds the lock: the next build (a small corpus, to be quick) is not refused.
    small = tmp_path / "small"
    small.mkdir()
    text_pdf(small / "report.pdf", pages=3)
    again = subprocess.run(index_command(small, index), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "being written by" not in again.stderr


# --- 2. limits ------------------------------------------------------------------------------


def test_a_pdf_over_the_time_limit_is_stopped_and_the_others_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("DHR_PDF_TIME_LIMIT", "1")
    before, after = text_pdf(tmp_path / "a.pdf", 3), text_pdf(tmp_path / "c.pdf", 4)
    slow = slow_pdf(tmp_path / "b.pdf")  # about 8 s to read here, mostly inside PDFium
    cache, stats = tmp_path / "cache", ExtractStats()
    started = time.monotonic()
    results = dict(extract_many([before, slow, after], cache, procs=2, stats=stats))
    elapsed = time.monotonic() - started
    assert results[slow].reason == "took longer than 1 s to read (DHR_PDF_TIME_LIMIT)"
    assert elapsed < 6, "the slow PDF was read to the end instead of stopped"
    assert [len(results[p].pages) for p in (before, after)] == [3, 4]
    assert stats.extracted == 3
    # Not cached: with a longer limit (or on a quieter machine) the next run reads it.
    assert load_cached(cache, file_sha256(slow)) is None
    assert load_cached(cache, file_sha256(after)) == results[after]
    assert not pdf_workers(os.getpid()), "a worker was left running"


def test_a_pdf_over_the_page_cap_is_skipped_until_the_cap_is_raised(tmp_path, monkeypatch):
    big = text_pdf(tmp_path / "big.pdf", pages=2001, lines=2)
    cache = tmp_path / "cache"
    [(_, result)] = extract_many([big], cache)
    assert result.reason == (
        "has 2,001 pages, more than the 2,000 read of one PDF (DHR_PDF_MAX_PAGES)"
    )
    # Read at call time, and the skip was not cached.
    monkeypatch.setenv("DHR_PDF_MAX_PAGES", "2001")
    [(_, result)] = extract_many([big], cache)
    assert isinstance(result, PdfReport) and len(result.pages) == 2001


def test_a_page_of_40000_rules_skips_its_tables_and_keeps_its_text(tmp_path):
    page = ruled_pdf(tmp_path / "rules.pdf", rules=40_000)
    started = time.monotonic()
    [(_, result)] = extract_many([page], tmp_path / "cache")
    assert time.monotonic() - started < 10  # over two minutes before the cap
    assert "This page draws a great many ruled lines." in result.pages[0]


def test_the_ruled_lines_cap_applies_to_real_tables_and_is_read_at_call_time(tmp_path, monkeypatch):
    report = make_report_pdf(tmp_path / "table.pdf", pages=12)
    got = extract_pdf(report).recommendations
    assert [(r.number, r.text, r.addressed_to) for r in got] == DEFAULT_RECOMMENDATIONS
    monkeypatch.setenv("DHR_PDF_MAX_RULED_LINES", "5")  # below a real table's rules
    capped = extract_pdf(report)
    assert [r.addressed_to for r in capped.recommendations] != [
        r[2] for r in DEFAULT_RECOMMENDATIONS
    ]
    assert capped.pages == extract_pdf(report).pages  # the text is read all the same


# --- 3. a crash costs only its own file ---------------------------------------------------


def test_a_stream_bomb_crashes_only_its_own_reader_and_the_pdfs_after_it_are_read(
    tmp_path, monkeypatch
):
    # 512 MiB rather than the default 2 GiB, so the bomb stops sooner and spares the test
    # machine; real reports need about 100 MiB of address space.
    monkeypatch.setenv("DHR_PDF_MEMORY_MB", "512")
    bomb = stream_bomb(tmp_path / "bomb.pdf")
    assert bomb.stat().st_size < 64 * 1024  # and 4 GiB inflated: 5 GB of memory without a limit
    goods = [make_report_pdf(tmp_path / f"{csp}.pdf", csp=csp, pages=8) for csp in CSPS]
    paths = [goods[0], bomb, goods[1], goods[2]]
    cache, stats = tmp_path / "cache", ExtractStats()
    results = list(extract_many(paths, cache, procs=2, stats=stats))
    assert [p for p, _ in results] == paths
    reason = results[1][1].reason
    assert reason.startswith("the PDF reader crashed on this file twice (killed by SIG"), reason
    assert "512 MiB DHR_PDF_MEMORY_MB" in reason
    for path, result in results[:1] + results[2:]:
        assert isinstance(result, PdfReport), getattr(result, "reason", "")
        assert result == extract_pdf(path)
        assert load_cached(cache, file_sha256(path)) == result
    assert [r.csp for _, r in results[:1] + results[2:]] == CSPS
    assert load_cached(cache, file_sha256(bomb)) is None
    assert stats.extracted == 4
    assert not pdf_workers(os.getpid()), "a worker was left running"


def test_a_worker_killed_mid_file_is_replaced_and_the_file_read_again(tmp_path):
    slow, good = text_pdf(tmp_path / "slow.pdf", 1000), text_pdf(tmp_path / "good.pdf", 2)
    killed: list[int] = []

    def oom_killer() -> None:
        # What the kernel's OOM killer does: SIGKILL a worker while it reads a file.
        [pid] = wait_until_reading(os.getpid(), slow)
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    thread = threading.Thread(target=oom_killer, daemon=True)
    thread.start()
    results = dict(extract_many([slow, good], tmp_path / "cache", procs=1))
    thread.join(timeout=5)
    assert killed, "the worker was never seen reading"
    assert not isinstance(results[slow], PdfError), results[slow].reason
    assert len(results[slow].pages) == 1000 and len(results[good].pages) == 2
