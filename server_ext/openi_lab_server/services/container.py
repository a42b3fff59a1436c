"""The services, built once per server and shared by every handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ..compute.environments import EnvironmentStore
from ..db import all_models  # noqa: F401  (every table known before the first query)
from ..db.engine import SyncSessions, create_engine, session_factory
from ..git.store import RepoStore
from ..storage.objects import ObjectStore
from .accounts import AccountService
from .browse import BrowseService
from .datasets import DatasetService
from .explore import ExploreService
from .feed import FeedService
from .images import ImageService
from .models import ModelService
from .openi_index import IndexService
from .pipelines import PipelineService
from .projects import ProjectService
from .pulls import PullService
from .releases import ReleaseService
from .repos import RepoService
from .search import SearchService
from .tasks import TaskService
from .tokens import TokenService
from .tracker import TrackerService
from .uploads import UploadService
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
    store: ObjectStore
    datasets: DatasetService
    uploads: UploadService
    tasks: TaskService
    models: ModelService = field(init=False)
    pipelines: PipelineService = field(init=False)
    images: ImageService
    feed: FeedService
    explore: ExploreService
    search: SearchService
    openi_index: IndexService
    #: whole units of database work in one go (the registry's hot paths)
    db: SyncSessions

    @classmethod
    def build(
        cls,
        database_url: str,
        admin_users: set[str] | None = None,
        data_dir: str | None = None,
        *,
        storage_url: str | None = None,
        storage_options: dict[str, Any] | None = None,
        max_upload_bytes: int = 100 << 30,
        user_quota_bytes: int = 1 << 40,
        upload_expiry_hours: float = 24.0,
        resource_specs: list[dict[str, Any]] | None = None,
        declared_devices: list[dict[str, Any]] | None = None,
        env_index_options: list[str] | None = None,
        env_build_timeout: float = 1800.0,
        openi_index_weights: dict[str, Any] | None = None,
    ) -> Platform:
        """``data_dir`` holds the repositories (default: beside a SQLite file, or a temp dir);
        objects go to ``storage_url`` (default ``<data_dir>/objects``)."""
        engine = create_engine(database_url)
        root = Path(data_dir or _default_root(database_url))
        objects = ObjectStore(storage_url or (root / "objects").as_uri(), **(storage_options or {}))
        store = RepoStore(root / "repositories")
        sessions = session_factory(engine)
        projects = ProjectService(sessions)
        tracker = TrackerService(sessions, projects)
        pulls = PullService(sessions, projects, tracker, store)
        tokens = TokenService(sessions)
        repos = RepoService(sessions, projects, store)
        repos.push_hooks.append(pulls.on_push)
        datasets = DatasetService(sessions, projects, objects)
        uploads = UploadService(
            sessions,
            projects,
            datasets,
            objects,
            max_upload_bytes=max_upload_bytes,
            user_quota_bytes=user_quota_bytes,
            expiry=timedelta(hours=upload_expiry_hours),
        )
        envs = EnvironmentStore(root / "envs", env_index_options, env_build_timeout)
        images = ImageService(sessions, envs)
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
            store=objects,
            datasets=datasets,
            uploads=uploads,
            tasks=TaskService(
                sessions,
                projects,
                datasets,
                store,
                objects,
                root,
                resource_specs=resource_specs,
                declared_devices=declared_devices,
                images=images,
            ),
            images=images,
            feed=FeedService(sessions, projects),
            explore=ExploreService(sessions, projects, store),
            search=SearchService(sessions),
            openi_index=IndexService(sessions, projects, openi_index_weights),
            db=SyncSessions(engine),
        )

    def __post_init__(self) -> None:
        """The registry and pipelines hang off the tasks service (lineage guards, hooks)."""
        self.models = ModelService(
            self.sessions,
            self.projects,
            self.datasets,
            self.tasks,
            self.store,
            self.tasks.data_dir,
            self.db,
        )
        self.pipelines = PipelineService(self.sessions, self.projects, self.tasks, self.models)

    async def close(self) -> None:
        self.db.dispose()
        await self.engine.dispose()


def _default_root(database_url: str) -> str:
    from ..db.migrate import sqlite_path

    path = sqlite_path(database_url)
    if path is not None:
        return str(path.parent)
    import tempfile

    return tempfile.mkdtemp(prefix="openi-lab-")
