"""Security over HTTP: escaping end to end, headers, plain errors, read-only routes, the access log."""

import json
import logging
import re
import subprocess
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import running_server

from search_service import create_app
from search_service.corpus.folder import read_corpus
from search_service.index.writer import build_index
from search_service.web.security import ACCESS_LOG

EVIL_CSP = 'Evil" onmouseover="alert(\'csp\')" x="<script>alert(1)</script>'
EVIL_AGENCY = "Agency' autofocus onfocus='alert(2)' <img src=x onerror=alert(3)>"
EVIL_PAGE = f"""Source · Domestic Homicide Review
"><script>alert('title')</script><img src=x onerror=alert(4)> review
CSP: {EVIL_CSP}
Published: May 2024
Year of death: 2020
Summary
Quotes " and ' and </p><script>alert(5)</script> and a javascript:alert(6) word.
Extracted recommendations
| # | Recommendation | Addressed to |
|---|---|---|
| 1 | That agencies resist "><svg onload=alert(7)> markup. | {EVIL_AGENCY} |
| Recommendations extracted from the published report. | ||
"""
MANIFEST = (
    "file,pdf_url,source_url\n"
    "evil-2024.txt,javascript:alert(8),JaVaScRiPt:alert(9)\n"
    'evil2-2024.txt,"  data:text/html,<script>alert(10)</script>",https://example.org/ok\n'
)
# What our own pages may contain (the tags our templates write); any other tag in a page means
# some input became markup.
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TAGS = {
    tag.lower()
    for path in TEMPLATES.glob("*.html")
    for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", path.read_text(encoding="utf-8"))
} | {"html", "head", "body"}


