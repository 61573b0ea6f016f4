"""The web page and JSON API, through the real Flask app over a real index."""

import re
import time

import pytest

PROBATION = "Greater Manchester Probation Trust"
BOLTON_CSP = "Bolton Community Safety Partnership"


def api(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_phrase_finds_recommendation_7_first_with_the_phrase_marked(client):
    data = api(client, q='"forensic curiosity"')
    first = data["hits"][0]
    assert (first["type"], first["review_id"], first["number"]) == (
        "recommendation",
        "bolton-2023",
        "7",
    )
    assert "“<mark>forensic curiosity</mark>”" in first["highlight"]
    assert data["total"] == 1


def test_curly_quotes_from_phones_make_a_phrase(client):
    data = api(client, q="“forensic curiosity”")
    assert [h["number"] for h in data["hits"]] == ["7"]


def test_hit_carries_what_the_page_shows(client):
    hit = api(client, q='"forensic curiosity"')["hits"][0]
    assert hit["csp"] == "Bolton"
    assert hit["published"] == "April 2023"
    assert hit["year_of_death"] == 2012
    assert hit["addressees"] == [BOLTON_CSP]
    assert hit["review_url"] == "/reviews/bolton-2023#rec-7"
    assert "forensic curiosity" in hit["text"] and "<mark>" not in hit["text"]


def test_addressee_filter_narrows_to_recommendation_6(client):
    data = api(client, addressee=PROBATION)
    assert [(h["review_id"], h["number"]) for h in data["hits"]] == [("bolton-2023", "6")]
    assert data["total"] == 1


def test_facet_counts_on_the_empty_query(client):
    counts = {f["value"]: f["count"] for f in api(client)["facets"]["addressee"]}
    assert counts[BOLTON_CSP] == 8
    assert counts[PROBATION] == 1


def test_facet_values_say_whether_they_are_selected_and_how_to_toggle(client):
    facets = api(client, csp="Bolton")["facets"]
    assert {f["value"]: f["count"] for f in facets["addressee"]} == {BOLTON_CSP: 8, PROBATION: 1}
    bolton = next(f for f in facets["csp"] if f["value"] == "Bolton")
    # Every kind of text counts: Bolton's summary and its nine recommendations.
    assert bolton == {"value": "Bolton", "count": 10, "selected": True, "toggle_url": "/api/search"}
    other = next(f for f in facets["csp"] if f["value"] != "Bolton")
    assert other["selected"] is False
    assert other["toggle_url"].startswith("/api/search?csp=Bolton&csp=")


def test_facets_list_the_most_frequent_values_and_say_how_many_there_are(client):
    everything = api(client, facet_size="max")
    assert everything["facet_size"] is None and everything["facet_all_url"] is None
    addressees = everything["facets"]["addressee"]
    assert len(addressees) == everything["facet_distinct"]["addressee"] > 2
    two = api(client, facet_size=2)
    assert two["facet_size"] == 2
    # The two most frequent, in the same order, with the same counts; the rest is counted.
    pairs = [(f["value"], f["count"]) for f in two["facets"]["addressee"]]
    assert pairs == [(f["value"], f["count"]) for f in addressees[:2]]
    assert two["facet_distinct"] == everything["facet_distinct"]
    assert two["facet_all_url"] == "/api/search?facet_size=max"
    assert api(client)["facet_size"] == 30


def test_a_chosen_value_outside_the_most_frequent_stays_listed_and_selected(client):
    everything = api(client, facet_size="max")["facets"]["addressee"]
    rare = everything[-1]["value"]
    data = api(client, facet_size=2, addressee=rare)
    listed = {f["value"]: f for f in data["facets"]["addressee"]}
    assert len(listed) == 3
    assert listed[rare]["selected"] is True
    assert listed[rare]["count"] == everything[-1]["count"]
    assert "facet_size=2" in listed[rare]["toggle_url"]


def test_page_with_a_chosen_rare_agency_keeps_it_ticked_and_offers_all_values(client):
    everything = api(client, facet_size="max")["facets"]["addressee"]
    rare = everything[-1]["value"]
    html = client.get("/search", query_string={"addressee": rare, "facet_size": 1}).get_data(
        as_text=True
    )
    ticked = re.findall(r'name="addressee" value="([^"]*)" checked', html)
    assert [t.replace("&amp;", "&").replace("&#39;", "'") for t in ticked] == [rare]
    assert 'href="/search?addressee=' in html and "facet_size=max#facet-addressee" in html
    assert f"Show all {len(everything)}" in html


@pytest.mark.parametrize("bad", ["0", "-3", "ten", "1.5", "²"])
def test_bad_facet_size_is_a_clear_400(client, bad):
    response = client.get("/api/search", query_string={"facet_size": bad})
    assert response.status_code == 400
    assert "facet_size" in response.get_json()["error"]["message"]


def test_facets_count_every_kind_of_text_the_results_hold(client):
    data = api(client)
    # Every text has one CSP: the CSP counts add up to the results, summaries included.
    assert sum(f["count"] for f in data["facets"]["csp"]) == data["total"]
    # Only recommendations have addressees: an agency's count is of recommendations.
    addressed = api(client, type="recommendation")["total"]
    assert data["total"] > addressed
    assert max(f["count"] for f in data["facets"]["addressee"]) <= addressed


def test_choosing_a_facet_value_can_be_undone(client):
    page = client.get("/search", query_string={"q": "training", "addressee": PROBATION}).get_data(
        as_text=True
    )
    assert "Remove filter Addressed to: Greater Manchester Probation Trust" in page
    chip = re.search(r'<a class="chip" href="([^"]+)"', page).group(1)
    assert chip == "/search?q=training"


def test_two_values_of_one_facet_mean_either(client):
    data = api(client, csp="Bolton", addressee=[PROBATION, BOLTON_CSP])
    assert data["total"] == 9  # an agency filter keeps recommendations only


def test_api_shape(client):
    data = api(client, q="risk", per_page=2, page=2)
    assert list(data)[:8] == [
        "query",
        "total",
        "page",
        "per_page",
        "pages",
        "hits",
        "facets",
        "suggestion",
    ]
    assert data["page"] == 2 and data["per_page"] == 2 and len(data["hits"]) == 2
    assert set(data["facets"]) >= {"addressee", "csp"}
    for hit in data["hits"]:
        assert {
            "type",
            "review_id",
            "text",
            "highlight",
            "addressees",
            "csp",
            "published",
            "year_of_death",
            "pdf_url",
            "review_url",
        } <= set(hit)


def test_pages_do_not_overlap(client):
    one = api(client, q="agencies", per_page=3, page=1)["hits"]
    two = api(client, q="agencies", per_page=3, page=2)["hits"]
    key = lambda h: (h["review_id"], h["type"], h.get("number"))  # noqa: E731
    assert not {key(h) for h in one} & {key(h) for h in two}


def test_per_page_is_capped_at_100(client):
    assert api(client, per_page=100000)["per_page"] == 100


@pytest.mark.parametrize("bad", ["abc", "1.5"])
def test_non_numeric_page_is_a_clear_400(client, bad):
    response = client.get("/api/search", query_string={"page": bad})
    assert response.status_code == 400
    assert "'page' must be a whole number" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "q",
    [
        '"forensic curiosity',
        "(risk AND",
        "AND OR",
        "risk)",
        "foo:bar",
        "csp:",
        '"',
        "*",
        "~",
        "[a TO",
        "^2",
        "NOT",
        "a" * 999,
    ],
)
def test_malformed_queries_never_fail(client, q):
    for path in ("/search", "/api/search"):
        response = client.get(path, query_string={"q": q})
        assert response.status_code == 200, (q, response.status_code)


