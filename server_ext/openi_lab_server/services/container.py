"""The services, built once per server and shared by every handler."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ..db import all_models  # noqa: F401  (every table known before the first query)
from ..db.engine import create_engine, session_factory
from .accounts import AccountService
from .projects import ProjectService
from .tokens import TokenService
from .tracker import TrackerService


@dataclass
class Platform:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    accounts: AccountService
    tokens: TokenService
    projects: ProjectService
    tracker: TrackerService

    @classmethod
    def build(cls, database_url: str, admin_users: set[str] | None = None) -> Platform:
        engine = create_engine(database_url)
        sessions = session_factory(engine)
        projects = ProjectService(sessions)
        return cls(
            engine=engine,
            sessions=sessions,
            accounts=AccountService(sessions, admin_users or set()),
            tokens=TokenService(sessions),
            projects=projects,
            tracker=TrackerService(sessions, projects),
        )

    async def close(self) -> None:
        await self.engine.dispose()
