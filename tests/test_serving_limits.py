"""As a misbehaving client sees the real server: idle sockets, big bodies and headers, malformed
requests, a hostile Host header, odd review ids and a review of 10,000 recommendations."""

from __future__ import annotations

import contextlib
import csv
import html
import http.client
import io
import json
import os
import re
import socket
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from click.testing import CliRunner
from conftest import copy_seed, running_server

from search_service import create_app
from search_service.cli import cli
from search_service.corpus.folder import read_corpus
from search_service.index.writer import build_index
from search_service.model import Recommendation, Review
from search_service.web.security import HEADERS
from search_service.web.serving import make_server

# Ids a file name or a manifest may give: each must survive every link we build.
ODD_IDS = ("odd #1?a=b", "50% off", "a/b", "space id", "back\\slash", "café ∕ slash")
HUGE = "huge-2024"
HUGE_RECS = 10_000


def odd_reviews(pdf: Path) -> list[Review]:
    """One review per odd id, each with a recommendation about quokkas and a report PDF."""
    return [
        Review(
            id=review_id,
            title=f"Odd review {n}",
            csp="Oddtown",
            published_year=2024,
            summary="A summary.",
            pdf_path=str(pdf),
            recommendations=[
                Recommendation(review_id, "1", f"Quokka training for agency {n}.", ["Police"])
            ],
        )
        for n, review_id in enumerate(ODD_IDS)
    ]


def huge_review() -> Review:
    """A review of 10,000 short recommendations (its page once took 8.7 s)."""
    recs = [
        Recommendation(HUGE, str(i), f"Training plan {i}.", ["Police"])
        for i in range(1, HUGE_RECS + 1)
    ]
    return Review(id=HUGE, title="Huge review", csp="Big Town", recommendations=recs)


@pytest.fixture(scope="module")
def odd_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("odd")
    pdf = root / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4 not really a report\n")
    reviews = list(read_corpus(copy_seed(root / "corpus").parent).reviews)
    build_index(root / "index", [*reviews, *odd_reviews(pdf), huge_review()])
    return root / "index"


