"""The real server: `python -m search_service serve` under waitress, over HTTP on loopback."""

import json
import urllib.error
import urllib.request

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
