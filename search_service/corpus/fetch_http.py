"""One report PDF over HTTP(S), with the standard library: limits, retries, redirects, checks.

``download`` makes one GET (plus the redirects it is sent through) and either says the copy
we hold is still current (a 304, or the same ETag and length), or leaves the body in a
temporary file beside the cache for the caller to rename into place. Every refusal is a
FetchError whose reason is plain words for the index run's summary line ("HTTP 404", "not a
PDF (text/html)", "larger than 200 MB (DHR_FETCH_MAX_MB)", "timed out after 3 tries").
http.client rather than urllib: connect and read timeouts apart, and each redirect checked
(scheme, count) before it is followed.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import ssl
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

from search_service.corpus.pdf.limits import env_number

# Council sites serve reports as either; a missing Content-Type is left to the %PDF- check.
PDF_TYPES = ("application/pdf", "application/octet-stream")
# The PDF specification lets a reader find the header within the first 1,024 bytes.
MAGIC, MAGIC_WITHIN = b"%PDF-", 1024
MAX_REDIRECTS = 5
_CHUNK = 1 << 16
_REDIRECTS = (301, 302, 303, 307, 308)
USER_AGENT = "dhr-search report fetcher (python http.client)"

ENV = {
    "max_mb": "DHR_FETCH_MAX_MB",
    "connect_timeout": "DHR_FETCH_CONNECT_TIMEOUT",
    "read_timeout": "DHR_FETCH_READ_TIMEOUT",
    "tries": "DHR_FETCH_TRIES",
    "backoff": "DHR_FETCH_BACKOFF",
    "delay": "DHR_FETCH_DELAY",
}


@dataclass(frozen=True)
class FetchLimits:
    """What one run's downloads may cost; max_mb 0 means no size limit."""

    # The longest real overview reports are a few MB; 200 MB is far past any, and bounds
    # the disk a wrong link (a video, a disk image) can take.
    max_mb: float = 200.0
    connect_timeout: float = 10.0
    # Seconds without a byte arriving (not for the whole body).
    read_timeout: float = 60.0
    tries: int = 3
    # Seconds before the second try, doubled before each later one.
    backoff: float = 1.0
    # Seconds between one file's request and the next: one request at a time, politely.
    delay: float = 1.0

    @property
    def max_bytes(self) -> int:
        """The size limit in bytes (0: none)."""
        return int(self.max_mb * 1024 * 1024)

    def size_reason(self) -> str:
        """Why a file over the size limit was not kept."""
        return f"larger than {self.max_mb:g} MB ({ENV['max_mb']})"


def from_environment() -> FetchLimits:
    """The limits as the environment sets them now (read when a run starts, not at import)."""
    d = FetchLimits()
    return FetchLimits(
        max_mb=env_number(ENV["max_mb"], d.max_mb, float),
        connect_timeout=env_number(ENV["connect_timeout"], d.connect_timeout, float, hint=""),
        read_timeout=env_number(ENV["read_timeout"], d.read_timeout, float, hint=""),
        tries=max(1, env_number(ENV["tries"], d.tries, int, hint="")),
        backoff=env_number(ENV["backoff"], d.backoff, float, hint=""),
        delay=env_number(ENV["delay"], d.delay, float, hint=""),
    )


class FetchError(Exception):
    """A download refused or failed; reason is what the summary line says."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Retry(Exception):
    """A failure worth another try: a connection error, a timeout, a 5xx."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind)
        self.kind, self.detail = kind, detail


@dataclass
class Known:
    """What we hold of a URL already: its validators, length and content hash."""

    etag: str = ""
    last_modified: str = ""
    length: int = -1


@dataclass
class Downloaded:
    """A body received in full and checked; tmp is a temporary file beside the cache."""

    tmp: Path
    sha256: str
    length: int
    etag: str
    last_modified: str


NOT_MODIFIED = "not modified"


