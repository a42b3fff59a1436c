"""The services, built once per server and shared by every handler."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ..db import all_models  # noqa: F401  (every table known before the first query)
from ..db.engine import create_engine, session_factory
from ..git.store import RepoStore
from .accounts import AccountService
from .browse import BrowseService
from .projects import ProjectService
from .pulls import PullService
from .releases import ReleaseService
from .repos import RepoService
from .tokens import TokenService
from .tracker import TrackerService
from .workspace import WorkspaceService


@dataclass
class Platform:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    accounts: AccountService
    tokens: TokenService
    projects: ProjectService
    tracker: TrackerService
    repos: RepoService
    browse: BrowseService
    pulls: PullService
    releases: ReleaseService
    workspace: WorkspaceService

    @classmethod
    def build(
        cls, database_url: str, admin_users: set[str] | None = None, data_dir: str | None = None
    ) -> Platform:
        """``data_dir`` holds the repositories (default: beside a SQLite file, or a temp dir)."""
        engine = create_engine(database_url)
        root = Path(data_dir or _default_root(database_url))
        store = RepoStore(root / "repositories")
        sessions = session_factory(engine)
        projects = ProjectService(sessions)
        tracker = TrackerService(sessions, projects)
        pulls = PullService(sessions, projects, tracker, store)
        tokens = TokenService(sessions)
        repos = RepoService(sessions, projects, store)
        repos.push_hooks.append(pulls.on_push)
        return cls(
            engine=engine,
            sessions=sessions,
            accounts=AccountService(sessions, admin_users or set()),
            tokens=tokens,
            projects=projects,
            tracker=tracker,
            repos=repos,
            browse=BrowseService(
                sessions, projects, store, counters=[tracker.count_open, pulls.count_open]
            ),
            pulls=pulls,
            releases=ReleaseService(sessions, projects, store, root / "release-assets"),
            workspace=WorkspaceService(projects, tokens),
        )

    async def close(self) -> None:
        await self.engine.dispose()


def _default_root(database_url: str) -> str:
    from ..db.migrate import sqlite_path

    path = sqlite_path(database_url)
    if path is not None:
        return str(path.parent)
    import tempfile

    return tempfile.mkdtemp(prefix="openi-lab-")
