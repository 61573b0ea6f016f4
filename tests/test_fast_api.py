"""GET /api/search answered at the WSGI layer: the same bytes, headers and log as Flask's view."""

import json
import logging
import re

import pytest
from flask import request_started
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app

from search_service.search.lessons_view import lessons_of
from search_service.web.fast_api import FastSearchApi
from search_service.web.security import ACCESS_LOG

QUERIES = [
    "q=forensic+curiosity",
    "q=%22forensic+curiosity%22",
    "q=polcie",
    "q=idva+housing",
    "q=domestic&csp=Bolton&csp=Hartlepool",
    "q=domestic&type=summary&page=2&per_page=3",
    "q=risk&facet_size=max&sort=newest",
    "q=risk&group=review",
    "q=risk&year_from=2015&year_to=2020&year_field=published",
    "",
    "q=",
    "q=zzzzqqq",
    "q=%E2%80%9Cforensic+curiosity%E2%80%9D",
    "q=NOT+AND+x",
    "q=police+-victim",
    "q=safeguard*",
    # Errors: the fast path hands these to Flask.
    "q=risk&per_page=abc",
    "q=risk&type=nonsense",
    "q=risk&sort=sideways",
    "q=" + "x" * 3000,
    "q=risk&facet_size=0",
]


@pytest.fixture(autouse=True)
def grouped(app):
    """Hits carry their lesson once the version is grouped (the warm-up's last step): both
    paths are compared after it, as a warmed server answers."""
    lessons_of(app.extensions["dhr_index"])


def answer(wsgi_app, query_string: str, method: str = "GET"):
    """Status, headers and body, less what differs between two runs (the time taken)."""
    environ = EnvironBuilder(path="/api/search", query_string=query_string, method=method)
    body, status, headers = run_wsgi_app(wsgi_app, environ.get_environ())
    body = b"".join(body)
    if method == "GET":
        assert headers.get("Content-Length") == str(len(body))
    headers.remove("Content-Length")
    return status, sorted(headers.items()), re.sub(rb'"took_ms": ?[0-9.]+', b"", body)


def test_the_fast_path_gives_flasks_bytes_headers_and_status(app):
    fast = app.wsgi_app
    assert isinstance(fast, FastSearchApi)
    statuses = set()
    for query in QUERIES:
        mine, flasks = answer(fast, query), answer(fast.flask_wsgi, query)
        assert mine == flasks, query
        statuses.add(mine[0])
    assert statuses == {"200 OK", "400 BAD REQUEST"}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(["q", "csp", "addressee", "type", "page", "per_page", "sort", "x"]),
            st.text(max_size=12),
        ),
        max_size=4,
    )
)
def test_any_query_string_gets_flasks_answer(app, pairs):
    from urllib.parse import urlencode

    query = urlencode(pairs)
    assert answer(app.wsgi_app, query) == answer(app.wsgi_app.flask_wsgi, query)


def test_a_search_skips_flasks_request_machinery_and_other_routes_do_not(app):
    seen = []

    def record(sender, **extra):
        seen.append(extra)

    with request_started.connected_to(record, app):
        assert answer(app.wsgi_app, "q=forensic+curiosity")[0] == "200 OK"
        assert seen == []
        assert answer(app.wsgi_app, "q=risk&per_page=abc")[0] == "400 BAD REQUEST"
        assert len(seen) == 1  # the error went to Flask
        assert answer(app.wsgi_app, "q=risk", method="HEAD")[0] == "200 OK"
        assert len(seen) == 2


def test_one_access_log_line_per_search_either_way(app, caplog):
    caplog.set_level(logging.INFO, logger=ACCESS_LOG)
    answer(app.wsgi_app, "q=forensic+curiosity")
    answer(app.wsgi_app.flask_wsgi, "q=forensic+curiosity")
    fast, flask = [json.loads(r.getMessage()) for r in caplog.records if r.name == ACCESS_LOG]
    for line in (fast, flask):
        assert isinstance(line.pop("ms"), float) and line.pop("time")
    assert (
        fast
        == flask
        == {
            "method": "GET",
            "path": "/api/search",
            "status": 200,
            "query": "q=forensic+curiosity",
            "hits": 1,
        }
    )


def test_when_flask_would_indent_its_json_flask_answers(app):
    app.json.compact = False
    try:
        status, _headers, body = answer(app.wsgi_app, "q=forensic+curiosity")
        assert status == "200 OK" and body.startswith(b'{\n  "')
        assert answer(app.wsgi_app, "q=forensic+curiosity") == answer(
            app.wsgi_app.flask_wsgi, "q=forensic+curiosity"
        )
    finally:
        app.json.compact = None
