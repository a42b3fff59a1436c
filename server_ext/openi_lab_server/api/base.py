"""One base handler: authenticates every request and maps domain errors to HTTP answers.

Handlers are thin: the :func:`endpoint` decorator parses and validates the body with the pydantic
model of :mod:`openi_lab.schemas`, checks the credential's scope, calls the service and
serialises the answer; the same metadata generates the OpenAPI document.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from jupyter_server.auth import IdentityProvider
from jupyter_server.auth.identity import LegacyIdentityProvider, PasswordIdentityProvider
from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, TypeAdapter, ValidationError
from tornado import web

from openi_lab.schemas import Error, FieldError, Scope

from ..services.errors import DomainError, Invalid, InvalidBody, NotFound, Unauthorized
from ..services.pagination import PageRequest, PageResult
from ..services.principal import Principal
from ..services.tokens import is_platform_token

API_PREFIX = "/openi/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Identity providers of a plain single-user Jupyter server: their user is ``local_username``.
_LOCAL_PROVIDERS = (IdentityProvider, PasswordIdentityProvider, LegacyIdentityProvider)

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says of one method of one route."""

    summary: str
    tag: str
    body: type[BaseModel] | None
    response: Any
    status: int
    scope: Scope | None
    query: tuple[str, ...]


def endpoint(
    summary: str,
    *,
    tag: str,
    body: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    scope: Scope | None = None,
    query: tuple[str, ...] = (),
) -> Callable[[F], Callable[..., Awaitable[None]]]:
    """Declare an authenticated API method; ``scope`` defaults to read/write by HTTP method."""

    def decorate(method: F) -> Callable[..., Awaitable[None]]:
        op = Operation(summary, tag, body, response, status, scope, query)
        adapter = TypeAdapter(response) if response is not None else None

        @functools.wraps(method)
        async def wrapper(self: BaseHandler, **path: str) -> None:
            try:
                actor = self.actor
                needed = scope or (
                    Scope.read if self.request.method in SAFE_METHODS else Scope.write
                )
                if not actor.allows(needed):
                    self.fail(403, f"this token lacks the '{needed.value}' scope")
                    return
                args: list[Any] = [self.parse_body(body)] if body is not None else []
                result = await method(self, *args, **path)
            except DomainError as exc:
                self.fail(exc.status, exc.message, exc.errors)
                return
            if self._finished:  # a raw endpoint that streamed its own answer
                return
            self.set_status(status)
            if status == 204 or adapter is None:
                self.finish()
                return
            if isinstance(result, PageResult):
                result = adapter.validate_python(
                    {
                        "items": result.items,
                        "total": result.total,
                        "page": result.page,
                        "per_page": result.per_page,
                    }
                )
            self.finish(adapter.dump_json(result))

        wrapper.__openi_operation__ = op  # type: ignore[attr-defined]
        wrapper.__openi_authenticated__ = True  # type: ignore[attr-defined]
        return web.authenticated(wrapper)  # type: ignore[return-value]

    return decorate


