"""Schemathesis against our own OpenAPI document: generated requests, no server errors or schema violations."""

import pytest
import schemathesis
from conftest import make_corpus
from hypothesis import HealthCheck, given, settings

from search_service import create_app
from search_service.corpus.folder import read_corpus
from search_service.index.writer import build_index


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    corpus = make_corpus(tmp_path_factory.mktemp("st-corpus"), synthetic=4)
    index = tmp_path_factory.mktemp("st-index")
    build_index(index, read_corpus(corpus).reviews)
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def test_api_conforms_to_its_openapi_document(api_schema):
    # Driven by hand (not schemathesis' pytest plugin, which does not load under pytest 9).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate()

        check()
