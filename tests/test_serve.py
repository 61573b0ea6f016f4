"""The real server: `python -m search_service serve` under waitress, over HTTP on loopback."""

import json
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import running_server


@pytest.fixture()
def server(index_dir):
    with running_server(index_dir) as (proc, base):
        yield base
    proc.wait(timeout=10)


def test_waitress_serves_search_and_health(server):
    with urllib.request.urlopen(server + "/api/search?q=%22forensic+curiosity%22") as response:
        assert response.headers["Server"] == "dhr-search"  # waitress's ident, not Werkzeug's
        data = json.load(response)
    assert data["hits"][0]["number"] == "7"
    with urllib.request.urlopen(server + "/search?q=marac") as response:
        page = response.read().decode()
    assert "<mark>MARAC</mark>" in page


def test_errors_over_http_are_plain(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server + "/api/search?page=x")
    assert err.value.code == 400
    body = json.loads(err.value.read())
    assert body["error"]["code"] == 400 and "Traceback" not in json.dumps(body)


def children(pid: int) -> set[int]:
    """Pids of the live child processes of pid."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def wait_for(predicate, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def test_workers_share_the_port_are_restarted_and_stop_together(index_dir):
    with running_server(index_dir, workers=2) as (proc, base):
        workers = wait_for(lambda: children(proc.pid) if len(children(proc.pid)) == 2 else None)
        assert workers and len(workers) == 2
        for _ in range(6):
            with urllib.request.urlopen(base + "/api/search?q=marac") as response:
                assert json.load(response)["total"] > 0
        # A worker that dies is replaced; the service keeps answering.
        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        replaced = wait_for(
            lambda: (c := children(proc.pid)) and len(c) == 2 and victim not in c and c
        )
        assert replaced and victim not in replaced
        with urllib.request.urlopen(base + "/healthz") as response:
            assert response.status == 200
        proc.terminate()
        assert proc.wait(timeout=20) == 0
        assert wait_for(lambda: all(not Path(f"/proc/{pid}").exists() for pid in replaced))


def test_a_port_in_use_is_a_one_line_error(index_dir):
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "search_service", "serve", "--index-dir", str(index_dir)]
            + ["--port", str(port), "--workers", "2"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert (
        f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr
    )
