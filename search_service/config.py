"""Every setting in one place: name, default, environment variable, help."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent
# From a clone (the scripts' editable install) the package sits in the repository.
REPO_ROOT = PACKAGE_DIR.parent


# Exports' links when BASE_URL is unset and `serve` did not set it: never the Host header.
DEFAULT_BASE_URL = "http://localhost"


@dataclass(frozen=True)
class Setting:
    """One configuration value with its default, the variable that overrides it, and help."""

    name: str
    env: str
    default: object
    help: str


SETTINGS = (
    Setting("INDEX_DIR", "DHR_INDEX_DIR", "", "folder of the search index (default: index/)"),
    Setting("DEFAULT_PER_PAGE", "DHR_PER_PAGE", 20, "hits per page when none is asked for"),
    Setting(
        "SEARCH_TIME_LIMIT",
        "DHR_SEARCH_TIME_LIMIT",
        5.0,
        "seconds one search may take before it stops and returns partial results",
    ),
    Setting(
        "MAX_EXPANSIONS",
        "DHR_MAX_EXPANSIONS",
        500,
        "words one wildcard, prefix or fuzzy query word may expand to",
    ),
    Setting(
        "POSTINGS_CACHE_MB",
        "DHR_POSTINGS_CACHE_MB",
        160.0,
        "megabytes of decoded postings each server process keeps per index version (0: none)",
    ),
    Setting(
        "COMPACT_POSTINGS_MB",
        "DHR_COMPACT_POSTINGS_MB",
        48.0,
        "megabytes of postings each server process decodes ahead, compactly, per index version "
        "(12 bytes a posting; 0: none)",
    ),
    Setting(
        "MAPPED_MB",
        "DHR_MAPPED_MB",
        48.0,
        "megabytes of index file pages (and shared libraries) a server process keeps mapped "
        "before it gives them back to the page cache",
    ),
    Setting(
        "BUILD_PROCS",
        "DHR_BUILD_PROCS",
        0,
        "writer processes for a full build (0: one per core, up to two)",
    ),
    Setting(
        "BUILD_POOL_MB",
        "DHR_BUILD_POOL_MB",
        0,
        "megabytes of postings each full-build writer process sorts in memory before it "
        "spills sorted runs to disk (0: a quarter of the machine's memory, up to 1024 each)",
    ),
    # Exports are cited elsewhere, so their links must be absolute; taking the base from the
    # request's Host header would let any client write another site's address into them.
    Setting(
        "BASE_URL",
        "DHR_BASE_URL",
        "",
        "the service's public address (https://dhr.example.org) for absolute links in exports, "
        "never taken from a request; unset, `serve` uses http://HOST:PORT it listens on, and "
        "an app made otherwise (tests, create_app) uses " + DEFAULT_BASE_URL,
    ),
    # waitress's 100 let ~100 idle sockets lock everyone out; an idle connection costs a file
    # descriptor and a few KB, not a thread, so a server can hold many (serve raises the open
    # files limit to fit, and waitress polls instead of select()ing, which stops at fd 1024).
    Setting(
        "CONNECTION_LIMIT",
        "DHR_CONNECTION_LIMIT",
        1000,
        "open connections each server process accepts; more wait in the listen backlog",
    ),
    # A search answers within its time limit (5 s), so a connection silent for 30 s is only
    # holding a slot (waitress's 120 s kept idle sockets four times longer).
    Setting(
        "CHANNEL_TIMEOUT",
        "DHR_CHANNEL_TIMEOUT",
        30,
        "seconds a connection may stay idle before the server closes it",
    ),
    # Every route is GET-only and reads no body: waitress's 1 GiB default spooled big bodies
    # to temporary files. 64 KiB stays in memory (below waitress's 512 KiB spool threshold)
    # and a larger Content-Length is refused with a 413 before any of the body is read.
    Setting(
        "MAX_REQUEST_BODY",
        "DHR_MAX_REQUEST_BODY",
        64 * 1024,
        "bytes of request body accepted (no route reads one); more is a 413",
    ),
    # A query is at most 1,000 characters; 32 KiB leaves room for many filters and cookies
    # while refusing waitress's 256 KiB of headers per request (a 431).
    Setting(
        "MAX_REQUEST_HEADER",
        "DHR_MAX_REQUEST_HEADER",
        32 * 1024,
        "bytes of request line and headers accepted; more is a 431",
    ),
)


def _default_index() -> Path:
    # index/ at the repository root from a clone; installed (pip install .), index/ here.
    return REPO_ROOT / "index" if (REPO_ROOT / "setup.cfg").is_file() else Path.cwd() / "index"


def default_index_dir() -> Path:
    """The index folder: $DHR_INDEX_DIR, else index/ at the repository root (or here)."""
    return Path(os.environ.get("DHR_INDEX_DIR") or _default_index())


def templates_dir() -> Path:
    """The Jinja templates: installed inside the package, or templates/ in the clone."""
    installed = PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else REPO_ROOT / "templates"


def from_environment() -> dict:
    """Settings as read from the environment now (called by the app factory, not at import)."""
    found = {s.name: setting(s.name) for s in SETTINGS}
    found["INDEX_DIR"] = found["INDEX_DIR"] or str(default_index_dir())
    return found


def setting(name: str):
    """One setting, read from its environment variable now, else its default."""
    s = next(s for s in SETTINGS if s.name == name)
    raw = os.environ.get(s.env)
    return s.default if raw in (None, "") else type(s.default)(raw)


def base_url(value: str) -> str:
    """BASE_URL checked and without its trailing slash: http(s)://host[:port][/path]."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"DHR_BASE_URL must be an http(s) address like https://host, not {value!r}"
        )
    return value.rstrip("/")
