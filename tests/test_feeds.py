"""/search.atom: a real Atom feed (read with feedparser) of any search, newest reviews first."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest
from conftest import make_corpus

from search_service import create_app
from search_service.corpus.folder import read_corpus
from search_service.index.writer import build_index
from search_service.search.library import feed_reviews
from search_service.search.request import SearchRequest

BASE = "https://dhr.example.org"
HOSTILE = "<script>alert(1)</script> & ]]>"

EVIL_FEED_PAGE = f"""Source · Domestic Homicide Review
Feed ]]> review <script>alert(0)</script>
CSP: Feedtown & <i>Co</i>
Published: March 2025
Year of death: 2021
Summary
A summary about safeguarding training.
Extracted recommendations
| # | Recommendation | Addressed to |
|---|---|---|
| 1 | That staff receive safeguarding training: {HOSTILE} | Feed Agency |
| 2 | That the partnership audits its training records. | Feed Partnership |
"""

UNDATED_PAGE = """Source · Domestic Homicide Review
Undated review
CSP: Nowhere
Year of death: 2019
Summary
No publication date is known for this review.
Extracted recommendations
| # | Recommendation | Addressed to |
|---|---|---|
| 1 | That training on coercive control is given to all staff. | Nowhere Council |
"""


def _corpus(folder):
    make_corpus(folder, synthetic=6)
    (folder / "feed-evil-2025.txt").write_text(EVIL_FEED_PAGE, encoding="utf-8")
    (folder / "undated.txt").write_text(UNDATED_PAGE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _corpus(tmp_path_factory.mktemp("feed-corpus"))


def _app(corpus, index):
    build_index(index, read_corpus(corpus).reviews)
    return create_app({"INDEX_DIR": str(index), "TESTING": True, "BASE_URL": BASE})


@pytest.fixture(scope="module")
def feed_app(corpus, tmp_path_factory):
    return _app(corpus, tmp_path_factory.mktemp("feed-index"))


@pytest.fixture()
def client(feed_app):
    return feed_app.test_client()


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return response, parsed


def _text(value: str) -> str:
    """An entry's HTML content as the text a reader shows."""
    return html.unescape(re.sub(r"<[^>]+>", " ", value))


def test_one_entry_per_matching_review_newest_first(client):
    _, parsed = _feed(client, "/search.atom?q=training")
    grouped = client.get("/api/search?q=training&group=review&per_page=100").get_json()
    ids = [e.id.rsplit("/", 1)[1] for e in parsed.entries]
    assert sorted(ids) == sorted(g["review_id"] for g in grouped["groups"])
    assert len(ids) == len(set(ids))
    # Newest published first, ties by review id, the undated review last.
    keys = [(e.updated, e.id) for e in parsed.entries[:-1]]
    assert [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)
    for (day_a, id_a), (day_b, id_b) in zip(keys, keys[1:], strict=False):
        assert day_a > day_b or id_a < id_b
    assert ids[-1] == "undated"
    assert parsed.feed.updated == parsed.entries[0].updated


def test_entries_list_the_matching_recommendations(client):
    _, parsed = _feed(client, "/search.atom?q=training")
    recs = client.get("/api/search?q=training&type=recommendation&per_page=100").get_json()
    by_review: dict[str, set[str]] = {}
    for hit in recs["hits"]:
        by_review.setdefault(hit["review_id"], set()).add(hit["number"])
    for entry in parsed.entries:
        review_id = entry.id.rsplit("/", 1)[1]
        listed = set(re.findall(r"Recommendation (\S+?)\s*:", _text(entry.content[0].value)))
        assert listed == by_review.get(review_id, set()), review_id
    evil = next(e for e in parsed.entries if e.id.endswith("/feed-evil-2025"))
    assert evil.title == "Feed ]]> review <script>alert(0)</script>"
    assert evil.updated == "2025-03-01T00:00:00Z"
    assert evil.link == f"{BASE}/reviews/feed-evil-2025"
    assert f"{BASE}/reviews/feed-evil-2025#rec-1" in evil.content[0].value


