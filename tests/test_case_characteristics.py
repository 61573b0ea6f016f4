"""Case characteristics from the DHRD and themes of recommendations, as users meet them:
facets and filters on the page and the API, the review page, exports, trends, /themes and
the `links` and `themes` commands, over a real index."""

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import copy_seed

from search_service import create_app
from search_service.corpus.demo import render_page
from search_service.corpus.folder import read_corpus
from search_service.index.writer import build_index

DHRD = Path(__file__).parent.parent / "search_service" / "data" / "dhrd"
REC = "That agencies share information about domestic abuse risk with the MARAC."


def _rows(name: str) -> list[dict]:
    with (DHRD / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _year(death_date: str) -> int:
    return int(death_date.split()[-1])


def _unique_incidents(count: int) -> list[dict]:
    """Incidents that alone have their CSP and year of death (so a review links to each)."""
    incidents = _rows("incidents.csv")
    seen = Counter((r["csp"], _year(r["death_date"])) for r in incidents)
    return [r for r in incidents if seen[(r["csp"], _year(r["death_date"]))] == 1][:count]


LINKED = _unique_incidents(12)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("linked")
    copy_seed(folder)  # Bolton, death in 2012, published April 2023: one incident
    for i, row in enumerate(LINKED):
        page = render_page(
            f"{row['csp']} review {i}",
            row["csp"],
            "June 2024",
            _year(row["death_date"]),
            "A review of agencies' contact with the victim before her death.",
            [(REC, "Community Safety Partnership"), ("That GP practices ask about abuse.", "NHS")],
        )
        (folder / f"case-{i}.txt").write_text(page, encoding="utf-8")
    # Bolton 2019: two incidents (January and March), so no link.
    ambiguous = render_page("Bolton second review", "Bolton", "May 2024", 2019, "A review.", [])
    (folder / "bolton-2019.txt").write_text(ambiguous, encoding="utf-8")
    synthetic = render_page(
        "Domestic Homicide Review (synthetic) X", "Bolton", "April 2023", 2012, "Made up.", []
    )
    (folder / "synthetic.txt").write_text(synthetic, encoding="utf-8")
    old = render_page("An older review", LINKED[0]["csp"], "May 2019", 2017, "Old.", [])
    (folder / "old.txt").write_text(old, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def index(corpus, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build_index(folder, read_corpus(corpus).reviews)
    return folder


@pytest.fixture(scope="module")
def client(index):
    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()


def test_the_real_bolton_review_links_to_its_one_incident_and_shows_it(client):
    incident = next(r for r in _rows("incidents.csv") if r["incident_id"] == "INC-0471")
    assert (incident["csp"], _year(incident["death_date"])) == ("Bolton", 2012)
    review = client.get("/api/reviews/bolton-2023").get_json()
    assert review["dhrd"]["status"] == "linked" and review["dhrd"]["incident"] == "INC-0471"
    assert "the only DHRD incident" in review["dhrd"]["explanation"]
    victim = next(r for r in _rows("victims.csv") if r["incident_id"] == "INC-0471")
    shown = {c["name"]: c["values"] for c in review["dhrd"]["characteristics"]}
    assert shown["victim_sex"] == [victim["sex_of_victim"]]
    assert shown["relationship"] == [victim["relationship_to_perpetrator"]]
    page = client.get("/reviews/bolton-2023").get_data(as_text=True)
    assert "Linked to incident INC-0471" in page and "10.5281/zenodo.21108268" in page
    assert "not indicated in the Home Office metadata" in page


def test_reviews_that_cannot_be_linked_say_why(client):
    why = {
        rid: client.get(f"/api/reviews/{rid}").get_json()["dhrd"]["status"]
        for rid in ("bolton-2019", "synthetic", "old")
    }
    assert why == {
        "bolton-2019": "ambiguous: 2 incidents",
        "synthetic": "synthetic",
        "old": "outside coverage",
    }
    page = client.get("/reviews/bolton-2019").get_data(as_text=True)
    assert "Not linked to the Domestic Homicide Review Dataset" in page


def test_facet_counts_match_the_dataset(client):
    # Each linked review has a summary and two recommendations: three texts to count.
    victims = {r["incident_id"]: r for r in _rows("victims.csv")}
    want = Counter(
        victims[r["incident_id"]]["sex_of_victim"] for r in LINKED if r["incident_id"] in victims
    )
    want["Female"] += 1  # Bolton 2012 (INC-0471)
    bolton_docs = 1 + 9
    got = {
        f["value"]: f["count"]
        for f in client.get("/api/search", query_string={"per_page": 1}).get_json()["facets"][
            "victim_sex"
        ]
    }
    expected = {sex: n * 3 for sex, n in want.items()}
    expected["Female"] += bolton_docs - 3
    missing_victim = sum(1 for r in LINKED if r["incident_id"] not in victims)
    if missing_victim:
        expected["Not recorded"] = missing_victim * 3
    assert got == expected
    coercive = sum(r["coercive_control"] == "True" for r in LINKED)
    abuse = {
        f["value"]: f["count"] for f in client.get("/api/search").get_json()["facets"]["abuse"]
    }
    assert abuse.get("Coercive control", 0) == coercive * 3 + bolton_docs


def test_every_case_facet_count_is_what_choosing_it_gives(client):
    data = client.get("/api/search", query_string={"q": "abuse"}).get_json()
    for name in ("case_type", "abuse", "separation", "victim_sex", "victim_age", "relationship"):
        for item in data["facets"][name]:
            chosen = client.get(
                "/api/search", query_string={"q": "abuse", name: item["value"], "per_page": 1}
            ).get_json()
            assert chosen["total"] == item["count"], (name, item)


def test_case_filters_narrow_results_in_page_api_export_and_trends(client):
    args = {"victim_sex": "Female", "separation": "Indicated"}
    api = client.get("/api/search", query_string={**args, "per_page": 100}).get_json()
    assert api["total"] > 0
    ids = {h["review_id"] for h in api["hits"]}
    for rid in ids:
        shown = {
            c["name"]: c["values"]
            for c in client.get(f"/api/reviews/{rid}").get_json()["dhrd"]["characteristics"]
        }
        assert "Female" in shown["victim_sex"] and shown["separation"] == ["Indicated"]
    page = client.get("/search", query_string=args).get_data(as_text=True)
    assert 'id="case-characteristics" open' in page and "Victim sex" in page
    exported = client.get("/export.csv", query_string=args).get_data(as_text=True)
    header, *lines = list(csv.reader(exported.lstrip("\ufeff").splitlines()))
    assert len(lines) == api["total"]
    assert {line[header.index("victim_sex")] for line in lines} == {"Female"}
    assert all(line[header.index("dhrd_incident")].startswith("INC-") for line in lines)
    trend = client.get("/api/trends", query_string=args).get_json()
    assert sum(y["reviews"] for y in trend["years"]) + trend["unknown"] == len(ids)
    trends_page = client.get("/trends", query_string=args).get_data(as_text=True)
    assert "Domestic Homicide Review Dataset (Cook" in trends_page
    exported = client.get("/export.json", query_string=args).get_json()
    assert "10.5281/zenodo.21108268" in exported["dhrd"]["citation"]


def test_recommendations_have_themes_as_a_facet_filter_and_export_column(client):
    hits = client.get(
        "/api/search", query_string={"q": '"share information"', "type": "recommendation"}
    ).get_json()["hits"]
    assert hits and all("information-sharing" in h["themes"] for h in hits)
    facet = {
        f["value"]: f["count"] for f in client.get("/api/search").get_json()["facets"]["theme"]
    }
    chosen = client.get("/api/search", query_string={"theme": "information-sharing"}).get_json()
    assert chosen["total"] == facet["information-sharing"] > 0
    row = client.get(
        "/export.json", query_string={"theme": "information-sharing", "per_page": 1}
    ).get_json()["results"][0]
    assert "Information sharing" in row["themes"]
    page = client.get("/reviews/case-0").get_data(as_text=True)
    assert "<dt>Themes</dt>" in page and "Information sharing</a>" in page


def test_themes_page_lists_every_theme_with_counts_sectors_and_a_chart(client):
    data = client.get("/api/themes").get_json()
    assert len(data["themes"]) >= 18
    sharing = next(t for t in data["themes"] if t["id"] == "information-sharing")
    search = client.get(sharing["search_url"].replace("/search", "/api/search")).get_json()
    assert sharing["recommendations"] == search["total"]
    assert sharing["reviews"] == len({h["review_id"] for h in search["hits"]})
    assert sum(s["recommendations"] for s in sharing["sectors"]) >= sharing["recommendations"]
    page = client.get("/themes").get_data(as_text=True)
    assert "Information sharing" in page and 'id="theme-information-sharing-title"' in page
    assert client.get(sharing["trends_url"]).status_code == 200


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "search_service", *args], capture_output=True, text=True, timeout=120
    )


def test_links_command_lists_the_reviews_not_linked_with_the_reason(index):
    shown = run("links", "--index-dir", str(index))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert any(ln.startswith("bolton-2019  [ambiguous: 2 incidents]") for ln in lines)
    assert any(ln.startswith("synthetic  [synthetic]") for ln in lines)
    assert any(ln.startswith("old  [outside coverage]") for ln in lines)
    assert not any(ln.startswith("bolton-2023") for ln in lines)
    assert f"{len(LINKED) + 1} of {len(LINKED) + 4} reviews linked" in shown.stderr
    every = run("links", "--all", "--index-dir", str(index)).stdout
    assert "bolton-2023  [INC-0471]" in every


def test_themes_command_lists_recommendations_no_rule_matched(index):
    shown = run("themes", "--index-dir", str(index))
    assert shown.returncode == 0, shown.stderr
    data = json.dumps(shown.stdout)
    assert "match no theme rule" in shown.stderr and "information about domestic abuse" not in data