@pytest.fixture(scope="module")
def odd_client(odd_index):
    return create_app({"INDEX_DIR": str(odd_index), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def server(odd_index, tmp_path_factory):
    """`python -m search_service serve` on loopback, with its temporary files kept apart."""
    spool = tmp_path_factory.mktemp("spool")
    env = {**os.environ, "TMPDIR": str(spool)}
    env.pop("DHR_BASE_URL", None)
    with running_server(odd_index, env=env) as (proc, base):
        yield proc, base, spool
    proc.wait(timeout=10)


def exchange(base: str, raw: bytes, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes on a new connection; the status, headers and body of the answer."""
    host, port = urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # the server may answer before reading it all
            sock.sendall(raw)
        return read_answer(sock)


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one answer until the server closes the connection (waitress does after errors)."""
    data = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def assert_our_headers(headers: dict[str, str]) -> None:
    for name, value in HEADERS.items():
        assert headers.get(name) == value, (name, headers)


def spooled_files(pid: int, spool: Path) -> list[str]:
    """Files the server process holds open in its temporary folder (spooled bodies)."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd).startswith(str(spool)):
                found.append(os.readlink(fd))
    return found


def test_300_idle_connections_do_not_lock_out_searches(server):
    _, base, _ = server
    host, port = urlsplit(base).netloc.split(":")
    idle = []
    try:
        for n in range(300):
            sock = socket.create_connection((host, int(port)), timeout=5)
            if n % 2:  # half of them start a request and never finish it
                sock.sendall(b"GET /api/search HTTP/1.1\r\nHost: x\r\n")
            idle.append(sock)
        started = time.monotonic()
        for _ in range(3):
            url = base + "/api/search?q=marac"
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200 and json.load(response)["total"] > 0
        # waitress's defaults (100 connections, 120 s idle) kept these waiting for minutes.
        assert time.monotonic() - started < 8
    finally:
        for sock in idle:
            sock.close()


def test_a_large_body_is_refused_at_once_and_never_spooled(server):
    proc, base, spool = server
    # Refused on its Content-Length, before a byte of the body is sent.
    started = time.monotonic()
    status, headers, _ = exchange(
        base, b"GET /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"
    )
    assert status == 413 and time.monotonic() - started < 3
    assert_our_headers(headers)
    # A chunked body has no length to refuse: it is cut at the limit, still in memory. With
    # waitress's 1 GiB limit, 600 KB would be in a temporary file, waiting for the rest.
    host, port = urlsplit(base).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"GET /api/search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (60_000, b"x" * 60_000)
        with contextlib.suppress(OSError):
            for _ in range(10):
                sock.sendall(chunk)
        assert spooled_files(proc.pid, spool) == []
        status, headers, _ = read_answer(sock)
    assert status == 413
    assert_our_headers(headers)
    assert list(spool.iterdir()) == []


def test_waitress_own_answers_carry_the_security_headers(server):
    _, base, _ = server
    malformed = {
        400: b"NOT A REQUEST LINE\r\n\r\n",
        413: b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n",
        431: b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n",
    }
    for code, raw in malformed.items():
        status, headers, _ = exchange(base, raw)
        assert status == code, (code, status)
        assert_our_headers(headers)
        assert headers["Server"] == "dhr-search"
    # A search answered by the app has them too, once each.
    status, headers, _ = exchange(base, b"GET /api/search?q=marac HTTP/1.0\r\n\r\n")
    assert status == 200
    assert_our_headers(headers)


def test_waitress_500_carries_the_security_headers(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir)})

    def broken(environ, start_response):
        raise RuntimeError("fails before answering")

    app.wsgi_app = broken  # fails outside Flask's handlers: waitress answers itself
    server = make_server(app, threads=1, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.effective_port}"
        status, headers, body = exchange(base, b"GET / HTTP/1.0\r\n\r\n")
    finally:
        server.task_dispatcher.shutdown()
        server.close()
    assert status == 500 and b"fails before answering" not in body
    assert_our_headers(headers)


def test_idle_connections_are_closed_after_the_channel_timeout(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "CHANNEL_TIMEOUT": 1})
    server = make_server(app, threads=1, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=8) as sock:
            started = time.monotonic()
            assert sock.recv(1) == b""  # closed by the server, not by our 8 s timeout
            assert time.monotonic() - started < 5
    finally:
        server.task_dispatcher.shutdown()
        server.close()


def export_links(body: str, fmt: str) -> list[str]:
    if fmt == "json":
        rows = json.loads(body)["results"]
    else:
        rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    return [r[key] for r in rows for key in ("review_url", "pdf_url") if r[key]]


def test_exports_never_take_links_from_the_host_header(server, odd_index, monkeypatch):
    _, base, _ = server
    for fmt in ("json", "csv"):
        connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=10)
        connection.request("GET", f"/export.{fmt}?q=quokka", headers={"Host": "evil.example"})
        body = connection.getresponse().read().decode("utf-8")
        connection.close()
        links = export_links(body, fmt)
        assert len(links) == 2 * len(ODD_IDS)  # each review's page and report
        assert all(link.startswith(base + "/re") for link in links), links
        assert "evil.example" not in body
    # The public address, when set, is every link's base; unset, http://localhost.
    for setting, start in (("https://dhr.example.org/", "https://dhr.example.org/"), ("", None)):
        monkeypatch.setenv("DHR_BASE_URL", setting)
        client = create_app({"INDEX_DIR": str(odd_index), "TESTING": True}).test_client()
        response = client.get("/export.json?q=quokka", headers={"Host": "evil.example"})
        links = export_links(response.get_data(as_text=True), "json")
        assert links and all(link.startswith(start or "http://localhost/") for link in links)


def test_a_base_url_that_is_not_an_address_is_a_one_line_error(odd_index):
    result = CliRunner().invoke(
        cli,
        ["serve", "--index-dir", str(odd_index), "--port", "1"],
        env={"DHR_BASE_URL": "javascript:alert(1)"},
    )
    assert result.exit_code == 1
    assert "DHR_BASE_URL must be an http(s) address" in result.output
    with pytest.raises(ValueError, match="DHR_BASE_URL"):
        create_app({"INDEX_DIR": str(odd_index), "BASE_URL": "evil.example"})


def follow(get, url: str):
    """Open one of our links as a browser would: the path and query, not the fragment."""
    parts = urlsplit(html.unescape(url))
    return get(parts.path + (f"?{parts.query}" if parts.query else ""))


def test_odd_review_ids_are_encoded_in_every_link_and_open_their_review(odd_client):
    get = odd_client.get
    hits = get("/api/search?q=quokka&per_page=50").get_json()["hits"]
    assert {h["review_id"] for h in hits} == set(ODD_IDS)
    for hit in hits:
        # The id is one path segment, every special character in it percent-encoded.
        segment = hit["review_url"].split("#rec-")[0].removeprefix("/reviews/")
        assert unquote(segment) == hit["review_id"]
        assert not set(segment) & set("#? /\\"), segment
        page = follow(get, hit["review_url"])
        assert page.status_code == 200, hit["review_url"]
        text = page.get_data(as_text=True)
        assert f"<h1>{html.escape(hit['title'], quote=False)}</h1>" in text
        report = follow(get, hit["pdf_url"])
        assert report.status_code == 200 and report.data.startswith(b"%PDF")
        # Every link of ours on the review's page opens it, its JSON or its similar list.
        for href in re.findall(r'href="(/(?:api/)?reviews/[^"]+)"', text):
            opened = follow(get, href)
            assert opened.status_code == 200, href
            if "/api/" in href:
                assert opened.get_json()["id"] == hit["review_id"]
        similar = get(f"/api/reviews/{quote(hit['review_id'], safe='')}/similar?number=1")
        assert similar.status_code == 200 and similar.get_json()["review_id"] == hit["review_id"]
    # The results page's links open the same reviews.
    page = get("/search?q=quokka&per_page=50").get_data(as_text=True)
    titles = set()
    for href in set(re.findall(r'href="(/reviews/[^"]+)"', page)):
        opened = follow(get, href).get_data(as_text=True)
        titles.update(re.findall(r"<h1>(Odd review \d)</h1>", opened))
    assert titles == {f"Odd review {n}" for n in range(len(ODD_IDS))}


def test_odd_ids_open_over_http_too(server):
    _, base, _ = server
    with urllib.request.urlopen(base + "/api/search?q=quokka&per_page=50", timeout=10) as r:
        hits = json.load(r)["hits"]
    assert len(hits) == len(ODD_IDS)
    for hit in hits:
        path = hit["review_url"].split("#")[0]
        with urllib.request.urlopen(base + path, timeout=10) as response:
            assert f"<h1>{hit['title']}</h1>" in response.read().decode()


def test_a_review_of_10000_recommendations_is_paged_and_every_anchor_kept(odd_client):
    started = time.perf_counter()
    response = odd_client.get(f"/reviews/{HUGE}")
    print(f"\n/reviews/{HUGE} ({HUGE_RECS} recommendations): {time.perf_counter() - started:.2f}s")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Recommendation 1.</strong> Training plan 1." in page
    assert "Training plan 10000." not in page  # on its own page...
    # ...which the anchor a search links to (#rec-10000) still leads to.
    (href,) = re.findall(r'<a id="rec-10000" href="([^"]+)"', page)
    assert href == f"/reviews/{HUGE}?page=50#rec-10000"
    last = follow(odd_client.get, href).get_data(as_text=True)
    assert '<li id="rec-10000"' in last and "Training plan 10000." in last
    assert "Training plan 1." not in last
    # Like one recommendation: on the page that holds it.
    one = odd_client.get(f"/reviews/{HUGE}?similar=9999").get_data(as_text=True)
    assert "Training plan 9999." in one and "Like recommendation 9999, in other reviews" in one
