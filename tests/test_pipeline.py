"""One search pipeline: every view of a search is bounded, corrected and counted the same way.

The results page, the grouped view, the exports and the trends chart each read the same
matches, so the wildcard cap, the per-query time limit and "did you mean" apply to all of
them, and their counts agree. Everything here goes through the real app and its URLs.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time

import pytest

from search_service import create_app
from search_service.index.reader import IndexHandle
from search_service.search.facets import FacetTable
from search_service.search.limits import PARTIAL_NOTE, Deadline, Limits
from search_service.search.request import SearchRequest
from search_service.search.reviews import similar_recommendations
from search_service.search.service import run_search


def _client(index_dir, **config):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True, **config}).test_client()


def _export_json(client, **args) -> dict:
    return json.loads(client.get("/export.json", query_string=args).data)


VIEWS = ("grouped", "export.json", "export.csv", "trends", "trends page")


def _notes_and_partial(client, view: str, q: str) -> tuple[list[str], bool]:
    """What a view tells the user about how the query ran: its notes, and whether partial."""
    if view == "grouped":
        data = client.get("/api/search", query_string={"q": q, "group": "review"}).get_json()
        return data["notes"], data["partial"]
    if view == "export.json":
        data = _export_json(client, q=q)
        return data["notes"], data["partial"]
    if view == "export.csv":
        response = client.get("/export.csv", query_string={"q": q})
        assert response.status_code == 200
        return [], response.headers.get("X-Partial-Results") == "true"
    if view == "trends":
        data = client.get("/api/trends", query_string={"q": q}).get_json()
        return data["notes"], data["partial"]
    page = client.get("/trends", query_string={"q": q}).get_data(as_text=True)
    return ([PARTIAL_NOTE] if PARTIAL_NOTE in page else []), PARTIAL_NOTE in page


@pytest.mark.parametrize("view", ["grouped", "export.json", "trends"])
def test_a_wildcard_is_capped_in_every_view_as_on_the_results_page(index_dir, view):
    client = _client(index_dir, MAX_EXPANSIONS=5)
    page = client.get("/api/search", query_string={"q": "a*"}).get_json()
    cap = [n for n in page["notes"] if "only the first 5 were searched" in n]
    assert cap, page["notes"]
    notes, partial = _notes_and_partial(client, view, "a*")
    assert cap[0] in notes
    assert partial is False


def test_every_view_of_a_capped_wildcard_counts_the_same_matches(index_dir):
    client = _client(index_dir, MAX_EXPANSIONS=5)
    page = client.get("/api/search", query_string={"q": "a*"}).get_json()
    grouped = client.get("/api/search", query_string={"q": "a*", "group": "review"}).get_json()
    exported = _export_json(client, q="a*")
    csv_rows = list(csv.DictReader(io.StringIO(client.get("/export.csv?q=a*").get_data(True))))
    trends = client.get("/api/trends", query_string={"q": "a*"}).get_json()
    assert 0 < page["total"] == grouped["total_hits"] == exported["total"] == len(csv_rows)
    assert len(exported["results"]) == page["total"]
    assert trends["total_reviews"] == grouped["total"]
    # Uncapped, the same wildcard matches more: the cap is what made them agree.
    wide = _client(index_dir, MAX_EXPANSIONS=500).get("/api/search?q=a*").get_json()
    assert wide["total"] > page["total"]


@pytest.mark.parametrize("view", VIEWS)
def test_a_query_past_the_time_limit_is_partial_in_every_view(index_dir, view):
    # A limit no search can meet: matching stops at once and each view says so.
    client = _client(index_dir, SEARCH_TIME_LIMIT=1e-9)
    page = client.get("/api/search", query_string={"q": "domestic abuse"}).get_json()
    assert page["partial"] is True and PARTIAL_NOTE in page["notes"]
    notes, partial = _notes_and_partial(client, view, "domestic abuse")
    assert partial is True
    if view != "export.csv":
        assert PARTIAL_NOTE in notes


def test_within_the_time_limit_no_view_is_partial(index_dir):
    client = _client(index_dir)
    for view in VIEWS:
        notes, partial = _notes_and_partial(client, view, "domestic abuse")
        assert partial is False and PARTIAL_NOTE not in notes, view


def test_the_grouped_view_and_trends_correct_a_misspelling_as_the_results_page_does(index_dir):
    client = _client(index_dir)
    page = client.get("/api/search", query_string={"q": "polcie"}).get_json()
    assert page["corrected_query"] == "police" and page["total"] > 0
    grouped = client.get("/api/search", query_string={"q": "polcie", "group": "review"})
    grouped = grouped.get_json()
    assert grouped["corrected_query"] == "police"
    assert grouped["total_hits"] == page["total"] and grouped["groups"]
    assert any("Showing results for “police”" in n for n in grouped["notes"])
    trends = client.get("/api/trends", query_string={"q": "polcie"}).get_json()
    assert trends["suggestion"] == "police" and trends["total_reviews"] > 0
    html = client.get("/search", query_string={"q": "polcie", "group": "review"})
    assert "Showing results for “police”" in html.get_data(as_text=True)


def test_the_grouped_view_offers_a_better_spelling_when_results_are_few(index_dir):
    client = _client(index_dir)
    page = client.get("/api/search", query_string={"q": "polcie trainng"}).get_json()
    grouped = client.get(
        "/api/search", query_string={"q": "polcie trainng", "group": "review"}
    ).get_json()
    assert page["suggestion"] and grouped["suggestion"] == page["suggestion"]
    assert grouped["suggestion_url"].startswith("/api/search?q=")


def test_similar_recommendations_stop_at_the_time_limit_and_say_so(index_dir):
    quick = _client(index_dir).get("/api/reviews/bolton-2023/similar").get_json()
    assert quick["hits"]
    assert quick["partial"] is False
    slow = _client(index_dir, SEARCH_TIME_LIMIT=1e-9)
    stopped = slow.get("/api/reviews/bolton-2023/similar")
    assert stopped.status_code == 200 and stopped.get_json()["hits"] == []
    assert stopped.get_json()["partial"] is True
    page = slow.get("/reviews/bolton-2023").get_data(as_text=True)
    assert PARTIAL_NOTE in page


def _held_facets(seconds: float) -> tuple[threading.Event, object]:
    """A warm-up hook that builds the facet table slowly (as on a large library under load),
    and the event it sets once it holds the table's build."""
    holding = threading.Event()

    def warm(searcher, state) -> None:
        def build() -> FacetTable:
            holding.set()
            time.sleep(seconds)
            return FacetTable(searcher, None)

        state.facets.get(build)

    return holding, warm


def test_waiting_for_the_warm_up_does_not_count_against_the_time_limit(index_dir):
    # A server's first search after a start or a switch waits for the warm-up's facet
    # table; only its own work is bounded, so it is complete (it once came back empty).
    holding, warm = _held_facets(2.0)
    handle = IndexHandle(index_dir, warm=warm)
    assert handle.version and holding.wait(10)
    data = run_search(handle, SearchRequest(q="domestic abuse"), Limits(time_limit=1.0))
    assert data["partial"] is False and data["total"] > 0
    assert data["total"] == run_search(handle, SearchRequest(q="domestic abuse"))["total"]


def test_similar_recommendations_wait_for_the_warm_up_outside_the_time_limit(index_dir):
    holding, warm = _held_facets(2.0)
    handle = IndexHandle(index_dir, warm=warm)
    assert handle.version and holding.wait(10)
    deadline = Deadline(1.0)
    hits = similar_recommendations(handle, "bolton-2023", deadline=deadline)
    assert hits and deadline.hit is False
