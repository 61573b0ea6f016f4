"""Shared fixtures: a real corpus on disk, a real Whoosh index, the real Flask app."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from search_service import create_app
from search_service.corpus.demo import write_demo_corpus
from search_service.corpus.folder import read_corpus
from search_service.index.writer import build_index

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "search_service" / "data" / "seed" / "bolton-2023.txt"

HOSTILE_PAGE = """Source · Domestic Homicide Review
<script>alert('title')</script> review
CSP: Hostile <b>Town</b>
Published: May 2024
Year of death: 2020
Summary
A summary with <img src=x onerror=alert(1)> and "quotes" & ampersands.
Extracted recommendations
| # | Recommendation | Addressed to |
|---|---|---|
| 1 | That agencies stop <script>alert('rec')</script> scripting attacks. | <img src=x onerror=alert(2)> Agency |
| Recommendations extracted from the published report. | ||
"""


def make_corpus(folder: Path, synthetic: int = 8) -> Path:
    """The seed review, a hostile page and a few synthetic reviews."""
    write_demo_corpus(folder, synthetic, seed=7)
    (folder / "hostile-2024.txt").write_text(HOSTILE_PAGE, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, corpus_dir) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build_index(folder, read_corpus(corpus_dir).reviews, meta={"synthetic_reviews": 8})
    return folder


@pytest.fixture()
def app(index_dir):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def fresh_index(tmp_path, corpus_dir) -> Path:
    """An index of its own, for tests that rebuild or break it."""
    folder = tmp_path / "index"
    build_index(folder, read_corpus(corpus_dir).reviews)
    return folder


@pytest.fixture()
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def copy_seed(folder: Path, name: str = "bolton-2023.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(SEED, folder / name))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(
    index_dir: Path, stderr=subprocess.DEVNULL, env: dict | None = None, workers: int = 1
):
    """`python -m search_service serve` (waitress) on a free port: yields (process, base URL)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search_service",
            "serve",
            "--index-dir",
            str(index_dir),
            "--workers",
            str(workers),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start (exit {proc.poll()})") from None
                time.sleep(0.1)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.terminate()
