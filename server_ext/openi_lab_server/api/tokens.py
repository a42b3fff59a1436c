"""/user/tokens: personal access tokens. Managing tokens with a token needs the admin scope."""

from __future__ import annotations

from openi_lab import schemas as s

from .base import BaseHandler, endpoint, path_int


class TokensHandler(BaseHandler):
    @endpoint("My tokens", tag="tokens", response=list[s.Token], scope=s.Scope.admin)
    async def get(self) -> list[s.Token]:
        return await self.platform.tokens.list(self.actor)

    @endpoint(
        "Create a token; its secret is in this answer only",
        tag="tokens",
        body=s.TokenCreate,
        response=s.TokenCreated,
        status=201,
        scope=s.Scope.admin,
    )
    async def post(self, body: s.TokenCreate) -> s.TokenCreated:
        return await self.platform.tokens.create(self.actor, body)


class TokenHandler(BaseHandler):
    @endpoint("Revoke a token", tag="tokens", status=204, scope=s.Scope.admin)
    async def delete(self, token_id: str) -> None:
        await self.platform.tokens.delete(self.actor, path_int(token_id, "token_id"))