def test_unbalanced_quote_is_read_sensibly_and_said(client):
    data = api(client, q='"forensic curiosity')
    assert data["hits"][0]["number"] == "7"
    assert data["notes"] == ["An unmatched quote mark was ignored."]


def test_over_long_query_gets_a_clear_message(client):
    response = client.get("/api/search", query_string={"q": "x" * 1001})
    assert response.status_code == 400
    assert "too long" in response.get_json()["error"]["message"]
    page = client.get("/search", query_string={"q": "x" * 1001})
    html = page.get_data(as_text=True)
    # The error summary names the field, links to it, and the box keeps what was typed.
    assert page.status_code == 400 and "There is a problem" in html
    assert '<a href="#q">Search must be 1,000 characters or fewer (it has 1,001)</a>' in html
    assert f'value="{"x" * 1001}"' in html and 'maxlength="1000"' in html


def test_field_prefix_searches_that_field(client):
    data = api(client, q='addressee:"probation trust"')
    assert {(h["review_id"], h["number"]) for h in data["hits"]} == {("bolton-2023", "6")}


def test_hostile_document_text_is_escaped(client):
    page = client.get("/search", query_string={"q": "scripting"}).get_data(as_text=True)
    assert "<script>alert" not in page
    # "script" stems like "scripting", so it is marked, inside escaped text.
    assert "That agencies stop &lt;<mark>script</mark>&gt;alert(" in page
    assert "<img src=x" not in page
    hit = api(client, q="scripting")["hits"][0]
    assert "<script>" not in hit["highlight"] and "&lt;<mark>script</mark>&gt;" in hit["highlight"]
    assert re.sub(r"</?mark>", "", hit["highlight"]).count("<") == 0


