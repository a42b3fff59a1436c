"""A small client of /openi/api/v1 for tests: errors come back as replies, not exceptions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class Reply:
    status: int
    body: Any
    headers: Any


class ApiClient:
    """Calls /openi/api/v1 as one caller; errors come back as replies, not exceptions."""

    def __init__(self, fetch: Any, token: str | None = None, anonymous: bool = False):
        self.fetch = fetch
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"token {token}"
        if anonymous:
            self.headers["Authorization"] = ""

    async def call(self, method: str, path: str, /, body: Any = None, **params: Any) -> Reply:
        kwargs: dict[str, Any] = {"method": method, "headers": dict(self.headers)}
        if body is not None:
            kwargs["body"] = body if isinstance(body, str | bytes) else json.dumps(body)
        elif method in ("POST", "PUT", "PATCH"):
            kwargs["body"] = b""
        parts = ["openi", "api", "v1", *path.strip("/").split("/")]
        resp = await self.fetch(*parts, params=params or None, raise_error=False, **kwargs)
        text = resp.body.decode() if resp.body else ""
        return Reply(resp.code, json.loads(text) if text else None, resp.headers)

    async def get(self, path: str, /, **params: Any) -> Reply:
        return await self.call("GET", path, **params)

    async def post(self, path: str, body: Any = None) -> Reply:
        return await self.call("POST", path, body)

    async def put(self, path: str, body: Any = None) -> Reply:
        return await self.call("PUT", path, body)

    async def patch(self, path: str, body: Any = None) -> Reply:
        return await self.call("PATCH", path, body)

    async def delete(self, path: str) -> Reply:
        return await self.call("DELETE", path)
