"""A non-editable install built from a clone serves every page, and builds without warnings.

The venv holds an editable install pointing at this clone, where templates/ sits beside the
package; a wheel must carry the templates, static files and data inside search_service/. So the
wheel is built from a copy of the clone, installed into a folder of its own, and the app is run
from there in a subprocess that proves it is not importing the clone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_CORPUS = ROOT / "corpus" / "demo"
BUILD_TIMEOUT = 300  # seconds: with build isolation pip downloads setuptools from the index

# Lines of the build output that mean setuptools (or pip) is unhappy with the configuration.
# "warning" is matched case-insensitively, so it also catches SetuptoolsDeprecationWarning,
# UserWarning and "WARNING:".
SUSPECT = re.compile(
    r"warning|deprecat|is absent from the `packages` configuration|Package would be ignored"
    r"|Installing '.*' as data",
    re.IGNORECASE,
)

# Suspect lines that are benign, each matched in full so that nothing else slips through.
BENIGN = (
    # PYTHONDONTWRITEBYTECODE=1 is set in this environment; setuptools then says it will not
    # write .pyc files into the wheel, which wheels need not contain anyway.
    re.compile(r"warning: (build_py|install_lib): byte-compiling is disabled, skipping\."),
    # The machine's pip config (not the project) adds local file:// indexes that hold only some
    # projects; pip says so for each project it looks up there and finds no folder for (here
    # setuptools' build dependencies, wheel and packaging). It says nothing about this project.
    re.compile(r"WARNING: Location '[^']+' is ignored: it is neither a file nor a directory\."),
)

# pip's error text when it cannot reach the package index for the build dependencies.
NO_INDEX = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Connection refused",
    "ConnectTimeoutError",
    "Read timed out",
)

# Every page and route, with the status and media type(s) it must answer with.
ROUTES = {
    "/search?q=risk": (200, "text/html"),
    "/search?q=risk&group=review": (200, "text/html"),
    "/search": (200, "text/html"),
    "/reviews/bolton-2023": (200, "text/html"),
    "/trends?q=risk": (200, "text/html"),
    "/help": (200, "text/html"),
    "/reviews/nope": (404, "text/html"),
    "/trends.svg?q=risk": (200, "image/svg+xml"),
    "/healthz": (200, "application/json"),
    "/api/search?q=risk": (200, "application/json"),
    "/api/reviews/bolton-2023": (200, "application/json"),
    "/api/reviews/bolton-2023/similar": (200, "application/json"),
    "/api/trends?q=risk": (200, "application/json"),
    "/api/openapi.json": (200, "application/json"),
    "/export.csv?q=risk": (200, "text/csv"),
    "/export.json?q=risk": (200, "application/json"),
    "/static/style.css": (200, "text/css"),
    # The system's mime.types decides which of the two names .js gets.
    "/static/enhance.js": (200, ("text/javascript", "application/javascript")),
    # The one review in the demo corpus with its report PDF beside it.
    "/reports/barking-and-dagenham-2022-3821.pdf": (200, "application/pdf"),
}
SEARCH_PAGES = ("/search?q=risk", "/search?q=risk&group=review", "/search")

# Runs in the subprocess, against the installed copy: argv is SITE, INDEX_DIR, then the paths.
CHECK_PAGES = """
import hashlib, json, sys
from pathlib import Path

site, index_dir, paths = Path(sys.argv[1]).resolve(), sys.argv[2], sys.argv[3:]
import search_service
from search_service import config

# Stop here if the clone (the venv's editable install) was imported instead of the wheel.
package = Path(search_service.__file__).resolve()
templates = config.templates_dir().resolve()
assert package.is_relative_to(site), package
assert templates.is_relative_to(site), templates

client = search_service.create_app({"INDEX_DIR": index_dir, "TESTING": True}).test_client()
pages = {}
for path in paths:
    response = client.get(path)
    body = response.get_data()
    html = body.decode("utf-8") if response.mimetype == "text/html" else ""
    pages[path] = {
        "status": response.status_code,
        "mimetype": response.mimetype,
        "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "search_form": 'class="search-form"' in html,
        "site_header": 'class="site-header"' in html and 'href="/search"' in html,
        "stylesheet": "/static/style.css" in html,
        "html": html,
        "json": response.get_json(silent=True) if response.is_json else None,
    }
