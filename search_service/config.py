"""Every setting in one place: name, default, environment variable, help."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# From a clone (the scripts' editable install) the package sits in the repository.
REPO_ROOT = PACKAGE_DIR.parent


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
        "BUILD_PROCS",
        "DHR_BUILD_PROCS",
        0,
        "writer processes for a full build (0: one per core, up to two)",
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
