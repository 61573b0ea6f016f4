"""Where things are in our URL space: the one place a review's, a recommendation's and a
report's paths are spelled (web/routes.py serves them; web/urls.py keeps a search's state)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit


def _part(value: str) -> str:
    # Ids come from file names and manifests: '#', '?', '%', spaces or '/' in one must stay
    # in its path segment (or fragment), so every character outside unreserved is encoded.
    return quote(str(value), safe="")


def review_url(review_id: str, number: str | None = None, page: int | None = None) -> str:
    """Our page for one review, at recommendation number when given (on its page, when paged)."""
    url = f"/reviews/{_part(review_id)}"
    if page is not None:
        url += f"?page={page}"
    return f"{url}#rec-{_part(number)}" if number is not None else url


def similar_url(review_id: str, number: str) -> str:
    """Our review page showing, beside recommendation number, those like it elsewhere."""
    return f"/reviews/{_part(review_id)}?similar={_part(number)}#similar-{_part(number)}"


def report_url(stored: dict, page: int | None = None) -> str:
    """Link to a review's report PDF, at the page when it is known; '' when there is no PDF."""
    # A published (remote) copy is what users cite; our local copy is served otherwise.
    if stored.get("pdf_url"):
        url = stored["pdf_url"]
    elif stored.get("pdf_path"):
        url = f"/reports/{_part(stored['review_id'])}.pdf"
    else:
        return ""
    return f"{url}#page={page}" if page else url


def absolute(base: str, url: str) -> str:
    """One of our links (a path) made absolute from base; others (http...) as they are."""
    return base.rstrip("/") + url if url.startswith("/") else url


# Pages "Back to search" may return to: our own, by path, never another site.
BACK_PATHS = ("/search", "/trends", "/themes", "/reviews")


def safe_back(url: str | None) -> str | None:
    """A local page to go back to, or None: no scheme, no host, one of BACK_PATHS."""
    if not url or len(url) > 4000 or "\\" in url or any(ord(c) < 32 for c in url):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or url.startswith("//"):
        return None
    if parts.path not in BACK_PATHS:
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def with_back(url: str, back: str | None) -> str:
    """One of our links carrying where to come back to (before its #fragment)."""
    if not back or not url.startswith("/"):
        return url
    path, hash_, fragment = url.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}back={quote(back, safe='')}{hash_}{fragment}"
