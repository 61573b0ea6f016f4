"""What every view of the app shares: its index handle, limits, search request and review."""

from __future__ import annotations

from flask import current_app
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from search_service.index.reader import IndexHandle
from search_service.search.limits import Limits
from search_service.search.request import SearchRequest
from search_service.search.reviews import get_review
from search_service.web.arguments import search_request


def handle() -> IndexHandle:
    """The app's shared index handle."""
    return current_app.extensions["dhr_index"]


def limits() -> Limits:
    """The per-query limits the app's settings give (read once, by the app factory)."""
    return current_app.extensions["dhr_limits"]


def request_from(args: MultiDict) -> SearchRequest:
    """The SearchRequest the arguments ask for, with the app's default page size."""
    return search_request(args, current_app.config["DEFAULT_PER_PAGE"])


def demo() -> bool:
    """Whether the corpus served holds synthetic reviews (the page then says so)."""
    return handle().meta.get("synthetic_reviews", 0) > 0


def review_or_404(review_id: str) -> dict:
    """One review as the API shows it; NotFound when there is none with that id."""
    review = get_review(handle(), review_id)
    if review is None:
        raise NotFound(f"There is no review with the id {review_id!r}.")
    return review
