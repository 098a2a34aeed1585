"""The OpenAPI schema is valid, without warnings, and a schemathesis run over every
operation finds no server error (5xx)."""

import json
from contextlib import contextmanager

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from jiceng.api.actions import create_token

EXAMPLES = 6  # per operation: the run stays well under a minute


def test_the_schema_validates_without_warnings(db, tmp_path):
    out = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--format",
        "openapi-json",
        "--file",
        str(out),
    )
    schema = json.loads(out.read_text())
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "/api/v1/cases/{number}/actions/dispatch/" in paths
    accept = paths["/api/v1/cases/{number}/actions/return/"]["post"]
    body = accept["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("ReturnActionRequest")
    assert {"409", "403", "400", "404"} <= set(accept["responses"])
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "apiKeyAuth", "cookieAuth"}


def test_the_schema_and_docs_are_served_from_local_files(client, db):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs and "cdn" not in docs.lower()
    redoc = client.get("/api/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/" in redoc


@pytest.fixture
def fuzz_schema(db, tmp_path):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    schema = schemathesis.openapi.from_dict(json.loads(out.read_text()))
    schema.app = get_wsgi_application()
    return schema


def test_schemathesis_finds_no_server_error(cast, rules, reported, fuzz_schema, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _token, raw = create_token(cast.dispatcher, name="fuzz")
    headers = {"Authorization": f"Token {raw}"}
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) > 30
    with connection_kept():
        for operation in operations:
            run(operation, headers)


@contextmanager
def connection_kept():
    """The WSGI app closes the database connection after each request, and with it the
    test's transaction; Django's test client unhooks that signal the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def run(operation, headers) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])

    check()