def url_problem(url: str) -> str | None:
    """Why url cannot be fetched (not http(s), no host), or None."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return f"not an http(s) URL ({parts.scheme or 'no scheme'})"
    if not parts.hostname:
        return "no host in the URL"
    return None


def download(
    url: str, folder: Path, known: Known | None, limits: FetchLimits, sleep: Callable = time.sleep
) -> Downloaded | str:
    """GET url into a temporary file in folder, or NOT_MODIFIED; FetchError when it fails.

    Connection errors, timeouts and 5xx (and 429) are tried again, limits.tries times in
    all, waiting limits.backoff seconds and twice that before each later try; a 4xx is not.
    """
    for attempt in range(1, limits.tries + 1):
        try:
            return _follow(url, folder, known, limits)
        except _Retry as failed:
            if attempt == limits.tries:
                tries = f"{limits.tries} tr{'ies' if limits.tries != 1 else 'y'}"
                detail = f" ({failed.detail})" if failed.detail else ""
                raise FetchError(f"{failed.kind} after {tries}{detail}") from None
            sleep(limits.backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _follow(url: str, folder: Path, known: Known | None, limits: FetchLimits):
    for _ in range(MAX_REDIRECTS + 1):
        problem = url_problem(url)
        if problem:
            raise FetchError(f"redirected to a URL that is {problem}")
        conn = _connect(url, limits)
        try:
            response = _request(conn, url, known)
            if response.status in _REDIRECTS and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location").strip())
                continue
            return _receive(response, folder, known, limits)
        except TimeoutError:
            raise _Retry("timed out") from None
        except (OSError, http.client.HTTPException) as exc:
            raise _Retry("connection failed", _plain(exc)) from None
        finally:
            conn.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _plain(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).lower()


def _connect(url: str, limits: FetchLimits) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    timeout = limits.connect_timeout or None
    if parts.scheme.lower() == "https":
        context = ssl.create_default_context()
        conn = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=context
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.connect()
    except TimeoutError:
        raise _Retry("timed out", "connecting") from None
    except OSError as exc:
        raise _Retry("connection failed", _plain(exc)) from None
    conn.sock.settimeout(limits.read_timeout or None)
    return conn


def _request(conn, url: str, known: Known | None) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    # A link copied from a browser may hold spaces or non-ASCII; the request line may not.
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~?")
    headers = {"User-Agent": USER_AGENT, "Accept": "application/pdf, */*;q=0.5"}
    if known and known.etag:
        headers["If-None-Match"] = known.etag
    if known and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    conn.request("GET", target, headers=headers)
    return conn.getresponse()


def _receive(response, folder: Path, known: Known | None, limits: FetchLimits):
    status = response.status
    if status == 304 and known:
        return NOT_MODIFIED
    if status >= 500 or status == 429:
        raise _Retry(f"HTTP {status}")
    if status != 200:
        raise FetchError(f"HTTP {status}")
    kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    if kind and kind not in PDF_TYPES:
        raise FetchError(f"not a PDF ({kind})")
    length = _content_length(response)
    if limits.max_bytes and length is not None and length > limits.max_bytes:
        raise FetchError(limits.size_reason())
    etag = response.getheader("ETag") or ""
    if known and etag and etag == known.etag and length == known.length:
        return NOT_MODIFIED  # the server ignored If-None-Match but names the same version
    got = _save(response, folder, limits, etag, response.getheader("Last-Modified") or "")
    if length is not None and got.length != length:
        # http.client's read(n) ends quietly where the connection did: never a good copy.
        got.tmp.unlink(missing_ok=True)
        raise _Retry(
            "connection failed", f"the body ended after {got.length:,} of {length:,} bytes"
        )
    return got


def _content_length(response) -> int | None:
    try:
        return int(response.getheader("Content-Length"))
    except (TypeError, ValueError):
        return None


def _save(response, folder: Path, limits: FetchLimits, etag: str, modified: str) -> Downloaded:
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
    tmp = Path(name)
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if limits.max_bytes and size > limits.max_bytes:
                    raise FetchError(limits.size_reason())
                if len(head) < MAGIC_WITHIN:
                    head += chunk[:MAGIC_WITHIN]
                    if len(head) >= MAGIC_WITHIN and MAGIC not in head[:MAGIC_WITHIN]:
                        raise FetchError("not a PDF (its content does not start with %PDF-)")
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if MAGIC not in head[:MAGIC_WITHIN]:
            raise FetchError("not a PDF (its content does not start with %PDF-)")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Downloaded(tmp, digest.hexdigest(), size, etag, modified)
