"""Facet counts agree with counting the matching documents' stored fields one by one."""

from __future__ import annotations

from collections import Counter

import pytest

from search_service.search.execute import match
from search_service.search.facets import FACETS, count_facets, facet_table
from search_service.search.parse import parse_query
from search_service.search.request import SearchRequest
from search_service.search.service import open_index


def _stored_values(stored: dict, name: str, summaries: dict | None = None) -> list[str]:
    if FACETS[name].per_review:  # the DHRD's characteristics: on the review's summary only
        summary = (summaries or {}).get(stored["review_id"], {})
        return list((summary.get("dhrd") or {}).get("values", {}).get(name) or [])
    raw = stored.get(FACETS[name].stored)
    if FACETS[name].multi:
        return list(raw or [])
    return [raw] if raw else []


@pytest.mark.parametrize(
    "typed, filters",
    [
        ("", {}),
        ("training", {}),
        ('"forensic curiosity"', {}),  # one match
        ('"domestic abuse"', {}),
        ("risk", {"csp": ["Bolton"]}),
        ("", {"type": ["recommendation"], "region": ["North West"]}),
    ],
)
def test_counts_are_the_stored_values_of_the_matches(index_dir, typed, filters):
    handle = open_index(index_dir)
    searcher = handle.searcher()
    table = facet_table(handle.state, searcher)
    req = SearchRequest(q=typed, filters=filters, facet_size=None)
    q = parse_query(searcher.schema, typed).query
    matched = table.live if q is None else match(searcher, handle.state, q)[0]
    facets = count_facets(table, list(matched), req).values
    summaries = {
        s["review_id"]: s
        for s in (searcher.stored_fields(d) for d in table.live)
        if s["type"] == "summary"
    }
    for name in FACETS:
        expected: Counter = Counter()
        for d in matched:
            stored = searcher.stored_fields(d)
            # Disjunctive: a facet's own choice does not narrow its counts; the others do.
            others = {k: v for k, v in filters.items() if k != name}
            if all(set(_stored_values(stored, k, summaries)) & set(v) for k, v in others.items()):
                expected.update(_stored_values(stored, name, summaries))
        got = {f["value"]: f["count"] for f in facets[name] if f["count"]}
        assert got == dict(expected), name
    assert any(facets[name] for name in FACETS)


def test_a_new_facet_is_one_registry_entry(index_dir, monkeypatch):
    """A facet added to FACETS (over a field the schema stores) is counted, listed in the
    page with its label, filters through its toggle URL, shows as a named chip, and is in
    the API and its OpenAPI parameters: nothing else needs to know about it."""
    from search_service import create_app
    from search_service.search.facets import Facet

    monkeypatch.setitem(FACETS, "review", Facet("review", "title", "Review title"))
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    data = client.get("/api/search", query_string={"q": "training"}).get_json()
    values = data["facets"]["review"]
    assert values and sum(v["count"] for v in values) > 0
    first = values[0]
    narrowed = client.get(first["toggle_url"]).get_json()
    assert narrowed["total"] > 0
    assert {h["title"] for h in narrowed["hits"] if h["type"] == "recommendation"} == {
        first["value"]
    }
    page = client.get("/search", query_string={"q": "training", "review": first["value"]})
    html = page.get_data(as_text=True)
    assert "<legend>Review title</legend>" in html
    assert f"Remove filter Review title: {first['value']}" in html
    params = client.get("/api/openapi.json").get_json()["paths"]["/api/search"]["get"]
    assert "review" in {p["name"] for p in params["parameters"]}


@pytest.mark.parametrize("typed", ["", "training", '"forensic curiosity"', "MARAC police"])
def test_every_facet_count_is_the_number_of_results_choosing_it_gives(client, typed):
    """Analysts quote these numbers: "North West (6)" must give 6 results, of every kind."""
    data = client.get("/api/search", query_string={"q": typed, "facet_size": "max"}).get_json()
    for name, values in data["facets"].items():
        for item in values:
            chosen = client.get(
                "/api/search", query_string={"q": typed, name: item["value"], "per_page": 1}
            ).get_json()
            assert chosen["total"] == item["count"], (typed, name, item["value"])