def test_hostile_document_text_is_escaped(client):
    response, parsed = _feed(client, "/search.atom?q=training")
    body = response.get_data(as_text=True)
    ET.fromstring(response.get_data())  # well-formed XML
    assert "<script" not in body and "]]>" not in body and "<i>" not in body
    evil = next(e for e in parsed.entries if e.id.endswith("/feed-evil-2025"))
    content = evil.content[0]
    assert content.type == "text/html"
    # The HTML a reader gets shows the text, and runs none of it.
    assert "<script" not in content.value and "<i>" not in content.value
    assert HOSTILE in _text(content.value)
    assert "Feedtown & <i>Co</i>" in _text(content.value)


def test_ids_are_stable_across_requests_and_rebuilds(client, corpus, tmp_path):
    first = client.get("/search.atom?q=training").get_data()
    assert client.get("/search.atom?q=training").get_data() == first
    again = _app(corpus, tmp_path / "rebuilt").test_client().get("/search.atom?q=training")
    assert again.get_data() == first  # nothing in the feed depends on when it was built
    ids = [e.id for e in feedparser.parse(first).entries]
    assert all(i.startswith("tag:dhr-search,2026:review/") for i in ids)


def test_undated_review_has_a_fixed_old_date_and_says_so(client):
    _, parsed = _feed(client, "/search.atom?q=coercive")
    undated = parsed.entries[-1]
    assert undated.id == "tag:dhr-search,2026:review/undated"
    assert undated.updated == "1970-01-01T00:00:00Z"
    assert "Publication date unknown" in _text(undated.content[0].value)


def test_links_come_from_base_url_never_the_host_header(client):
    response, parsed = _feed(client, "/search.atom?q=training&region=Wales&year_from=2000")
    hosted = client.get("/search.atom?q=training", headers={"Host": "evil.example"})
    assert b"evil.example" not in hosted.get_data()
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == f"{BASE}/search.atom?q=training&region=Wales&year_from=2000"
    assert links["alternate"] == (
        f"{BASE}/search?q=training&region=Wales&year_from=2000&sort=newest&group=review"
    )
    assert parsed.feed.title == "DHR Search: “training” (Region: Wales; year of death from 2000)"
    assert all(e.link.startswith(f"{BASE}/reviews/") for e in parsed.entries)


def test_order_paging_and_grouping_do_not_change_the_feed(client):
    plain = client.get("/search.atom?q=training").get_data()
    assert client.get("/search.atom?q=training&sort=oldest&page=3&group=review").get_data() == plain


def test_an_empty_search_has_a_valid_feed(client):
    _, parsed = _feed(client, "/search.atom?q=zzznothingmatcheszzz")
    assert parsed.entries == []
    assert parsed.feed.updated == "1970-01-01T00:00:00Z"
    _, everything = _feed(client, "/search.atom")
    assert everything.feed.title == "DHR Search: every review"


@pytest.mark.parametrize(
    "query", ["q=" + "x" * 1001, "page=x", "type=nope", "year_field=x", "facet_size=0"]
)
def test_bad_arguments_are_a_plain_400(client, query):
    response = client.get(f"/search.atom?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert b"<feed" not in response.get_data()


def test_an_unchanged_feed_answers_304(client):
    first = client.get("/search.atom?q=training")
    again = client.get("/search.atom?q=training", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_entries_are_limited(feed_app):
    with feed_app.app_context():
        result = feed_reviews(feed_app.extensions["dhr_index"], SearchRequest(), limit=3)
    assert len(result.reviews) == 3 and result.total_reviews > 3


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.head: list[dict] = []
        self.body: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate":
            self.head.append(attrs)
        elif tag == "a":
            self._open, self._text = attrs, ""

    def handle_data(self, data):
        if self._open is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.body.append((self._open, self._text.strip()))
            self._open = None


def test_results_page_advertises_its_feed(client):
    page = client.get("/search?q=training&region=Wales&sort=oldest&page=1")
    links = _Links()
    links.feed(page.get_data(as_text=True))
    (alternate,) = [a for a in links.head if a.get("type") == "application/atom+xml"]
    assert alternate["href"] == "/search.atom?q=training&region=Wales"
    assert "training" in alternate["title"] and "Wales" in alternate["title"]
    visible = [a for a, text in links.body if text == "Follow this search (Atom feed)"]
    assert [a["href"] for a in visible] == [alternate["href"]]
    assert client.get(alternate["href"]).status_code == 200
