"""Inputs we do not control: arbitrary queries and parameters never cause a 5xx, and cost is bounded."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_service import create_app

HOSTILE = [
    '"',
    "'",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "*",
    "?",
    "~",
    "^",
    ":",
    "\\",
    "/",
    "AND",
    "OR",
    "NOT",
    "-",
    "+",
    "TO",
    "a*",
    "*a*",
    "?*",
    "marac~2",
    "csp:",
    "addressee:",
    "title:",
    "nosuch:",
    "published_year:",
    "year_of_death:[2000 TO]",
    "text:[a TO z]",
    "<script>",
    "&amp;",
    "\x00",
    "\x1b[1m",
    "\u202e",
    "\ud7ff",
    "🙂",
    "🏳️‍🌈",
    "ﷺ",
    " ",
    "\t",
    "\n",
    "%00",
    "' OR 1=1 --",
    "forensic curiosity",
]
words = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))
queries = st.one_of(
    st.text(max_size=300),
    st.lists(words, max_size=25).map(" ".join),
    st.builds(lambda w, n: w * n, st.sampled_from(HOSTILE), st.integers(1, 1200)),
)
numbers = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["", "-1", "0", "100000", "1e9", "NaN", "٣", "1.5", " 2 ", "0x10"]),
    st.text(max_size=10),
)
names = st.sampled_from(
    ["q", "page", "per_page", "addressee", "csp", "sector", "region", "type", "sort"]
    + ["year_from", "year_to", "year_field", "unknown", "q[]", ""]
)
params = st.lists(
    st.one_of(
        st.tuples(st.just("q"), queries),
        st.tuples(st.sampled_from(["page", "per_page", "year_from", "year_to"]), numbers),
        st.tuples(names, st.text(max_size=40)),
    ),
    max_size=8,
)


@pytest.fixture(scope="module")
def client(index_dir):
    # A short time limit keeps every example bounded without asserting on timings.
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "SEARCH_TIME_LIMIT": 2.0})
    return app.test_client()


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=params, path=st.sampled_from(["/search", "/api/search"]))
def test_no_input_causes_a_server_error(client, pairs, path):
    response = client.get(path, query_string=pairs)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
    if path == "/api/search":
        data = response.get_json()
        assert ("error" in data) == (response.status_code == 400)
        if response.status_code == 200:
            assert len(data["hits"]) <= 100 and data["per_page"] <= 100


@settings(max_examples=60, deadline=None)
@given(q=st.text(min_size=1001, max_size=3000))
def test_over_long_queries_get_a_clear_400(index_dir, q):
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 400
    assert "too long" in response.get_json()["error"]["message"]


def test_odd_paging_values_are_clamped_or_refused(client):
    assert client.get("/api/search?page=-1").get_json()["page"] == 1
    assert client.get("/api/search?per_page=100000").get_json()["per_page"] == 100
    assert client.get("/api/search?page=100000").get_json()["hits"] == []
    assert client.get("/api/search?page=1&page=x").status_code == 200  # the first value counts
    assert client.get("/api/search?per_page=ten").status_code == 400


def test_wildcard_expansions_are_capped_with_a_note(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "MAX_EXPANSIONS": 5})
    data = app.test_client().get("/api/search?q=a*").get_json()
    assert data["total"] > 0
    assert any("more than 5 words" in note for note in data["notes"])
    uncapped = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    wide = uncapped.get("/api/search?q=a*").get_json()
    assert wide["total"] > data["total"] and not any("words" in n for n in wide["notes"])


def test_a_search_out_of_time_returns_partial_results_marked_partial(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "SEARCH_TIME_LIMIT": 1e-9})
    client = app.test_client()
    data = client.get("/api/search?q=agencies").get_json()
    assert data["partial"] is True
    assert any("partial" in note for note in data["notes"])
    assert "partial" in client.get("/search?q=agencies").get_data(as_text=True)
    normal = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    assert normal.get("/api/search?q=agencies").get_json()["partial"] is False
