"""The contract itself: every handler authenticates, the OpenAPI document covers every route."""

from __future__ import annotations

import re

import pytest

from openi_lab_server.api import ROUTE_TABLE
from openi_lab_server.api.openapi import METHODS, operations


def test_every_handler_method_is_an_authenticated_endpoint():
    """The extension template's check_auth idea, on our route table."""
    for template, handler in ROUTE_TABLE:
        ops = operations(handler)
        assert ops, f"{template} has no endpoint"
        for method in METHODS:
            fn = getattr(handler, method, None)
            inherited = getattr(handler.__mro__[1], method, None)
            if fn is None or fn is inherited:
                continue
            assert getattr(fn, "__openi_authenticated__", False), f"{method} {template}"


def _sample(template: str) -> str:
    return re.sub(r"\{\w+\}", "x1", template).strip("/")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_route_refuses_anonymous_callers(jp_fetch):
    from apiclient import ApiClient

    anonymous = ApiClient(jp_fetch, anonymous=True)
    for template, handler in ROUTE_TABLE:
        for method in operations(handler):
            body = {} if method in ("post", "put", "patch") else None
            r = await anonymous.call(method.upper(), _sample(template), body=body)
            assert r.status == 401, f"{method.upper()} {template} answered {r.status}"
            assert r.body["message"], template
    bogus = ApiClient(jp_fetch, token="openi_not-a-real-token")
    assert (await bogus.get("user")).status == 401


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_openapi_document_describes_every_route(api):
    r = await api.get("openapi.json")
    assert r.status == 200
    doc = r.body
    assert doc["openapi"].startswith("3.")
    for template, handler in ROUTE_TABLE:
        for method in operations(handler):
            assert method in doc["paths"][template.replace("*}", "}")], (method, template)
    create_org = doc["paths"]["/orgs"]["post"]
    schema_ref = create_org["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = schema_ref.rsplit("/", 1)[1]
    assert doc["components"]["schemas"][name]["properties"]["name"]["pattern"]
    assert "422" in create_org["responses"] and "409" in create_org["responses"]
    for ref in re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(doc).replace("'", '"')):
        assert ref in doc["components"]["schemas"], ref


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_unknown_api_path_is_a_json_404(api):
    r = await api.get("no/such/thing")
    assert r.status == 404
    assert "no such API endpoint" in r.body["message"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_unexpected_failures_never_leak_a_traceback(api, platform, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(platform.accounts, "list_users", broken)
    r = await api.get("users")
    assert r.status == 500
    assert "secret" not in str(r.body) and "Traceback" not in str(r.body)
    assert r.body["message"].startswith("internal error")