class Markup(HTMLParser):
    """Every tag, attribute and link of a page."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(page: str) -> None:
    parser = Markup()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag in TAGS, (tag, attrs)
        assert not [a for a in attrs if a.startswith("on") or a == "autofocus"], (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        for name in ("href", "src", "action"):
            url = (attrs.get(name) or "").strip()
            if url:
                assert url.startswith(("/", "#", "?", "http://", "https://")), (tag, attrs)


@pytest.fixture(scope="module")
def evil_app(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("evil")
    (corpus / "evil-2024.txt").write_text(EVIL_PAGE, encoding="utf-8")
    (corpus / "evil2-2024.txt").write_text(EVIL_PAGE, encoding="utf-8")
    (corpus / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    index = tmp_path_factory.mktemp("evil-ix")
    build_index(index, read_corpus(corpus).reviews)
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})

    @app.route("/test-only/boom")
    def boom():
        raise RuntimeError(f"secret detail in {index} from {__file__}")

    @app.route("/api/test-only/boom")
    def api_boom():
        raise KeyError(str(Path(__file__)))

    return app


@pytest.fixture()
def evil(evil_app):
    return evil_app.test_client()


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=alert",
        "/search?q=resist",
        "/search?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "/search?q=markup&type=recommendation",
        "/search?addressee=" + EVIL_AGENCY.replace("&", "%26").replace("#", "%23"),
        "/search?csp=" + EVIL_CSP.replace("&", "%26").replace("#", "%23"),
        "/search?csp=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        "/reviews/evil-2024",
        "/reviews/evil2-2024",
        "/reviews/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_pages_render_every_input_as_text(evil, url):
    response = evil.get(url)
    assert response.status_code in (200, 404)
    page = response.get_data(as_text=True)
    assert_inert(page)
    assert "<script>alert" not in page and "<img" not in page


def test_snippets_keep_only_our_marks(evil):
    data = evil.get("/api/search?q=resist").get_json()
    highlight = data["hits"][0]["highlight"]
    assert "<mark>resist</mark>" in highlight
    assert re.sub(r"</?mark>", "", highlight).count("<") == 0


def test_manifest_links_are_only_http(evil):
    for review_id in ("evil-2024", "evil2-2024"):
        review = evil.get(f"/api/reviews/{review_id}").get_json()
        assert review["pdf_url"] in ("", "/reports/" + review_id + ".pdf")
        assert review["source_url"] in ("", "https://example.org/ok")


@pytest.mark.parametrize(
    "url", ["/search?q=x", "/api/search?q=x", "/healthz", "/nope", "/reviews/none", "/"]
)
def test_security_headers_on_every_response(evil, url):
    response = evil.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for part in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert part in csp
    assert "form-action 'self'" in csp and "img-src 'self' data:" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")


def test_each_security_header_once_and_a_views_own_kept(evil_app):
    from flask import Response

    from search_service.web.security import HEADERS, _finish

    with evil_app.test_request_context("/"):
        own = Response("x", headers={"x-frame-options": "SAMEORIGIN"})
        headers = _finish(own).headers
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    for name, value in HEADERS.items():
        if name != "X-Frame-Options":
            assert headers.getlist(name) == [value]


def test_headers_on_errors_and_static_files(evil):
    for response in (
        evil.get("/test-only/boom"),
        evil.post("/search"),
        evil.get("/static/style.css"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in response.headers


def test_a_crash_shows_no_trace_or_path(evil, evil_app):
    index_dir = evil_app.config["INDEX_DIR"]
    page = evil.get("/test-only/boom")
    api = evil.get("/api/test-only/boom")
    assert page.status_code == api.status_code == 500
    assert api.get_json() == {
        "error": {"code": 500, "message": "Something went wrong on our side."}
    }
    for body in (page.get_data(as_text=True), api.get_data(as_text=True)):
        assert "Traceback" not in body and "secret" not in body
        assert index_dir not in body and ".py" not in body and "/tmp" not in body


def test_every_route_is_read_only(evil, evil_app):
    samples = {"review_id": "bolton-2023", "filename": "style.css"}
    for rule in evil_app.url_map.iter_rules():
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples.get(m.group(1), "x"), rule.rule)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = evil.open(url, method=method)
            assert response.status_code == 405, (method, url, response.status_code)
            assert "GET" in response.headers.get("Allow", ""), (method, url)


@pytest.mark.parametrize(
    "url",
    [
        "/reviews/..",
        "/reviews/%2e%2e",
        "/reviews/..%2f..%2fetc%2fpasswd",
        "/reviews/%2e%2e/%2e%2e/etc/passwd",
        "/reviews/../../etc/passwd",
        "/api/reviews/%2e%2e%2fmeta.json",
        "/static/../search_service/__init__.py",
        "/static/%2e%2e/%2e%2e/setup.cfg",
        "/index/CURRENT",
        "/.lock",
        "/wp-admin.php",
    ],
)
def test_unknown_and_traversal_paths_are_404_without_the_filesystem(evil, evil_app, url):
    response = evil.get(url)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert evil_app.config["INDEX_DIR"] not in body and "root:" not in body
    assert "/tmp/" not in body and "/work/" not in body and "Traceback" not in body


def access_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == ACCESS_LOG]


def test_one_access_log_line_per_request(evil, caplog):
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    evil.get("/api/search?q=resist&csp=x", headers={"Cookie": "session=cookie-secret"})
    evil.get("/reviews/missing", headers={"Authorization": "Bearer header-secret"})
    first, second = access_lines(caplog)
    assert first["method"] == "GET" and first["path"] == "/api/search"
    assert (first["status"], first["hits"], first["query"]) == (200, 0, "q=resist&csp=x")
    assert isinstance(first["ms"], float)
    assert (second["path"], second["status"], "hits" in second) == ("/reviews/missing", 404, False)
    assert "secret" not in caplog.text


def test_the_logged_query_is_cut_at_1000_characters(evil, caplog):
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    evil.get("/api/search", query_string={"q": "x" * 5000})
    (line,) = access_lines(caplog)
    assert line["status"] == 400 and len(line["query"]) == 1000


def test_serve_writes_one_json_access_line_per_request_to_stderr(index_dir):
    with running_server(index_dir, stderr=subprocess.PIPE) as (proc, base):
        request = urllib.request.Request(
            base + "/api/search?q=marac", headers={"Cookie": "s=cookie-secret"}
        )
        urllib.request.urlopen(request, timeout=10).read()
        deadline = time.monotonic() + 30
        while not json.load(urllib.request.urlopen(base + "/healthz", timeout=10))["warm"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    _, err = proc.communicate(timeout=10)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    search = [line for line in lines if line.get("path") == "/api/search"]
    assert len(search) == 1, err
    assert search[0]["query"] == "q=marac" and search[0]["status"] == 200
    assert search[0]["hits"] > 0 and "cookie-secret" not in err
    # Events share the stream: the version this server opened was warmed.
    warm = [line for line in lines if line.get("event") == "warm"]
    assert len(warm) == 1 and warm[0]["version"].startswith("v-") and warm[0]["seconds"] >= 0
    assert "error" not in warm[0], warm[0]


def test_a_warm_up_that_fails_says_why_in_its_event_and_searches_still_work(index_dir, caplog):
    from search_service.index.reader import IndexHandle
    from search_service.search.request import SearchRequest
    from search_service.search.service import run_search

    def broken(searcher, state):
        raise KeyError(3076)

    caplog.set_level(logging.INFO, logger="search_service.events")
    handle = IndexHandle(index_dir, warm=broken)
    handle.searcher()
    deadline = time.monotonic() + 10
    while not handle.warm:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    events = [
        json.loads(r.getMessage()) for r in caplog.records if r.name == "search_service.events"
    ]
    assert [e.get("error") for e in events if e["event"] == "warm"] == ["KeyError: 3076"]
    assert run_search(handle, SearchRequest(q="marac"))["total"] > 0
