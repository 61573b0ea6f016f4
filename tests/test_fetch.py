"""`index --fetch`: reports named by URL, fetched from a real HTTP server on loopback.

The server (http.server in a thread) serves generated report PDFs with ETags, a 404, a
response slower than the read timeout, an HTML page named .pdf, a redirect, a file over the
size limit, a 500 that succeeds when tried again, and a body cut short; it counts the
bodies it sends, so a run that downloads nothing again is seen from the server's side.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import copy_seed
from pdf_factory import build_report

from search_service import create_app
from search_service.corpus.fetch import fetch_reports
from search_service.corpus.fetch_http import FetchLimits

ENV = {
    **os.environ,
    "PYTHONIOENCODING": "utf-8",
    "DHR_FETCH_DELAY": "0",
    "DHR_FETCH_BACKOFF": "0",
    "DHR_FETCH_READ_TIMEOUT": "0.3",
    "DHR_FETCH_CONNECT_TIMEOUT": "2",
    "DHR_FETCH_TRIES": "3",
    "DHR_FETCH_MAX_MB": "1",
}
FAST = FetchLimits(max_mb=1, connect_timeout=2, read_timeout=0.3, tries=3, backoff=0, delay=0)


class Site:
    """What the server serves: {path: (status, content type, body, headers)}, and counts."""

    def __init__(self):
        self.routes: dict[str, tuple] = {}
        self.bodies: dict[str, int] = {}  # 200 responses with a body, by path
        self.requests: dict[str, int] = {}
        self.lock = threading.Lock()

    def pdf(self, path: str, file: Path) -> None:
        self.routes[path] = ("pdf", file.read_bytes())

    def sent(self, path: str) -> int:
        return self.bodies.get(path, 0)


def _handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            with site.lock:
                count = site.requests[self.path] = site.requests.get(self.path, 0) + 1
            kind, *rest = site.routes.get(self.path, ("status", 404))
            if kind == "pdf":
                self._pdf(rest[0])
            elif kind == "status":
                self._reply(rest[0], "text/plain", b"no")
            elif kind == "flaky":  # a 500, then the PDF
                self._reply(500, "text/plain", b"busy") if count == 1 else self._pdf(rest[0])
            elif kind == "slow":
                time.sleep(1.0)
                self._reply(200, "application/pdf", b"%PDF-1.4 late")
            elif kind == "html":
                self._reply(200, "text/html; charset=utf-8", b"<html>Not found</html>")
            elif kind == "redirect":
                self.send_response(302)
                self.send_header("Location", rest[0])
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif kind == "cut":  # claims 100,000 bytes and closes after a few
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b"%PDF-1.4 and then nothing")
                self.close_connection = True

        def _pdf(self, body: bytes) -> None:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self._reply(200, "application/pdf", body, etag)

        def _reply(self, status: int, kind: str, body: bytes, etag: str = "") -> None:
            if status == 200:
                with site.lock:
                    site.bodies[self.path] = site.bodies.get(self.path, 0) + 1
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (the slow route)
                self.wfile.write(body)

    return Handler


@pytest.fixture
def site():
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield s
    server.shutdown()
    server.server_close()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "search_service", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )


def index(corpus: Path, ix: Path, *more: str) -> str:
    done = run("index", str(corpus), "--index-dir", str(ix), "--fetch", *more, cwd=corpus.parent)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def report(tmp: Path, name: str, word: str, csp: str = "Bolton") -> Path:
    return build_report(
        tmp / "made" / name, csp=csp, passages={4: f"The panel noted the {word} concern."}, pages=6
    ).path


def search(ix: Path, q: str) -> list[dict]:
    client = create_app({"INDEX_DIR": str(ix), "TESTING": True}).test_client()
    return client.get("/api/search", query_string={"q": q, "type": "passage"}).get_json()["hits"]


def manifest(corpus: Path, rows: list[tuple[str, str]]) -> None:
    lines = ["file,pdf_url,source_url"] + [f"{file},{url}," for file, url in rows]
    (corpus / "manifest.csv").write_text("\n".join(lines) + "\n")


def test_reports_named_by_url_are_fetched_indexed_and_link_to_their_url(site, tmp_path):
    (tmp_path / "made").mkdir()
    corpus = copy_seed(tmp_path / "corpus").parent
    site.pdf("/reports/bolton.pdf", report(tmp_path, "b.pdf", "quokkaline"))
    site.pdf("/reports/alpha.pdf", report(tmp_path, "a.pdf", "zebrafinch", "Salford"))
    site.pdf("/reports/gamma.pdf", report(tmp_path, "c.pdf", "marmosetry", "Leeds"))
    site.routes["/old/gamma.pdf"] = ("redirect", "/reports/gamma.pdf")
    site.routes["/flaky.pdf"] = ("flaky", report(tmp_path, "f.pdf", "axolotlian").read_bytes())
    site.routes["/slow.pdf"] = ("slow",)
    site.routes["/page.pdf"] = ("html",)
    site.routes["/big.pdf"] = ("pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    b = site.base
    manifest(
        corpus,
        [
            ("bolton-2023.txt", f"{b}/reports/bolton.pdf"),
            ("alpha.pdf", f"{b}/reports/alpha.pdf"),
            ("gamma.pdf", f"{b}/old/gamma.pdf"),
            ("flaky.pdf", f"{b}/flaky.pdf"),
            ("missing.pdf", f"{b}/missing.pdf"),
            ("slow.pdf", f"{b}/slow.pdf"),
            ("html.pdf", f"{b}/page.pdf"),
            ("big.pdf", f"{b}/big.pdf"),
            ("ftp.pdf", "ftp://example.org/x.pdf"),
        ],
    )
    ix = tmp_path / "ix"
    summary = index(corpus, ix)
    assert summary.startswith("indexed 4 reviews"), summary
    for failed in (
        f"{b}/missing.pdf (HTTP 404)",
        f"{b}/page.pdf (not a PDF (text/html))",
        f"{b}/big.pdf (larger than 1 MB (DHR_FETCH_MAX_MB))",
        f"{b}/slow.pdf (timed out after 3 tries)",
        "ftp://example.org/x.pdf (not an http(s) URL (ftp))",
    ):
        assert failed in summary
    assert "skipped 5 files" in summary
    assert site.requests["/flaky.pdf"] == 2 and site.requests["/slow.pdf"] == 3

    # Searchable, each hit linking to the URL the manifest names, at its page.
    for word, url in [
        ("quokkaline", f"{b}/reports/bolton.pdf"),
        ("zebrafinch", f"{b}/reports/alpha.pdf"),
        ("marmosetry", f"{b}/old/gamma.pdf"),
        ("axolotlian", f"{b}/flaky.pdf"),
    ]:
        hits = search(ix, word)
        assert hits and {h["pdf_url"] for h in hits} == {f"{url}#page=4"}, (word, hits)
    assert [h["review_id"] for h in search(ix, "zebrafinch")] == ["alpha"]
    bolton = create_app({"INDEX_DIR": str(ix), "TESTING": True}).test_client()
    assert bolton.get("/api/reviews/bolton-2023").get_json()["recommendations"]  # curated list
    cache = sorted(p.suffix for p in (ix / "fetched").iterdir())
    assert cache == [".json"] * 4 + [".pdf"] * 4  # no .part left by the failures


def test_a_second_run_downloads_nothing_and_a_failed_download_loses_nothing(site, tmp_path):
    (tmp_path / "made").mkdir()
    corpus = copy_seed(tmp_path / "corpus").parent
    site.pdf("/alpha.pdf", report(tmp_path, "a.pdf", "zebrafinch"))
    site.pdf("/later.pdf", report(tmp_path, "l.pdf", "pangolinish"))
    manifest(
        corpus, [("alpha.pdf", f"{site.base}/alpha.pdf"), ("later.pdf", f"{site.base}/later.pdf")]
    )
    ix = tmp_path / "ix"
    assert index(corpus, ix).startswith("indexed 3 reviews")
    assert (site.sent("/alpha.pdf"), site.sent("/later.pdf")) == (1, 1)

    # Again, in full and as an update: asked (conditionally), never sent again.
    assert index(corpus, ix).startswith("indexed 3 reviews")
    updated = index(corpus, ix, "--update")
    assert updated.startswith("updated: re-read 0 new or changed files"), updated
    assert (site.sent("/alpha.pdf"), site.sent("/later.pdf")) == (1, 1)
    assert site.requests["/alpha.pdf"] == 3
    # Without --fetch an update asks nothing and keeps the fetched reports' reviews as they are.
    plain = run("index", str(corpus), "--index-dir", str(ix), "--update", cwd=tmp_path)
    assert "re-read 0 new or changed files, removed 0 reviews" in plain.stdout, plain.stderr
    assert site.requests["/alpha.pdf"] == 3 and search(ix, "pangolinish")

    # Upstream, alpha changes and later is gone: alpha is re-read, later stays indexed.
    site.pdf("/alpha.pdf", report(tmp_path, "a2.pdf", "wombatique"))
    site.routes["/later.pdf"] = ("status", 404)
    updated = index(corpus, ix, "--update")
    assert updated.startswith("updated: re-read 1 new or changed file,"), updated
    assert f"{site.base}/later.pdf (HTTP 404 (the copy fetched before is indexed))" in updated
    assert search(ix, "wombatique") and not search(ix, "zebrafinch")
    assert [h["review_id"] for h in search(ix, "pangolinish")] == ["later"]
    # A full build keeps it too.
    assert index(corpus, ix).startswith("indexed 3 reviews")
    assert [h["review_id"] for h in search(ix, "pangolinish")] == ["later"]
    assert site.sent("/alpha.pdf") == 2


def test_a_body_cut_short_is_tried_again_and_leaves_nothing_in_the_cache(site, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    site.routes["/cut.pdf"] = ("cut",)
    manifest(corpus, [("cut.pdf", f"{site.base}/cut.pdf")])
    run_ = fetch_reports(corpus, tmp_path / "fetched", limits=FAST, sleep=lambda s: None)
    assert [(s.path, s.reason) for s in run_.skipped] == [
        (
            f"{site.base}/cut.pdf",
            "connection failed after 3 tries (the body ended after 25 of 100,000 bytes)",
        )
    ]
    assert site.requests["/cut.pdf"] == 3
    assert list((tmp_path / "fetched").iterdir()) == []


def test_redirects_are_followed_a_few_times_and_only_to_http(site, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    site.routes["/loop.pdf"] = ("redirect", "/loop.pdf")
    site.routes["/away.pdf"] = ("redirect", "file:///etc/passwd")
    manifest(corpus, [("loop.pdf", f"{site.base}/loop.pdf"), ("away.pdf", f"{site.base}/away.pdf")])
    run_ = fetch_reports(corpus, tmp_path / "fetched", limits=FAST, sleep=lambda s: None)
    assert [s.reason for s in run_.skipped] == [
        "more than 5 redirects",
        "redirected to a URL that is not an http(s) URL (file)",
    ]
    assert site.requests["/loop.pdf"] == 6


def test_only_reports_the_folder_lacks_are_fetched(site, tmp_path):
    (tmp_path / "made").mkdir()
    corpus = copy_seed(tmp_path / "corpus").parent
    report(tmp_path, "x.pdf", "local")
    (corpus / "bolton-2023.pdf").write_bytes((tmp_path / "made" / "x.pdf").read_bytes())
    manifest(
        corpus, [("bolton-2023.txt", f"{site.base}/b.pdf"), ("absent.txt", f"{site.base}/c.pdf")]
    )
    run_ = fetch_reports(corpus, tmp_path / "fetched", limits=FAST, sleep=lambda s: None)
    assert (run_.paths, run_.skipped, site.requests) == ({}, [], {})
