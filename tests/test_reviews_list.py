"""/reviews and /api/reviews: every review, sorted, filtered by region, CSP and years, paged."""

from __future__ import annotations

import math
import re

import pytest
from test_openapi import validate

from search_service.corpus.folder import read_corpus


@pytest.fixture(scope="module")
def corpus_reviews(corpus_dir):
    return read_corpus(corpus_dir).reviews


def _all(client, query: str = "") -> dict:
    response = client.get(f"/api/reviews?per_page=200&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _ids(data: dict) -> list[str]:
    return [r["id"] for r in data["reviews"]]


def test_counts_equal_the_corpus(client, corpus_reviews):
    data = _all(client)
    assert data["total"] == data["total_reviews"] == len(corpus_reviews)
    assert sorted(_ids(data)) == sorted(r.id for r in corpus_reviews)
    health = client.get("/healthz").get_json()
    assert data["total"] == health["reviews"]
    assert sum(r["recommendations"] for r in data["reviews"]) == health["recommendations"]
    by_id = {r["id"]: r for r in data["reviews"]}
    for review in corpus_reviews:
        row = by_id[review.id]
        assert row["recommendations"] == len(review.recommendations)
        assert (row["published_year"], row["year_of_death"]) == (
            review.published_year,
            review.year_of_death,
        )
        assert row["review_url"] == f"/reviews/{review.id}"


def _newest(row: dict) -> tuple:
    stamp = (row["published_year"] or 0) * 100 + (row["published_month"] or 0)
    return (row["published_year"] is None, -stamp, row["id"])


@pytest.mark.parametrize(
    "sort,key",
    [
        ("", _newest),
        ("newest", _newest),
        ("oldest", lambda r: (r["published_year"] is None, -_newest(r)[1], r["id"])),
        ("title", lambda r: (r["title"].casefold(), r["id"])),
        ("csp", lambda r: (not r["csp"], r["csp"].casefold(), *_newest(r))),
    ],
)
def test_sorting(client, sort, key):
    data = _all(client, f"sort={sort}")
    assert data["sort"] == (sort or "newest")
    assert data["reviews"] == sorted(data["reviews"], key=key)


def test_filters_by_region_csp_and_years(client, corpus_reviews):
    regions = _all(client)["options"]["region"]
    for option in regions:
        data = _all(client, f"region={option['value']}")
        assert data["total"] == option["reviews"]
        assert {r["region"] for r in data["reviews"]} == {option["value"]}
    two = [o["value"] for o in regions[:2]]
    both = _all(client, f"region={two[0]}&region={two[1]}")
    assert both["total"] == sum(o["reviews"] for o in regions[:2])
    assert both["filters"]["region"] == two
    bolton = _all(client, "csp=Bolton")
    assert _ids(bolton) == ["bolton-2023"]
    for field, attr in (("death", "year_of_death"), ("published", "published_year")):
        data = _all(client, f"year_field={field}&year_from=2015&year_to=2023")
        expected = {
            r.id for r in corpus_reviews if getattr(r, attr) and 2015 <= getattr(r, attr) <= 2023
        }
        assert set(_ids(data)) == expected
        assert data["year_field"] == field
    assert _all(client, "region=Nowhere+at+all")["total"] == 0


def test_paging(client):
    everything = _ids(_all(client))
    pages = math.ceil(len(everything) / 3)
    seen, url = [], "/api/reviews?per_page=3"
    for number in range(1, pages + 1):
        data = client.get(url).get_json()
        assert (data["page"], data["pages"], data["per_page"]) == (number, pages, 3)
        assert (data["prev_url"] is None) == (number == 1)
        seen += _ids(data)
        url = data["next_url"]
    assert url is None
    assert seen == everything
    beyond = client.get(f"/api/reviews?per_page=3&page={pages + 1}").get_json()
    assert beyond["reviews"] == [] and beyond["total"] == len(everything)


def test_the_page_is_an_accessible_table(client, corpus_reviews):
    page = client.get("/reviews?per_page=200").get_data(as_text=True)
    assert re.search(
        r'<div class="table-scroll" role="region" aria-labelledby="reviews-caption"', page
    )
    assert '<caption id="reviews-caption">' in page
    assert page.count('<th scope="row">') == len(corpus_reviews)
    assert page.count('<th scope="col"') == 7
    assert '<a href="/reviews/bolton-2023">Bolton review</a>' in page
    # Hostile titles and CSPs are shown as text.
    assert "<script>alert('title')" not in page and "<b>Town</b>" not in page
    assert "&lt;script&gt;" in page
    assert '<a href="/reviews">Reviews</a>' in client.get("/search").get_data(as_text=True)


def _pagination(page: str) -> str:
    nav = page[page.index('<nav class="pagination') :]
    return nav[: nav.index("</nav>")]


def test_the_page_pages_with_numbered_links(client):
    nav = _pagination(client.get("/reviews?per_page=1&page=5").get_data(as_text=True))
    assert 'aria-label="Pages of reviews"' in nav
    assert 'href="/reviews?per_page=1&amp;page=4" rel="prev"' in nav
    assert 'href="/reviews?per_page=1&amp;page=6" rel="next"' in nav
    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)</a>', nav)
    assert numbers == ["1", "4", "5", "6", "10"]
    assert nav.count("…") == 2
    assert re.search(
        r'href="/reviews\?per_page=1"><span class="visually-hidden">Page </span>1<', nav
    )
    assert re.search(
        r'aria-current="page" class="current"><span class="visually-hidden">Page </span>5<', nav
    )
    first = _pagination(client.get("/reviews?per_page=5").get_data(as_text=True))
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert "pagination" not in client.get("/reviews").get_data(as_text=True)
    sorted_page = client.get("/reviews?sort=title&region=Wales").get_data(as_text=True)
    assert 'href="/reviews?region=Wales&amp;sort=oldest"' in sorted_page
    assert '<input type="hidden" name="sort" value="title">' in sorted_page


