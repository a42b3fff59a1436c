"""Personal access tokens: for the API and for git over HTTP.

Only the sha256 of a secret is stored; the secret (``openi_…``) is shown once at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab import schemas as s

from ..db.models import AccessToken, Account
from .errors import Forbidden, NotFound, Unauthorized
from .principal import Principal
from .ttl_cache import TtlCache

PREFIX = "openi_"
#: last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: how long a signed-in token is answered from memory: a token deleted on this server stops
#: at once, one deleted through another server sharing the database within this many seconds
AUTH_CACHE_SECONDS = 2.0


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_platform_token(value: str) -> bool:
    return value.startswith(PREFIX)


def _out(t: AccessToken) -> s.Token:
    return s.Token(
        id=t.id,
        name=t.name,
        scopes=[s.Scope(x) for x in t.scopes.split()],
        expires_at=t.expires_at,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
    )


class TokenService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions
        self._signed_in: TtlCache[str, tuple[Principal, datetime | None]] = TtlCache(
            AUTH_CACHE_SECONDS
        )
        self._generation = 0  # bumped by every delete

    async def create(self, actor: Principal, body: s.TokenCreate) -> s.TokenCreated:
        # a token can never grant more than the credential that created it
        if not all(actor.allows(scope) for scope in body.scopes):
            raise Forbidden("a token cannot grant scopes its creator's credential lacks")
        secret = PREFIX + secrets.token_urlsafe(30)
        expires = (
            datetime.now(UTC) + timedelta(days=body.expires_in_days)
            if body.expires_in_days
            else None
        )
        token = AccessToken(
            user_id=actor.id,
            name=body.name,
            token_hash=hash_secret(secret),
            scopes=" ".join(sorted({x.value for x in body.scopes})),
            expires_at=expires,
        )
        async with self.sessions() as session:
            session.add(token)
            await session.commit()
        return s.TokenCreated(**_out(token).model_dump(), token=secret)

    async def list(self, actor: Principal) -> list[s.Token]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(AccessToken)
                .where(AccessToken.user_id == actor.id)
                .order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
            )
            return [_out(t) for t in rows]

    async def delete(self, actor: Principal, token_id: int) -> None:
        async with self.sessions() as session:
            result = await session.execute(
                delete(AccessToken).where(
                    AccessToken.id == token_id, AccessToken.user_id == actor.id
                )
            )
            if not getattr(result, "rowcount", 0):
                raise NotFound(f"token {token_id}")
            await session.commit()
        self._generation += 1  # a lookup in flight must not remember what it read
        self._signed_in.clear()  # its hash is not at hand: forget every token

    async def authenticate(self, secret: str) -> Principal:
        """The user and scopes behind a secret; expired or unknown secrets are refused."""
        now = datetime.now(UTC)
        key = hash_secret(secret)
        seen = self._signed_in.get(key)
        if seen is not None and (seen[1] is None or seen[1] > now):
            return seen[0]
        generation = self._generation
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(AccessToken, Account)
                    .join(Account, Account.id == AccessToken.user_id)
                    .where(AccessToken.token_hash == key)
                )
            ).first()
            if row is None:
                raise Unauthorized("invalid token")
            token, user = row
            if token.expires_at is not None and token.expires_at <= now:
                raise Unauthorized("token expired")
            if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
                token.last_used_at = now
                await session.commit()
            principal = Principal(
                id=user.id,
                username=user.name,
                is_admin=user.is_admin,
                scopes=frozenset(s.Scope(x) for x in token.scopes.split()),
            )
            if generation == self._generation:  # no token was deleted meanwhile
                self._signed_in.put(key, (principal, token.expires_at))
            return principal

    async def purge_expired(self, older_than: timedelta = timedelta(days=30)) -> int:
        """Delete tokens that expired long ago; run periodically by the extension."""
        cutoff = datetime.now(UTC) - older_than
        async with self.sessions() as session:
            result = await session.execute(
                delete(AccessToken).where(AccessToken.expires_at < cutoff)
            )
            await session.commit()
            return int(getattr(result, "rowcount", 0) or 0)
