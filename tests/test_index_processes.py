"""Rebuilds, the writer lock and crashes, with real indexer and server processes."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import running_server

from search_service.corpus.demo import write_demo_corpus
from search_service.index.versions import current_version

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "search_service", *args]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(cli(*args), capture_output=True, text=True, env=ENV, timeout=180)


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    """Big enough that a build takes seconds, so other processes can meet it mid-build."""
    folder = tmp_path_factory.mktemp("big")
    write_demo_corpus(folder, 1500, seed=11)
    return folder


def start_slow_build(corpus: Path, index: Path) -> subprocess.Popen:
    """Start a full build and return once its .building folder exists (it holds the lock)."""
    proc = subprocess.Popen(
        cli("index", str(corpus), "--index-dir", str(index)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    deadline = time.monotonic() + 60
    while not list(index.glob("*.building")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the build never started"
        time.sleep(0.02)
    return proc


def search_total(index: Path, query: str) -> int:
    found = run("search", query, "--index-dir", str(index), "--json")
    assert found.returncode == 0, found.stderr
    return json.loads(found.stdout)["total"]


def test_a_second_indexer_is_refused_at_once_naming_the_lock(big_corpus, corpus_dir, tmp_path):
    index = tmp_path / "ix"
    first = start_slow_build(big_corpus, index)
    try:
        started = time.monotonic()
        second = run("index", str(corpus_dir), "--index-dir", str(index))
        assert time.monotonic() - started < 30  # refused, not queued behind a long build
        assert first.poll() is None, "the first build ended before the second was refused"
    finally:
        first.kill()
        first.wait()
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert str(index / ".lock") in lines[0] and f"pid {first.pid}" in lines[0]
    assert "--wait" in lines[0] and "Traceback" not in second.stderr


def test_wait_queues_behind_the_running_indexer(big_corpus, corpus_dir, tmp_path):
    index = tmp_path / "ix"
    first = start_slow_build(big_corpus, index)
    second = subprocess.Popen(
        cli("index", str(corpus_dir), "--index-dir", str(index), "--wait"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    out, err = second.communicate(timeout=180)
    assert first.wait(timeout=180) == 0, first.stderr.read()
    assert second.returncode == 0, err
    assert f"waiting for pid {first.pid}" in err
    # The waiting build ran last, so its corpus (with the hostile page) is the live one.
    assert current_version(index) is not None
    assert search_total(index, "scripting") > 0  # only the small corpus has the hostile page


def processes_writing(index, wait: float) -> list[int]:
    """Pids of live processes whose command line names index, after waiting up to `wait` s."""
    deadline = time.monotonic() + wait
    while True:
        pids = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if str(index).encode() in cmdline.read_bytes():
                    pids.append(int(cmdline.parent.name))
            except OSError:
                continue
        if not pids or time.monotonic() > deadline:
            return pids
        time.sleep(0.2)


@pytest.mark.parametrize("delay", [0.0, 0.7, 2.5])
def test_kill_9_mid_build_leaves_the_live_index_and_the_next_run_succeeds(
    big_corpus, corpus_dir, tmp_path, delay
):
    index = tmp_path / "ix"
    assert run("index", str(corpus_dir), "--index-dir", str(index)).returncode == 0
    live = current_version(index)
    proc = start_slow_build(big_corpus, index)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    # Killed before the switch: the previous version is live, complete and searchable.
    if current_version(index) == live:
        assert list(index.glob("*.building")), "a killed build leaves its folder for the next run"
        assert search_total(index, '"forensic curiosity"') == 1
    # Its sub-writer processes die with it (they would otherwise hold the lock for ever).
    assert not processes_writing(index, wait=10)
    # The kernel dropped the dead writer's flock: the next run is not refused, and tidies up.
    again = run("index", str(corpus_dir), "--index-dir", str(index))
    assert again.returncode == 0, again.stderr
    assert not list(index.glob("*.building"))
    assert [p.name for p in index.glob("v-*")] == [current_version(index)]
    assert search_total(index, '"forensic curiosity"') == 1


def test_kill_9_mid_update_leaves_the_live_index_and_the_next_update_succeeds(big_corpus, tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "ix"
    corpus.mkdir()
    pages = sorted(big_corpus.glob("*.txt"))
    for page in pages[:10]:
        shutil.copy(page, corpus)
    assert run("index", str(corpus), "--index-dir", str(index)).returncode == 0
    live = current_version(index)
    for page in pages[10:]:
        shutil.copy(page, corpus)
    proc = subprocess.Popen(
        cli("index", str(corpus), "--index-dir", str(index), "--update"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
    )
    deadline = time.monotonic() + 60
    while not list(index.glob("*.building")):
        assert proc.poll() is None and time.monotonic() < deadline, "the update never started"
        time.sleep(0.02)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert current_version(index) == live
    assert json.loads(run("status", "--index-dir", str(index)).stdout)["reviews"] == 10
    again = run("index", str(corpus), "--index-dir", str(index), "--update")
    assert again.returncode == 0, again.stderr
    assert json.loads(run("status", "--index-dir", str(index)).stdout)["reviews"] == len(pages)
    assert not list(index.glob("*.building"))


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, {"body": err.read().decode(errors="replace")[:300]}


def test_a_running_server_follows_rebuilds_without_a_failed_request(corpus_dir, tmp_path):
    index = tmp_path / "ix"
    corpus = tmp_path / "corpus"
    write_demo_corpus(corpus, 300, seed=5)
    assert run("index", str(corpus_dir), "--index-dir", str(index)).returncode == 0
    with running_server(index, env=ENV) as (server, base):
        first_version = get_json(base + "/healthz")[1]["version"]
        failures: list[tuple] = []
        results: list[int] = []
        stop = threading.Event()

        def hammer(query: str) -> None:
            while not stop.is_set():
                status, data = get_json(f"{base}/api/search?q={query}&per_page=5")
                results.append(status)
                if status != 200 or data.get("total", 0) == 0:
                    failures.append((status, data))

        clients = [threading.Thread(target=hammer, args=(q,)) for q in ("marac", "risk+assessment")]
        for t in clients:
            t.start()
        try:
            for source in (corpus, corpus_dir):
                built = run("index", str(source), "--index-dir", str(index))
                assert built.returncode == 0, built.stderr
                time.sleep(0.3)
        finally:
            stop.set()
            for t in clients:
                t.join(timeout=60)
        assert failures == []
        assert len(results) > 20
        status, health = get_json(base + "/healthz")
        assert status == 200 and health["version"] == current_version(index) != first_version
    server.wait(timeout=10)
