"""The REST client used by widgets, magics, the CLI and code inside tasks."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from . import schemas as s
from .discovery import Endpoint, discover

M = TypeVar("M", bound=BaseModel)
API_PATH = "openi/api/v1/"


class ApiError(Exception):
    """A non-2xx answer: status, the server's message and the failing fields."""

    def __init__(self, status: int, message: str, errors: list[s.FieldError] | None = None):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.errors = errors or []


class Client:
    """``Client()`` inside a notebook finds its server; pass ``url``/``token`` elsewhere."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 30):
        endpoint = Endpoint(url.rstrip("/") + "/", token, "argument") if url else discover()
        self.endpoint = endpoint
        headers = {"Accept": "application/json"}
        if endpoint.token:
            headers["Authorization"] = f"token {endpoint.token}"
        self._http = httpx.Client(
            base_url=endpoint.base_url + API_PATH, headers=headers, timeout=timeout
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call; raises :class:`ApiError` with the server's reason on failure."""
        try:
            resp = self._http.request(method, path.lstrip("/"), **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(0, f"cannot reach {self.endpoint.base_url}: {exc}") from exc
        if resp.status_code >= 400:
            try:
                err = s.Error.model_validate(resp.json())
                raise ApiError(err.status, err.message, err.errors)
            except ValueError:
                raise ApiError(resp.status_code, resp.text[:200] or resp.reason_phrase) from None
        return resp.json() if resp.content else None

    def _get(self, model: type[M], path: str, **params: Any) -> M:
        return model.model_validate(self.request("GET", path, params=params or None))

    # --- accounts --------------------------------------------------------------------------

    def whoami(self) -> s.User:
        return self._get(s.User, "user")

    def user(self, username: str) -> s.User:
        return self._get(s.User, f"users/{username}")

    def users(self, q: str | None = None, page: int = 1, per_page: int = 20) -> s.Page[s.User]:
        params = {"page": page, "per_page": per_page, **({"q": q} if q else {})}
        return self._get(s.Page[s.User], "users", **params)

    def orgs(self, q: str | None = None, page: int = 1, per_page: int = 20) -> s.Page[s.Org]:
        params = {"page": page, "per_page": per_page, **({"q": q} if q else {})}
        return self._get(s.Page[s.Org], "orgs", **params)

    def org(self, name: str) -> s.Org:
        return self._get(s.Org, f"orgs/{name}")

    def create_org(self, name: str, **fields: Any) -> s.Org:
        body = s.OrgCreate(name=name, **fields).model_dump(mode="json")
        return s.Org.model_validate(self.request("POST", "orgs", json=body))

    def members(self, org: str, page: int = 1) -> s.Page[s.Member]:
        return self._get(s.Page[s.Member], f"orgs/{org}/members", page=page)

    def teams(self, org: str, page: int = 1) -> s.Page[s.Team]:
        return self._get(s.Page[s.Team], f"orgs/{org}/teams", page=page)

    def projects(
        self, owner: str | None = None, q: str | None = None, page: int = 1
    ) -> s.Page[s.Project]:
        params: dict[str, Any] = {"page": page}
        params.update({k: v for k, v in (("owner", owner), ("q", q)) if v})
        return self._get(s.Page[s.Project], "projects", **params)

    def create_token(
        self, name: str, scopes: list[str], expires_in_days: int | None = 30
    ) -> s.TokenCreated:
        body = s.TokenCreate(name=name, scopes=scopes, expires_in_days=expires_in_days)
        return s.TokenCreated.model_validate(
            self.request("POST", "user/tokens", json=body.model_dump(mode="json"))
        )
