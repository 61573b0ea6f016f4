"""/search.atom: an Atom feed (RFC 4287) of any search, so people can follow it without an account.

Entries are the reviews the search matches, newest published first, each listing its matching
recommendations. Ids are tag: URIs of the review id alone, so they never change between
requests, rebuilds or moves to another address; links are absolute from BASE_URL (never the
Host header). docs/search.md, "Feeds and the list of reviews", says why each choice was made.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, g, request
from markupsafe import escape
from werkzeug.exceptions import BadRequest

from search_service.search.facets import FACETS
from search_service.search.library import FEED_ENTRIES, feed_reviews
from search_service.search.request import FACET_SIZE, GROUPS, SORTS, QueryError, SearchRequest
from search_service.web.arguments import search_request
from search_service.web.charts import YEAR_FIELD_LABELS
from search_service.web.context import handle, limits
from search_service.web.urls import request_params, url_with

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# Ids: a tag: URI (RFC 4151) under a fixed name, not the serving address, so a move to
# another host, port or BASE_URL never makes readers see every entry again as new.
TAG = "tag:dhr-search,2026:"
# A review with no publication date: this fixed old date, and listed after every dated one.
NO_DATE = "1970-01-01T00:00:00Z"
# Characters XML 1.0 cannot carry (control characters, lone surrogates), which PDFs can hold.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: object) -> str:
    return _NOT_XML.sub("", str(text))


def canonical(req: SearchRequest) -> SearchRequest:
    """The search a feed follows: its query and filters; order, grouping and page do not count."""
    return dataclasses.replace(req, sort=SORTS[0], group=GROUPS[0], page=1, facet_size=FACET_SIZE)


def feed_url(req: SearchRequest) -> str:
    """The feed's path and query string (one URL per search, whatever its order or page)."""
    return url_with("/search.atom", request_params(canonical(req)))


def html_url(req: SearchRequest) -> str:
    """The HTML search in the feed's order: one entry per review, newest first."""
    shown = dataclasses.replace(canonical(req), sort="newest", group="review")
    return url_with("/search", request_params(shown))


def feed_title(req: SearchRequest) -> str:
    """'DHR Search: “training” (Region: North West; year of death 2015 to 2020)'."""
    about = f"“{req.q}”" if req.q.strip() else "every review"
    parts = [
        f"{facet.label}: {', '.join(facet.value_label(v) for v in req.chosen(name))}"
        for name, facet in FACETS.items()
        if req.chosen(name)
    ]
    if req.year_from is not None or req.year_to is not None:
        years = YEAR_FIELD_LABELS.get(req.year_field, req.year_field)
        if req.year_from is not None and req.year_to is not None:
            parts.append(f"{years} {req.year_from} to {req.year_to}")
        elif req.year_from is not None:
            parts.append(f"{years} from {req.year_from}")
        else:
            parts.append(f"{years} up to {req.year_to}")
    return f"DHR Search: {about}" + (f" ({'; '.join(parts)})" if parts else "")


def entry_date(review: dict) -> str:
    """A review's Atom date: the first of its month of publication (January for a bare year)."""
    year = review.get("published_year")
    if not year:
        return NO_DATE
    return f"{int(year):04d}-{int(review.get('published_month') or 1):02d}-01T00:00:00Z"


def _absolute(url: str) -> str:
    base = current_app.config["BASE_URL"]
    return base.rstrip("/") + url if url.startswith("/") else url


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _clean(text)
    return el


def _content(item) -> str:
    """An entry's content as HTML, every document text escaped (the XML escapes it again)."""
    review = item.review
    meta = [
        ("CSP", review["csp"] or "Unknown"),
        ("Region", review["region"] or "Unknown"),
        ("Published", review["published"] or "date unknown"),
        ("Year of death", review["year_of_death"] or "Unknown"),
    ]
    html = ["<p>" + " · ".join(f"{k}: {escape(v)}" for k, v in meta) + "</p>"]
    n = item.matching_recommendations
    if n:
        html.append(f"<p>{n} matching recommendation{'' if n == 1 else 's'}:</p><ol>")
        for rec in item.recommendations:
            link = escape(_absolute(rec["review_url"]))
            line = f'<li><a href="{link}">Recommendation {escape(rec.get("number") or "")}</a>: '
            line += str(escape(rec["text"]))
            if rec["addressees"]:
                line += f"<br>Addressed to: {escape('; '.join(rec['addressees']))}"
            html.append(line + "</li>")
        html.append("</ol>")
        if n > len(item.recommendations):
            rest = n - len(item.recommendations)
            html.append(f"<p>And {rest} more on the review's page.</p>")
    if item.other_matches:
        k = item.other_matches
        html.append(f"<p>{k} matching summary or report page{'' if k == 1 else 's'}.</p>")
    if not review["published_year"]:
        html.append("<p>Publication date unknown: this review is listed last.</p>")
    if review["pdf_url"]:
        html.append(f'<p><a href="{escape(_absolute(review["pdf_url"]))}">Report (PDF)</a></p>')
    return "".join(html)


def atom_feed(req: SearchRequest, result) -> bytes:
    """The Atom document of one search's FeedResult."""
    feed = ET.Element("feed", {"xmlns": ATOM})
    params = request_params(canonical(req))
    _sub(feed, "id", TAG + "search" + (f"?{urlencode(params)}" if params else ""))
    _sub(feed, "title", feed_title(req))
    shown = len(result.reviews)
    subtitle = (
        f"Reviews matching this search, newest published first: {shown} of "
        f"{result.total_reviews} (a feed lists at most {FEED_ENTRIES})."
    )
    _sub(feed, "subtitle", " ".join([subtitle, *result.notes]))
    dated = [entry_date(item.review) for item in result.reviews]
    _sub(feed, "updated", max(dated, default=NO_DATE))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=_absolute(feed_url(req)))
    _sub(feed, "link", rel="alternate", type="text/html", href=_absolute(html_url(req)))
    author = _sub(feed, "author")
    _sub(author, "name", "DHR Search")
    _sub(feed, "generator", "DHR Search")
    for item, updated in zip(result.reviews, dated, strict=True):
        review = item.review
        entry = _sub(feed, "entry")
        _sub(entry, "id", TAG + "review/" + quote(review["id"], safe=""))
        _sub(entry, "title", review["title"])
        _sub(entry, "updated", updated)
        _sub(entry, "published", updated)
        _sub(entry, "link", rel="alternate", type="text/html", href=_absolute(review["review_url"]))
        if review["csp"]:
            _sub(entry, "category", term=review["csp"], label="Community Safety Partnership")
        _sub(entry, "content", _content(item), type="html")
    body = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


@bp.route("/search.atom")
def search_feed():
    """The Atom feed of a search (same parameters as /search); a bad one is a plain-text 400."""
    try:
        req = search_request(request.args)
        result = feed_reviews(handle(), req, limits())
    except (BadRequest, QueryError) as exc:
        message = exc.description if isinstance(exc, BadRequest) else str(exc)
        return Response(f"{message}\n", 400, content_type="text/plain; charset=utf-8")
    g.search_total = result.total_reviews  # for the access log
    response = Response(atom_feed(req, result), content_type=ATOM_TYPE)
    # Readers poll: an unchanged feed answers 304 to If-None-Match.
    response.add_etag()
    return response.make_conditional(request)


@bp.app_template_global("search_feed")
def search_feed_link() -> dict:
    """The feed of the search the page shows: its URL and title (for <link> and the page)."""
    try:
        req = search_request(request.args)
    except BadRequest:
        req = SearchRequest()
    return {"url": feed_url(req), "title": f"Atom feed: {feed_title(req)}"}
