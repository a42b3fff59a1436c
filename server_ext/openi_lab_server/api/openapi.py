"""The OpenAPI 3.1 document, generated from the routes and the pydantic models they declare."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, TypeAdapter

from openi_lab.schemas import Error

from .base import API_PREFIX, BaseHandler, Operation, endpoint

METHODS = ("get", "post", "put", "patch", "delete")
_QUERY_DOCS = {
    "q": "Search text",
    "page": "Page number, from 1",
    "per_page": "Items per page (1-100, default 20)",
    "owner": "Only this owner's",
}


def operations(handler: type[BaseHandler]) -> dict[str, Operation]:
    return {
        m: getattr(handler, m).__openi_operation__
        for m in METHODS
        if hasattr(getattr(handler, m, None), "__openi_operation__")
    }


def build(routes: list[tuple[str, type[BaseHandler]]]) -> dict[str, Any]:
    """The whole document; errors share one ``Error`` schema."""
    schemas: dict[str, Any] = {}

    def ref(tp: Any, mode: str) -> dict[str, Any]:
        schema = TypeAdapter(tp).json_schema(
            mode=mode,  # type: ignore[arg-type]
            ref_template="#/components/schemas/{model}",
        )
        schemas.update(schema.pop("$defs", {}))
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            name = re.sub(r"[^A-Za-z0-9._-]", "_", tp.__name__).strip("_")
            if mode == "validation" and name in schemas and schemas[name] != schema:
                name += "Input"
            schemas[name] = schema
            return {"$ref": f"#/components/schemas/{name}"}
        return schema

    paths: dict[str, Any] = {}
    for template, handler in routes:
        ops = operations(handler)
        if not ops:
            continue
        params = [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
            for n in re.findall(r"\{(\w+)\*?\}", template)
        ]
        item: dict[str, Any] = {}
        for method, op in ops.items():
            entry: dict[str, Any] = {
                "summary": op.summary,
                "tags": [op.tag],
                "operationId": f"{method}_{handler.__name__.removesuffix('Handler')}",
                "parameters": params
                + [
                    {
                        "name": q,
                        "in": "query",
                        "required": False,
                        "description": _QUERY_DOCS.get(q, q),
                        "schema": {"type": "integer" if q in ("page", "per_page") else "string"},
                    }
                    for q in op.query
                ],
                "responses": {
                    str(code): {
                        "description": text,
                        "content": {"application/json": {"schema": ref(Error, "serialization")}},
                    }
                    for code, text in _error_codes(method, op).items()
                },
            }
            if op.body is not None:
                entry["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": ref(op.body, "validation")}},
                }
            ok: dict[str, Any] = {"description": "OK" if op.status != 204 else "No content"}
            if op.response is not None and op.status != 204:
                ok["content"] = {"application/json": {"schema": ref(op.response, "serialization")}}
            entry["responses"][str(op.status)] = ok
            item[method] = entry
        paths[template.replace("*}", "}")] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "openi_lab",
            "version": "1",
            "description": "The OpenI platform in Jupyter. Authenticate with the Jupyter "
            "server's own credentials, or `Authorization: token openi_…` (a personal access "
            "token).",
        },
        "servers": [{"url": API_PREFIX}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "Authorization"}
            },
        },
        "security": [{"token": []}],
        "paths": paths,
    }


def _error_codes(method: str, op: Operation) -> dict[int, str]:
    codes = {401: "Not authenticated", 403: "Not allowed (or the token lacks the scope)"}
    codes[404] = "Not found, or not visible to the caller"
    if op.body is not None or method != "get":
        codes[422] = "Invalid input: each failing field with its reason"
    if method in ("post", "put", "patch"):
        codes[409] = "Conflicts with an existing resource"
    return codes


class OpenAPIHandler(BaseHandler):
    """Served to any authenticated caller; it describes, it does not reveal data."""

    _cache: dict[str, Any] | None = None

    @endpoint("This document", tag="meta", response=dict[str, Any])
    async def get(self) -> dict[str, Any]:
        from . import ROUTE_TABLE

        if OpenAPIHandler._cache is None:
            OpenAPIHandler._cache = build(ROUTE_TABLE)
        return OpenAPIHandler._cache