print(json.dumps({"package": str(package), "templates": str(templates), "pages": pages}))
"""


def copy_clone(dest: Path) -> Path:
    """Copy the clone's tracked and untracked-but-not-ignored files into dest."""
    # Building in the copy keeps build/ and *.egg-info out of the real work tree, and leaves
    # out whatever is ignored there (an old build/, the index, the venv).
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # tracked but deleted in the work tree: leave it out
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def pip(*args: str, timeout: float) -> subprocess.CompletedProcess:
    """Run the venv's pip, stdout and stderr together, never raising on its exit code."""
    return subprocess.run(
        [sys.executable, "-m", "pip", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )


def unexpected_warnings(output: str) -> list[str]:
    """The lines of pip's output that look like warnings and are not known to be benign."""
    lines = (line.strip() for line in output.splitlines())
    return [
        line
        for line in lines
        if SUSPECT.search(line) and not any(ok.fullmatch(line) for ok in BENIGN)
    ]


def build_wheel(clone: Path, wheel_dir: Path) -> tuple[Path, str]:
    """Build the clone's wheel with build isolation; skip only if the index is unreachable."""
    try:
        result = pip(
            "wheel", "--no-deps", "-v", "-w", str(wheel_dir), str(clone), timeout=BUILD_TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"pip wheel took over {BUILD_TIMEOUT}s:\n{exc.output or ''}")
    if result.returncode != 0:
        reason = next((text for text in NO_INDEX if text in result.stdout), None)
        if reason:
            pytest.skip(f"pip cannot reach the package index for setuptools ({reason!r})")
        pytest.fail(f"pip wheel failed ({result.returncode}):\n{result.stdout}")
    (wheel,) = wheel_dir.glob("dhr_search-*.whl")
    return wheel, result.stdout


def sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_installed(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the venv's python with only the installed copy on PYTHONPATH, outside the clone."""
    # DHR_* settings from the caller's shell must not point the app elsewhere.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DHR_")}
    env["PYTHONPATH"] = str(site)  # before site-packages, so before the editable install
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_wheel_built_from_a_clone_installs_cleanly_and_serves_every_page(tmp_path):
    clone = copy_clone(tmp_path / "clone")
    wheel, build_output = build_wheel(clone, tmp_path / "wheels")
    assert unexpected_warnings(build_output) == [], build_output

    site = tmp_path / "site"
    installed = pip("install", "--no-deps", "--target", str(site), str(wheel), timeout=120)
    assert installed.returncode == 0, installed.stdout
    assert unexpected_warnings(installed.stdout) == [], installed.stdout

    # The non-Python files the package needs at run time are inside it, not beside it.
    package = site / "search_service"
    for name in (
        "templates/base.html",
        "templates/search.html",
        "templates/error.html",
        "templates/static/style.css",
        "templates/static/enhance.js",
        "data/stopwords.txt",
        "data/dhrd/incidents.csv",
        "data/seed/bolton-2023.txt",
    ):
        assert (package / name).is_file(), name
    assert not (site / "templates").exists()  # mapped into the package, not installed top-level

    # Outside the clone, so neither the clone's templates/ nor index/ can be picked up.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    index_dir = tmp_path / "index"
    build_index = ["-m", "search_service", "index", str(DEMO_CORPUS), "--index-dir", str(index_dir)]
    indexed = run_installed(site, elsewhere, *build_index)
    assert indexed.returncode == 0, indexed.stderr
    assert "indexed " in indexed.stdout

    checked = run_installed(site, elsewhere, "-c", CHECK_PAGES, str(site), str(index_dir), *ROUTES)
    assert checked.returncode == 0, checked.stderr
    summary = json.loads(checked.stdout)
    assert Path(summary["package"]).is_relative_to(site.resolve())
    assert Path(summary["templates"]) == (package / "templates").resolve()

    pages = summary["pages"]
    for path, (status, mimetypes) in ROUTES.items():
        page = pages[path]
        assert page["status"] == status, path
        assert page["mimetype"] in ((mimetypes,) if isinstance(mimetypes, str) else mimetypes), path
        assert page["bytes"] > 0, path
        if page["mimetype"] == "text/html":
            # Every HTML page is the full site layout, rendered from the installed templates.
            assert page["site_header"] and page["stylesheet"], path

    for path in SEARCH_PAGES:
        assert pages[path]["search_form"], path
    assert "risk" in pages["/search?q=risk"]["html"]
    assert "bolton" in pages["/reviews/bolton-2023"]["html"].lower()
    assert pages["/api/reviews/bolton-2023"]["json"]["id"] == "bolton-2023"
    assert pages["/api/search?q=risk"]["json"]["total"] > 0
    assert pages["/healthz"]["json"]["status"] == "ok"
    assert pages["/api/openapi.json"]["json"]["openapi"].startswith("3.1")

    # The missing review is the HTML error page, not a bare error or a traceback.
    missing = pages["/reviews/nope"]["html"]
    assert "<h1>Not Found</h1>" in missing
    assert "There is no review with the id" in missing

    # The static files served are the installed ones, byte for byte.
    for name in ("style.css", "enhance.js"):
        installed_file = package / "templates" / "static" / name
        assert pages[f"/static/{name}"]["sha256"] == sha256(installed_file), name
