"""The real server: `python -m search_service serve` under waitress, over HTTP on loopback."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(index_dir):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search_service",
            "serve",
            "--index-dir",
            str(index_dir),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("server did not start: " + proc.stdout.read())
    yield base
    proc.terminate()
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
