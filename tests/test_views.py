"""Grouped results, similar recommendations, sort and view links, and the help page."""

import re

from search_service.search.request import SearchRequest
from search_service.search.reviews import similar_recommendations
from search_service.search.service import group_by_review, open_index, run_search


def test_group_by_review_lists_each_review_once_with_its_best_matches(index_dir):
    handle = open_index(index_dir)
    flat = run_search(handle, SearchRequest(q="training", per_page=100))
    grouped = group_by_review(handle, SearchRequest(q="training", per_page=100), per_review=2)
    ids = [g["review_id"] for g in grouped["groups"]]
    assert len(ids) == len(set(ids)) == grouped["total"]
    assert set(ids) == {h["review_id"] for h in flat["hits"]}
    assert grouped["total_hits"] == flat["total"]
    # Reviews come in the order of their best hit, and each keeps at most per_review hits.
    first_seen = list(dict.fromkeys(h["review_id"] for h in flat["hits"]))
    assert ids == first_seen
    for g in grouped["groups"]:
        assert 1 <= len(g["hits"]) <= 2 and g["matches"] >= len(g["hits"])
        assert {h["review_id"] for h in g["hits"]} == {g["review_id"]}
    assert grouped["facets"] == flat["facets"]


def test_group_by_review_puts_recommendations_before_summaries(index_dir):
    grouped = group_by_review(open_index(index_dir), SearchRequest(q="bolton"), per_review=3)
    bolton = next(g for g in grouped["groups"] if g["review_id"] == "bolton-2023")
    kinds = [h["type"] for h in bolton["hits"]]
    assert kinds == sorted(kinds, key=lambda k: k != "recommendation")
    assert kinds[0] == "recommendation"


def test_grouped_results_page_and_api(client):
    page = client.get("/search?q=training&group=review").get_data(as_text=True)
    assert re.search(r"\d+ reviews \(\d+ matching texts\)", page)
    assert 'aria-current="true" class="current">Grouped by review' in page
    assert '<input type="hidden" name="group" value="review">' in page
    data = client.get("/api/search?q=training&group=review&per_page=2").get_json()
    assert data["group"] == "review" and len(data["groups"]) == 2 and data["pages"] > 1
    assert "hits" not in data


def test_grouped_pages_do_not_overlap(client):
    one = client.get("/api/search?group=review&per_page=3&page=1").get_json()["groups"]
    two = client.get("/api/search?group=review&per_page=3&page=2").get_json()["groups"]
    assert not {g["review_id"] for g in one} & {g["review_id"] for g in two}


def test_bad_group_is_a_clear_400(client):
    response = client.get("/api/search?group=agency")
    assert response.status_code == 400
    assert "'group' must be one of none, review" in response.get_json()["error"]["message"]


def test_every_state_is_a_url_sort_and_view_links_keep_the_search(client):
    page = client.get("/search?q=training&csp=Bolton&sort=newest&page=1").get_data(as_text=True)
    assert 'href="/search?q=training&amp;csp=Bolton&amp;sort=oldest">Oldest' in page
    assert 'href="/search?q=training&amp;csp=Bolton&amp;sort=newest&amp;group=review"' in page
    assert 'aria-current="true" class="current">Newest' in page
    # The search and filter forms carry the sort along.
    assert page.count('<input type="hidden" name="sort" value="newest">') == 2


def test_similar_recommendations_come_from_other_reviews(index_dir):
    handle = open_index(index_dir)
    for number in (None, "7"):
        hits = similar_recommendations(handle, "bolton-2023", number, limit=5)
        assert hits, number
        assert all(h["review_id"] != "bolton-2023" for h in hits)
        assert all(h["type"] == "recommendation" for h in hits)
        assert all("<mark>" in h["highlight"] for h in hits)  # the shared words are marked


def test_similar_recommendations_of_an_unknown_review_are_none(index_dir):
    handle = open_index(index_dir)
    assert similar_recommendations(handle, "nope") == []
    assert similar_recommendations(handle, "bolton-2023", "99") == []