@pytest.mark.parametrize(
    "query,field",
    [
        ("year_from=abc", "year_from"),
        ("year_from=2020&year_to=2010", "year_to"),
        ("year_to=99999999999999999999", "year_to"),
        ("sort=sideways", "filters-heading"),
        ("year_field=birth", "year_field"),
        ("page=0", "filters-heading"),
        ("per_page=500", "filters-heading"),
    ],
)
def test_bad_arguments_are_400_with_the_message_in_the_page(client, document, query, field):
    response = client.get(f"/reviews?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and f'href="#{field}"' in page
    assert "<table" not in page
    api = client.get(f"/api/reviews?{query}")
    if field == "year_to" and "2010" in query:
        # The API reads a reversed range as one no review is in, as /api/search does.
        assert api.status_code == 200 and api.get_json()["total"] == 0
        return
    assert api.status_code == 400
    validate(document, "Error", api.get_json())


def test_a_bad_page_keeps_what_was_typed(client):
    page = client.get("/reviews?year_from=20x5&year_to=2020&region=Wales").get_data(as_text=True)
    assert (
        'id="year_from" name="year_from" inputmode="numeric" size="4" value="20x5" aria-invalid="true"'
        in page
    )
    assert 'value="2020"' in page
    assert re.search(r'name="region" value="Wales" checked', page)


@pytest.fixture()
def document(client):
    return client.get("/api/openapi.json").get_json()


@pytest.mark.parametrize(
    "query",
    ["", "sort=title&per_page=3&page=2", "region=Wales&year_field=published&year_from=2020"],
)
def test_json_matches_its_schema(client, document, query):
    response = client.get(f"/api/reviews?{query}")
    assert response.status_code == 200
    validate(document, "ReviewList", response.get_json())
    params = {p["name"] for p in document["paths"]["/api/reviews"]["get"]["parameters"]}
    assert {
        "region",
        "csp",
        "year_from",
        "year_to",
        "year_field",
        "sort",
        "page",
        "per_page",
    } == params


def test_one_review_routes_still_work(client):
    assert client.get("/api/reviews/bolton-2023").get_json()["id"] == "bolton-2023"
    assert client.get("/reviews/bolton-2023").status_code == 200
    assert client.get("/api/reviews/nope").status_code == 404
