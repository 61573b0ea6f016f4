"""Matching reviews per year: counts from the facet arrays, and the SVG chart."""

import xml.etree.ElementTree as ET

from search_service.search.facets import facet_table
from search_service.search.request import SearchRequest
from search_service.search.service import open_index, reviews_per_year
from search_service.search.trends import count_reviews_per_year
from search_service.web.charts import render_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_counts_distinct_reviews_per_year_of_death(index_dir, client):
    handle = open_index(index_dir)
    data = reviews_per_year(handle, SearchRequest(q="training"))
    # The same numbers, the long way: every matching text's review and its year of death.
    hits = client.get("/api/search?q=training&per_page=100").get_json()["hits"]
    expected: dict[int, set] = {}
    for h in hits:
        expected.setdefault(h["year_of_death"], set()).add(h["review_id"])
    counted = {y["year"]: y["reviews"] for y in data["years"] if y["reviews"]}
    assert counted == {y: len(r) for y, r in expected.items()}
    assert data["total_reviews"] == len({h["review_id"] for h in hits})


def test_years_without_reviews_are_zero_not_missing(index_dir):
    data = reviews_per_year(open_index(index_dir), SearchRequest())
    years = [y["year"] for y in data["years"]]
    assert years == list(range(years[0], years[-1] + 1))


def test_published_year_is_counted_when_asked(index_dir):
    data = reviews_per_year(
        open_index(index_dir), SearchRequest(q='"forensic curiosity"', year_field="published")
    )
    assert [(y["year"], y["reviews"]) for y in data["years"] if y["reviews"]] == [(2023, 1)]
    assert data["year_field"] == "published"


def test_a_review_counts_once_however_many_texts_match(index_dir):
    handle = open_index(index_dir)
    searcher = handle.searcher()
    table = facet_table(handle.state, searcher)
    bolton = list(searcher.document_numbers(review_id="bolton-2023"))
    assert len(bolton) > 1
    data = count_reviews_per_year(table, bolton, "death")
    assert [(y["year"], y["reviews"]) for y in data["years"]] == [(2012, 1)]
    assert data["total_reviews"] == 1 and data["unknown"] == 0


def test_svg_escapes_every_text_and_is_well_formed():
    hostile = '<script>alert(1)</script> & "quotes"'
    svg = render_svg([{"year": 2020, "reviews": 3}, {"year": 2021, "reviews": 0}], hostile, "death")
    assert "<script>" not in svg
    root = ET.fromstring(svg)  # well-formed XML, so nothing broke out of an attribute or element
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "trend-title trend-desc"
    assert root.find(f"{SVG}title").text == hostile
    desc = root.find(f"{SVG}desc").text
    assert "2020 to 2021" in desc and "3 reviews" in desc
    bars = root.findall(f"{SVG}rect")
    assert [b.find(f"{SVG}title").text for b in bars] == ["2020: 3 reviews", "2021: 0 reviews"]


def test_svg_of_no_years_says_so():
    root = ET.fromstring(render_svg([], "nothing", "published"))
    assert root.find(f"{SVG}desc").text == "No matching reviews have a known year published."


def test_trends_page_has_chart_text_alternative_and_table(client):
    page = client.get("/trends?q=training").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert "The numbers in the chart, and every review in the library each year</caption>" in page
    assert '<th scope="row">2012</th><td class="num">1</td>' in page
    assert 'href="/trends?q=training&amp;year_field=published"' in page


def test_trends_page_escapes_the_query(client):
    page = client.get("/trends", query_string={"q": "<script>x</script>"}).get_data(as_text=True)
    assert "<script>x" not in page


def test_trend_svg_download_and_api(client):
    svg = client.get("/trends.svg?q=training")
    assert svg.mimetype == "image/svg+xml"
    ET.fromstring(svg.get_data(as_text=True))
    data = client.get("/api/trends?q=training&year_field=published").get_json()
    assert data["year_field"] == "published" and data["total_reviews"] > 0