def test_review_page_shows_sectors_pdf_permalinks_and_similar(client):
    page = client.get("/reviews/bolton-2023").get_data(as_text=True)
    assert '<h2 id="similar" tabindex="-1">Similar recommendations in other reviews</h2>' in page
    similar = page.split('id="similar"')[1]
    assert "/reviews/bolton-2023#" not in similar
    assert (
        'href="#rec-7">Permalink<span class="visually-hidden"> to recommendation 7</span></a>'
        in page
    )
    assert 'href="/reviews/bolton-2023?similar=7#similar-7"' in page
    one = client.get("/reviews/bolton-2023?similar=7").get_data(as_text=True)
    # Beside recommendation 7 itself, not at the foot of the page.
    rec7 = one.split('<li id="rec-7"')[1].split('<li id="rec-8"')[0]
    assert '<h3 id="similar-7" tabindex="-1">Like recommendation 7, in other reviews</h3>' in rec7
    assert "most distinctive words" in rec7 and 'class="hits similar-list"' in rec7
    assert '<h2 id="similar"' not in one
    # An unknown number falls back to the whole review rather than failing.
    assert client.get("/reviews/bolton-2023?similar=<x>").status_code == 200


def test_similar_api(client):
    data = client.get("/api/reviews/bolton-2023/similar?number=7&limit=3").get_json()
    assert data["number"] == "7" and 1 <= len(data["hits"]) <= 3
    assert all(h["review_id"] != "bolton-2023" for h in data["hits"])


def test_help_page_explains_the_query_language_with_live_examples(client):
    response = client.get("/help")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>How to search</h1>" in page
    links = re.findall(r'<a href="(/search\?q=[^"]+)"><code>', page)
    assert "/search?q=%22forensic+curiosity%22" in links
    assert len(links) >= 8
    for link in links:  # every example is a search that works
        assert client.get(link.replace("&amp;", "&")).status_code == 200
    assert client.get("/api/search?q=%22forensic+curiosity%22").get_json()["total"] == 1
    assert 'href="/help"' in client.get("/search").get_data(as_text=True)


def test_help_says_how_to_ask_for_the_literal_form(client):
    page = client.get("/help").get_data(as_text=True)
    assert 'href="/search?q=%3DMARAC"' in page
    assert "Only the form you typed" in page


def test_similar_recommendations_are_not_alike_by_pseudonyms_alone(tmp_path):
    from search_service.corpus.demo import render_page
    from search_service.corpus.folder import read_corpus
    from search_service.index.writer import build_index
    from search_service.search.reviews import similar_recommendations
    from search_service.search.service import open_index

    texts = {
        "x-2020": "That Adult A and Adult B are safeguarded by the housing team in every tenancy review.",
        "y-2021": "That Adult C and Adult D are seen by a doctor when Adult E asks for help.",
        "z-2022": "That the housing team safeguards tenants at every tenancy review.",
    }
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for rid, text in texts.items():
        page = render_page(
            f"{rid} review", "Bolton", "May 2022", 2020, "A summary.", [(text, "Bolton Council")]
        )
        (corpus / f"{rid}.txt").write_text(page, encoding="utf-8")
    build_index(tmp_path / "ix", read_corpus(corpus).reviews)
    found = similar_recommendations(open_index(tmp_path / "ix"), "x-2020", "1")
    assert [h["review_id"] for h in found] == ["z-2022"]


def test_similar_for_a_whole_review_ignores_its_csp_and_boilerplate(index_dir):
    from search_service.search.reviews import BOILERPLATE_WORDS

    handle = open_index(index_dir)
    hits = similar_recommendations(handle, "bolton-2023", limit=5)
    marked = {m.lower() for h in hits for m in re.findall(r"<mark>([^<]+)</mark>", h["highlight"])}
    assert hits and not marked & {"bolton", "should", "partnership", "community", "safety"}
    assert "partnership" in BOILERPLATE_WORDS


def test_recommendation_hits_link_to_their_similar_ones(client):
    hit = client.get("/api/search", query_string={"q": '"forensic curiosity"'}).get_json()["hits"][
        0
    ]
    assert hit["similar_url"] == "/reviews/bolton-2023?similar=7#similar-7"
    page = client.get("/search", query_string={"q": '"forensic curiosity"'}).get_data(as_text=True)
    assert 'Similar recommendations<span class="visually-hidden"> to recommendation 7' in page