def test_hostile_query_echo_is_escaped(client):
    q = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'
    page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_hostile_review_page_is_escaped(client):
    page = client.get("/reviews/hostile-2024").get_data(as_text=True)
    assert "<script>alert" not in page and "<b>Town</b>" not in page
    assert "Hostile &lt;b&gt;Town&lt;/b&gt;" in page


def test_search_page_shows_form_hits_and_facets(client):
    page = client.get("/search", query_string={"q": '"forensic curiosity"'}).get_data(as_text=True)
    assert '<form class="search-form" action="/search" method="get"' in page
    assert '<label for="q">' in page
    assert "<mark>forensic curiosity</mark>" in page
    # The link carries the search to come back to.
    assert (
        'href="/reviews/bolton-2023?back=%2Fsearch%3Fq%3D%2522forensic%2Bcuriosity%2522#rec-7"'
        in page
    )
    assert (
        "<legend>Addressed to</legend>" in page
        and "<legend>Community Safety Partnership</legend>" in page
    )
    assert "1 result for" in page


def test_demo_banner_shows_when_synthetic_reviews_are_indexed(client):
    assert "Demo corpus." in client.get("/search").get_data(as_text=True)


def test_review_page_shows_summary_and_every_recommendation(client):
    response = client.get("/reviews/bolton-2023")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Bolton review</h1>" in page
    assert "The report identifies systemic failures" in page
    assert len(re.findall(r'<li id="rec-\d+"', page)) == 9
    assert "Greater Manchester Probation Trust" in page