class BaseHandler(APIHandler):
    """Authenticates with a platform token or the Jupyter server's own identity."""

    _actor: Principal | None = None

    @property
    def platform(self) -> Any:
        return self.settings["openi_lab"].platform

    @property
    def openi_app(self) -> Any:
        return self.settings["openi_lab"]

    @property
    def actor(self) -> Principal:
        if self._actor is None:
            raise Unauthorized("authentication required")
        return self._actor

    def _platform_secret(self) -> str | None:
        """A platform token from ``Authorization: token|Bearer|Basic`` (git sends Basic)."""
        header = self.request.headers.get("Authorization", "")
        kind, _, value = header.partition(" ")
        value = value.strip()
        if kind.lower() in ("token", "bearer") and is_platform_token(value):
            return value
        if kind.lower() == "basic":
            try:
                _, _, password = base64.b64decode(value).decode().partition(":")
            except ValueError:
                return None
            if is_platform_token(password):
                return password
        return None

    async def prepare(self) -> None:  # type: ignore[override]
        secret = self._platform_secret()
        if secret is None:
            await super().prepare()
            user = self.current_user
            if user:
                self._actor = await self.platform.accounts.ensure_user(
                    self._platform_username(user), getattr(user, "display_name", "") or ""
                )
            return
        # A platform token in a header: no cookie is involved, so no XSRF check applies.
        if not self.check_host():
            raise web.HTTPError(403)
        try:
            self._actor = await self.platform.tokens.authenticate(secret)
        except Unauthorized as exc:
            self.fail(401, exc.message)
            return
        from jupyter_server.auth import User

        self.current_user = self._jupyter_current_user = User(username=self._actor.username)
        self.set_cors_headers()
        if not self.check_origin():
            raise web.HTTPError(404)

    def _platform_username(self, user: Any) -> str:
        if type(self.identity_provider) in _LOCAL_PROVIDERS:
            return str(self.openi_app.local_username)
        return str(user.username)

    def check_xsrf_cookie(self) -> None:
        """Refuse an unauthenticated change as 401 before the XSRF check can say 403."""
        if not hasattr(self, "_jupyter_current_user"):
            return  # tornado's call before prepare(); prepare() calls again once auth is known
        if not self._jupyter_current_user:
            raise web.HTTPError(401, "authentication required")
        super().check_xsrf_cookie()

    def get_login_url(self) -> str:
        """No redirects from the API: an unauthenticated request answers 401."""
        raise web.HTTPError(401, "authentication required")

    # --- input -----------------------------------------------------------------------------

    def parse_body(self, model: type[BaseModel]) -> BaseModel:
        raw = self.request.body or b"{}"
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise Invalid("body", "is not valid JSON") from exc
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = [
                (".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in exc.errors()
            ]
            message = "; ".join(f"{f}: {r}" for f, r in errors)
            raise InvalidBody(message, errors) from exc

    def page_request(self) -> PageRequest:
        return PageRequest(self._int_arg("page", 1), self._int_arg("per_page", 20))

    def _int_arg(self, name: str, default: int) -> int:
        raw = self.get_query_argument(name, None)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError as exc:
            raise Invalid(name, "must be an integer") from exc

    def str_arg(self, name: str) -> str | None:
        value = self.get_query_argument(name, None)
        return value.strip() or None if value is not None else None

    # --- output ----------------------------------------------------------------------------

    async def send_file(
        self,
        path: Path,
        filename: str,
        mime: str = "application/octet-stream",
        *,
        missing_ok: bool = False,
        chunk: int = 256 * 1024,
    ) -> None:
        """Stream a file as an attachment; every read happens off the event loop."""
        try:
            f = await asyncio.to_thread(open, path, "rb")
        except FileNotFoundError:
            if not missing_ok:
                raise NotFound(f"file '{filename}'") from None
            f = None
        self.set_header("Content-Type", mime)
        self.set_header(
            "Content-Disposition", f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
        )
        if f is None:
            self.finish()
            return
        try:
            size = (await asyncio.to_thread(os.fstat, f.fileno())).st_size
            self.set_header("Content-Length", str(size))
            while data := await asyncio.to_thread(f.read, chunk):
                self.write(data)
                await self.flush()
        finally:
            f.close()
        self.finish()

    def fail(self, status: int, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        self.clear()
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        body = Error(
            status=status,
            message=message,
            errors=[FieldError(field=f, reason=r) for f, r in errors or []],
        )
        self.finish(body.model_dump_json())

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors raised outside an endpoint (auth, unknown failures): same body, no traceback."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.log_message:
            message = exc.log_message % exc.args if exc.args else exc.log_message
        elif status_code >= 500:
            message = "internal error; the server log has the details"
        else:
            message = self._reason
        self.fail(status_code, message)


def path_int(value: str, field: str) -> int:
    """A numeric path segment (an id), or 422 naming it."""
    if not value.isdigit():
        raise Invalid(field, "must be an integer")
    return int(value)


def path_regex(template: str) -> str:
    """``/orgs/{org}`` → a tornado pattern with named groups; ``{rest*}`` spans slashes."""
    template = re.sub(r"\{(\w+)\*\}", r"(?P<\1>.+)", template)
    return re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
