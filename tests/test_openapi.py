"""The OpenAPI document describes every API route, and real responses match its schemas."""

import json

import jsonschema
import pytest
from jsonschema import Draft202012Validator


@pytest.fixture()
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def validate(document: dict, schema_name: str, instance) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/components/schemas/{schema_name}",
        "components": document["components"],
    }
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(instance)


def _openapi_path(rule: str) -> str:
    return rule.replace("<", "{").replace(">", "}")


def test_every_api_route_is_described(app, document):
    routes = {
        _openapi_path(r.rule)
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/api/") or r.rule == "/healthz"
    }
    assert routes == set(document["paths"])
    assert document["openapi"].startswith("3.1")


def test_every_path_names_its_parameters(document):
    for path, item in document["paths"].items():
        names = {p["name"] for p in item["get"].get("parameters", [])}
        for part in path.split("/"):
            if part.startswith("{"):
                assert part[1:-1] in names, path
    search = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "addressee", "csp", "sector", "region", "type", "sort", "page", "group"} <= search


@pytest.mark.parametrize(
    "url,schema",
    [
        ("/api/search?q=training", "SearchResponse"),
        ("/api/search?q=training&group=review", "SearchResponse"),
        ("/api/search?addressee=Greater+Manchester+Probation+Trust&sort=oldest", "SearchResponse"),
        ("/api/search?q=%22forensic+curiosity%22&type=recommendation", "SearchResponse"),
        ("/api/search?q=nothingmatchesthis", "SearchResponse"),
        ("/api/reviews/bolton-2023", "Review"),
        ("/api/reviews/hostile-2024", "Review"),
        ("/api/reviews/bolton-2023/similar", "Similar"),
        ("/api/reviews/bolton-2023/similar?number=7", "Similar"),
        ("/api/trends?q=training", "Trend"),
        ("/api/trends?year_field=published", "Trend"),
        ("/api/export?format=json&q=training", "Export"),
        ("/healthz", "Health"),
        ("/api/search?page=x", "Error"),
        ("/api/search?q=" + "x" * 1001, "Error"),
        ("/api/reviews/nope", "Error"),
        ("/api/reviews/nope/similar", "Error"),
        ("/api/reviews/bolton-2023/similar?number=99", "Error"),
        ("/api/reviews/bolton-2023/similar?limit=x", "Error"),
        ("/api/trends?year_field=x", "Error"),
        ("/api/export?format=pdf", "Error"),
        ("/api/nothing-here", "Error"),
    ],
)
def test_real_responses_match_the_schemas(client, document, url, schema):
    response = client.get(url)
    data = json.loads(response.get_data(as_text=True))
    validate(document, schema, data)
    if schema == "Error":
        assert response.status_code == data["error"]["code"] >= 400
        assert response.mimetype == "application/json"
    else:
        assert response.status_code == 200
        described = document["paths"]
        assert any(url.split("?")[0].startswith(p.split("{")[0]) for p in described)


def test_a_wrong_shape_would_be_caught(document, client):
    data = client.get("/api/search?q=training").get_json()
    data["hits"][0]["year_of_death"] = "twenty twelve"
    with pytest.raises(jsonschema.ValidationError):
        validate(document, "SearchResponse", data)


def test_export_csv_header_is_documented(document, client):
    header = client.get("/api/export?format=csv").get_data(as_text=True).splitlines()[0]
    csv_doc = document["paths"]["/api/export"]["get"]["responses"]["200"]["content"]["text/csv"]
    assert csv_doc["schema"]["description"] == "header row: " + header.lstrip("\ufeff")
    row = document["components"]["schemas"]["ExportRow"]
    # The CSV's last two columns say what search it holds and when (JSON says so once).
    assert ",".join([*row["properties"], "query", "exported_on"]) == header.lstrip("\ufeff")


def test_no_index_is_a_json_error_on_every_api_route(tmp_path, document):
    from search_service import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    for path in document["paths"]:
        if path == "/api/openapi.json":
            continue
        response = client.get(path.replace("{review_id}", "bolton-2023"))
        assert response.status_code == 503, path
        validate(document, "Error", response.get_json())
