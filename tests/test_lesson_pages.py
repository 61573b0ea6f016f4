"""Recurring lessons as users meet them: the note on a recommendation, /lessons and its
filters, one lesson's page, the JSON, and groups that follow `index --update`."""

import shutil
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator

from search_service import create_app
from search_service.analysis.lessons import same_lesson
from search_service.web.openapi import openapi_document


def test_lessons_are_drawn_in_two_reviews_or_more_most_repeated_first(client):
    data = client.get("/api/lessons").get_json()
    assert data["total"] >= 1
    counts = [lesson["reviews"] for lesson in data["lessons"]]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 2
    lesson = data["lessons"][0]
    assert len({m["review_id"] for m in lesson["members"]}) == lesson["reviews"]
    assert lesson["representative"] in [m["text"] for m in lesson["members"]]
    # Every member asks for the same thing as the wording that stands for them.
    assert all(same_lesson(lesson["representative"], m["text"]) for m in lesson["members"][:10])
    assert sum(y["recommendations"] for y in lesson["years"]) <= lesson["recommendations"]


def test_filters_narrow_every_lesson_to_the_chosen_sector(client):
    data = client.get("/api/lessons", query_string={"sector": "Police"}).get_json()
    assert data["filters"] == {"sector": ["Police"]}
    for lesson in data["lessons"]:
        assert {s["sector"] for s in lesson["sectors"]} >= {"Police"}
        assert lesson["reviews"] >= 2
    page = client.get("/lessons", query_string={"sector": "Police"}).get_data(as_text=True)
    assert "Sector:</span> Police" in page


def test_a_recommendation_says_how_often_its_lesson_was_drawn_and_links_to_it(client):
    review = client.get("/api/reviews/bolton-2023").get_json()
    noted = [r for r in review["recommendations"] if r.get("lesson")]
    assert noted, "no Bolton recommendation is in a recurring lesson"
    rec = noted[0]
    lesson = client.get(f"/api/lessons/{rec['lesson']['group']}").get_json()
    assert rec["lesson"]["other_reviews"] == lesson["reviews"] - 1
    assert rec["lesson"]["first_year"] == lesson["first_year"]
    assert any(
        m["review_id"] == "bolton-2023" and m["number"] == rec["number"] for m in lesson["members"]
    )
    page = client.get("/reviews/bolton-2023").get_data(as_text=True)
    others = lesson["reviews"] - 1
    assert f"Also recommended in {others} other review{'' if others == 1 else 's'}" in page
    html = client.get(rec["lesson"]["url"]).get_data(as_text=True)
    assert f"Recommended in {lesson['reviews']} reviews" in html
    hits = client.get(
        "/api/search", query_string={"q": rec["text"][:60], "type": "recommendation"}
    ).get_json()["hits"]
    assert any(h.get("lesson") and h["lesson"]["group"] == rec["lesson"]["group"] for h in hits)


def test_unknown_lessons_are_404_and_the_json_matches_the_openapi_schemas(client, app):
    assert client.get("/api/lessons/nope").status_code == 404
    assert client.get("/lessons/nope").status_code == 404
    with app.test_request_context():
        document = openapi_document()
    for path, name in (("/api/lessons", "Lessons"),):
        data = client.get(path).get_json()
        schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
        Draft202012Validator(schema).validate(data)
    lesson_id = client.get("/api/lessons").get_json()["lessons"][0]["id"]
    schema = {"$ref": "#/components/schemas/Lesson", "components": document["components"]}
    Draft202012Validator(schema).validate(client.get(f"/api/lessons/{lesson_id}").get_json())


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "search_service", *args], capture_output=True, text=True, timeout=180
    )


@pytest.mark.parametrize("mode", ["update"])
def test_groups_follow_an_update(tmp_path, corpus_dir, mode):
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus)
    index = tmp_path / "ix"
    assert run("index", str(corpus), "--index-dir", str(index)).returncode == 0
    before = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()
    lesson = before.get("/api/lessons").get_json()["lessons"][0]
    wording = lesson["representative"]
    seed = (corpus / "bolton-2023.txt").read_text(encoding="utf-8")
    page = seed.replace("CSP: Bolton", "CSP: Wigan").replace("Bolton review", "Wigan review")
    table_start = page.index("| 1 |")
    table_end = page.index("| Recommendations extracted")
    page = page[:table_start] + f"| 1 | {wording} | Wigan Council |\n" + page[table_end:]
    (corpus / "wigan-2024.txt").write_text(page, encoding="utf-8")
    updated = run("index", str(corpus), "--index-dir", str(index), "--update")
    assert updated.returncode == 0, updated.stderr
    after = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()
    grown = after.get(f"/api/lessons/{lesson['id']}").get_json()
    assert grown["reviews"] == lesson["reviews"] + 1
    assert any(m["review_id"] == "wigan-2024" for m in grown["members"])