def test_unknown_review_is_404_in_html_and_json(client):
    assert client.get("/reviews/nope").status_code == 404
    response = client.get("/api/reviews/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


def test_review_api(client):
    review = client.get("/api/reviews/bolton-2023").get_json()
    assert review["csp"] == "Bolton" and len(review["recommendations"]) == 9
    assert review["recommendations"][5]["addressees"] == [PROBATION]


def test_healthz_answers_with_counts(client):
    response = client.get("/healthz")
    data = response.get_json()
    assert response.status_code == 200
    assert data["status"] == "ok"
    assert data["reviews"] == 10  # seed, hostile page, eight synthetic
    assert data["recommendations"] > 9
    assert data["version"].startswith("v-")


def test_healthz_says_when_the_caches_are_warm(client):
    deadline = time.monotonic() + 30
    while not client.get("/healthz").get_json()["warm"]:
        assert time.monotonic() < deadline, "the warm-up never finished"
        time.sleep(0.05)


def test_unknown_hit_type_is_a_clear_400(client):
    response = client.get("/api/search", query_string={"type": "secret"})
    assert response.status_code == 400
    assert "Unknown type" in response.get_json()["error"]["message"]


def test_empty_query_lists_everything_that_matches_the_filters(client):
    data = api(client, csp="Bolton", type="recommendation", per_page=50)
    assert sorted(int(h["number"]) for h in data["hits"]) == list(range(1, 10))


def test_no_index_yet_is_a_clear_503(tmp_path):
    from search_service import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/api/search", query_string={"q": "x"})
    assert response.status_code == 503
    assert "build one" in response.get_json()["error"]["message"]
    assert str(tmp_path) not in response.get_data(as_text=True)


def test_sort_newest_and_oldest_order_by_publication(client):
    def published(sort):
        hits = api(client, type="summary", sort=sort, per_page=100)["hits"]
        return [(h["published"].split()[-1], h["review_id"]) for h in hits]

    newest = [int(y) for y, _ in published("newest")]
    oldest = [int(y) for y, _ in published("oldest")]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    assert len(set(newest)) > 1


def test_year_range_filters_by_year_of_death_or_publication(client):
    data = api(client, year_from=2012, year_to=2012, type="recommendation", per_page=100)
    assert {h["year_of_death"] for h in data["hits"]} == {2012}
    published = api(client, year_field="published", year_from=2023, year_to=2023, per_page=100)
    assert published["total"] > 0
    assert all(h["published"].endswith("2023") for h in published["hits"])


def test_bad_sort_is_a_clear_400(client):
    response = client.get("/api/search", query_string={"sort": "sideways"})
    assert response.status_code == 400
    assert (
        "'sort' must be one of relevance, newest, oldest" in response.get_json()["error"]["message"]
    )


def test_page_lists_sector_and_region_facets_and_year_fields(client):
    page = client.get("/search").get_data(as_text=True)
    for legend in ("Addressed to", "Sector", "Community Safety Partnership", "Region", "Years"):
        assert f"<legend>{legend}</legend>" in page
    page = client.get(
        "/search", query_string={"year_from": 2012, "year_field": "published"}
    ).get_data(as_text=True)
    # GOV.UK's date input: four characters wide, numeric keypad, the year as typed.
    assert (
        'class="year-input" id="year_from" name="year_from" inputmode="numeric" maxlength="4" '
        'size="4" autocomplete="off" spellcheck="false" value="2012"'
    ) in page
    assert '<option value="published" selected>' in page
    # An active year range is a tag that says which filter it is, and can be removed.
    assert 'aria-label="Remove filter Year published from: 2012"' in page
    assert "Filter (1 active)" in page


def test_filters_apply_to_the_ranked_hits_not_only_the_count(client):
    data = api(client, q="training", addressee=BOLTON_CSP)
    assert data["total"] == len(data["hits"]) == 1
    assert all(BOLTON_CSP in h["addressees"] for h in data["hits"])


def test_stacked_operators_are_dropped_and_said(client):
    data = api(client, q='NOT AND "forensic curiosity"')
    assert [h["number"] for h in data["hits"]] == ["7"]
    assert "Operators with nothing to join were ignored." in data["notes"]


def _drawn_request(data):
    from hypothesis import strategies as st

    from search_service.search.facets import FACETS
    from search_service.search.request import FACET_SIZE, GROUPS, SORTS, YEAR_FIELDS, SearchRequest

    text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
    return SearchRequest(
        q=data.draw(text),
        filters=data.draw(
            st.dictionaries(st.sampled_from(list(FACETS)), st.lists(text, min_size=1, max_size=3))
        ),
        year_from=data.draw(st.none() | st.integers(1990, 2030)),
        year_to=data.draw(st.none() | st.integers(1990, 2030)),
        year_field=data.draw(st.sampled_from(YEAR_FIELDS)),
        sort=data.draw(st.sampled_from(SORTS)),
        group=data.draw(st.sampled_from(GROUPS)),
        page=data.draw(st.integers(1, 3)),
        facet_size=data.draw(st.sampled_from([FACET_SIZE, None, 3])),
    )


def test_toggle_urls_are_the_request_with_one_value_toggled():
    """Facet toggle URLs are built from parts encoded once per request: each must be the URL
    of the request with that one value added or removed."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from search_service.search.facets import FACETS
    from search_service.web.urls import request_params, toggle_urls, url_with

    @settings(max_examples=300, deadline=None)
    @given(data=st.data())
    def check(data):
        req = _drawn_request(data)
        toggle_url = toggle_urls("/api/search", req)
        for name in FACETS:
            chosen = req.chosen(name)
            for value in [*chosen, data.draw(st.text(max_size=8))]:
                selected = value in chosen
                toggled = [v for v in chosen if v != value] if selected else [*chosen, value]
                expected = url_with("/api/search", request_params(req, **{name: toggled}))
                assert toggle_url(name, value, selected) == expected

    check()
