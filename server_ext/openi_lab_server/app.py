"""The OpenI platform as a Jupyter server extension.

Configuration is traitlets (``c.OpeniLabApp.database_url = ...``); services are built once in
``initialize_settings``; background work starts in ``_start_jupyter_server_extension`` and
stops in ``stop_extension``.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import threading
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Dict, Enum, Float, Int, List, Set, Type, Unicode, default

from .api import group_routes, routes
from .compute import kernels
from .compute.executor import Executor
from .compute.scheduler import Scheduler
from .config import default_data_dir, default_database_url, default_storage_url
from .db import migrate
from .db.checkpoint import WalCheckpointer, sqlite_file
from .db.engine import create_engine, session_factory
from .services import demo
from .services.container import Platform
from .services.search import SearchService

SETTINGS_KEY = "openi_lab"


class OpeniLabApp(ExtensionApp):
    name = "openi_lab_server"
    description = "The OpenI AI collaboration platform"

    data_dir = Unicode(help="Where the database, repositories and objects live.").tag(config=True)
    database_url = Unicode(
        help="SQLAlchemy URL; default: a SQLite file in data_dir. "
        "Use postgresql://… to share one platform between several Jupyter servers."
    ).tag(config=True)
    storage_url = Unicode(
        help="Object store URL: file://… (default, under data_dir) or s3://bucket/prefix."
    ).tag(config=True)
    executor_class = Type(
        default_value="openi_lab_server.compute.local.LocalExecutor",
        klass=Executor,
        help="Executor running cloud-brain tasks (local processes, or Kubernetes).",
    ).tag(config=True)
    local_username = Unicode(
        help="Platform user for a single-user Jupyter server (default: the OS user). "
        "Under JupyterHub the hub user is used instead."
    ).tag(config=True)
    admin_users = Set(Unicode(), help="Usernames that are site admins.").tag(config=True)
    seed_demo = Bool(False, help="Seed demo users, orgs and projects on start.").tag(config=True)
    git_transport = Enum(
        ["auto", "git", "dulwich"],
        default_value="auto",
        help="Git smart-HTTP transport: C git's upload/receive-pack (auto: when the binary "
        "exists) or dulwich's handlers (the fallback).",
    ).tag(config=True)
    max_upload_bytes = Int(100 << 30, help="Largest dataset file accepted, in bytes.").tag(
        config=True
    )
    user_quota_bytes = Int(
        1 << 40, help="Bytes each user may store in datasets (stored + uploads under way)."
    ).tag(config=True)
    upload_expiry_hours = Float(
        24.0, help="Hours of inactivity after which an unfinished upload expires."
    ).tag(config=True)
    s3_endpoint_url = Unicode(
        "", help="S3 endpoint for an s3:// storage_url (MinIO, Ceph…); empty: AWS."
    ).tag(config=True)
    s3_key = Unicode("", help="S3 access key id (empty: the usual AWS sources).").tag(config=True)
    s3_secret = Unicode("", help="S3 secret access key.").tag(config=True)
    s3_region = Unicode("", help="S3 region.").tag(config=True)
    housekeeping_interval = Float(3600.0, help="Seconds between housekeeping runs.").tag(
        config=True
    )
    openi_index_weights = Dict(
        help="Overrides of the OpenI index's weights (SPEC defaults otherwise), e.g. "
        '{"impact": {"weight": 0.4, "signals": {"stars": 0.3}}, "growth": 0.0}; recomputed '
        "at every housekeeping run.",
    ).tag(config=True)

    resource_specs = List(
        Dict(),
        help="Resource specs (规格): dicts with id, compute (CPU|GPU|NPU), accelerator, cards, "
        "cpu, memory_gib, accelerator_memory_gib, time_limit (s, 0: none), queue. "
        "Empty: cpu-small, cpu-4, gpu-t4, npu-910.",
    ).tag(config=True)
    declared_devices = List(
        Dict(),
        help='Accelerators to use besides those found, e.g. [{"kind": "GPU", "type": "T4", '
        '"ids": ["0", "1"]}].',
    ).tag(config=True)
    max_concurrent_tasks = Int(4, help="Tasks one user may run at once.").tag(config=True)
    max_concurrent_debug_tasks = Int(1, help="Debug tasks one user may run at once.").tag(
        config=True
    )
    scheduler_interval = Float(
        0.2, help="Seconds between scheduler passes while tasks wait or run on this server."
    ).tag(config=True)
    scheduler_idle_interval = Float(
        2.0,
        help="Longest pause between scheduler passes while nothing waits or runs (submitting "
        "a task here wakes the scheduler at once; a task submitted through another server "
        "sharing the database is seen within this time).",
    ).tag(config=True)
    debug_idle_timeout = Float(
        4 * 3600.0,
        help="Seconds without code running after which a debug task's kernel stops (0: never).",
    ).tag(config=True)
    node_name = Unicode(
        help="This server's name among those sharing the database (default: the host name)."
    ).tag(config=True)
    env_index_options = List(
        Unicode(),
        help="Extra `uv pip install` options for building images' environments, e.g. "
        '["--index-url", "https://mirror/simple"] or ["--offline", "--find-links", "/wheels"].',
    ).tag(config=True)
    env_build_timeout = Float(
        1800.0, help="Seconds an image's environment build may take before it is stopped."
    ).tag(config=True)

    @default("node_name")
    def _default_node_name(self) -> str:
        import socket

        return socket.gethostname()

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return default_data_dir()

    @default("database_url")
    def _default_database_url(self) -> str:
        return default_database_url(self.data_dir)

    @default("storage_url")
    def _default_storage_url(self) -> str:
        return default_storage_url(self.data_dir)

    @default("local_username")
    def _default_local_username(self) -> str:
        return os.environ.get("OPENI_LAB_USER") or getpass.getuser()

    platform: Platform | None = None
    scheduler: Scheduler | None = None
    _tasks: list[asyncio.Task[None]]

    def initialize_settings(self) -> None:
        Path(self.data_dir).mkdir(parents=True, exist_ok=True)
        self._run_in_own_loop(self._prepare_database)
        self.platform = self._build_platform()
        self.settings[SETTINGS_KEY] = self
        self._tasks = []
        self._serve_debug_kernels()
        self.log.info("OpenI platform: data in %s, database %s", self.data_dir, self._safe_url())

    def _serve_debug_kernels(self) -> None:
        """This server's user's running debug tasks as kernels (see compute/kernels.py)."""
        owner = os.environ.get("JUPYTERHUB_USER") or self.local_username
        kernels.serve(self.serverapp, Path(self.data_dir) / "kernels" / owner)

    def initialize_handlers(self) -> None:
        self.handlers.extend(routes())

    def initialize(self) -> None:  # type: ignore[override]
        super().initialize()  # adds the routes, flat
        assert self.serverapp is not None
        if not group_routes(self.serverapp.web_app, self.serverapp.base_url):
            self.log.warning("OpenI API routes not grouped; they stay a flat list")

    def _build_platform(self) -> Platform:
        return Platform.build(
            self.database_url,
            set(self.admin_users),
            self.data_dir,
            storage_url=self.storage_url,
            storage_options={
                "endpoint_url": self.s3_endpoint_url,
                "key": self.s3_key,
                "secret": self.s3_secret,
                "region": self.s3_region,
            }
            if self.storage_url.startswith("s3://")
            else {},
            max_upload_bytes=self.max_upload_bytes,
            user_quota_bytes=self.user_quota_bytes,
            upload_expiry_hours=self.upload_expiry_hours,
            resource_specs=list(self.resource_specs),
            declared_devices=list(self.declared_devices),
            env_index_options=list(self.env_index_options),
            env_build_timeout=self.env_build_timeout,
            openi_index_weights=dict(self.openi_index_weights),
        )

    async def _prepare_database(self) -> None:
        """Migrate (and seed) before the first request; uses its own short-lived engine."""
        engine = create_engine(self.database_url)
        try:
            backup = await migrate.upgrade(engine)
            if backup:
                self.log.info("OpenI database backed up to %s before upgrading", backup)
            await SearchService(session_factory(engine)).ensure()
            if self.seed_demo:
                platform = self._build_platform()
                try:
                    if await demo.seed(platform, self.local_username):
                        self.log.info("OpenI demo data seeded")
                finally:
                    await platform.close()
        finally:
            await engine.dispose()

    @staticmethod
    def _run_in_own_loop(fn: Callable[[], Awaitable[None]]) -> None:
        """Run start-up work to completion whether or not an event loop is already running."""
        errors: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(fn())  # type: ignore[arg-type]
            except BaseException as exc:  # re-raised in the caller's thread
                errors.append(exc)

        thread = threading.Thread(target=target, name="openi-lab-startup")
        thread.start()
        thread.join()
        if errors:
            raise errors[0]

    def _safe_url(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)

    async def _housekeeping(self) -> None:
        assert self.platform is not None
        while True:
            try:
                purged = await self.platform.tokens.purge_expired(timedelta(days=30))
                if purged:
                    self.log.info("OpenI: purged %d long-expired tokens", purged)
                expired = await self.platform.uploads.expire()
                if expired:
                    self.log.info("OpenI: expired %d inactive uploads", expired)
                collected = await self.platform.datasets.collect_garbage()
                if collected:
                    self.log.info("OpenI: removed %d unreferenced objects", collected)
                swept = await self.platform.models.sweep_blobs()
                if swept:
                    self.log.info("OpenI: removed %d model blobs no import claimed", swept)
                await self.platform.openi_index.recompute()
            except Exception:  # keep the loop alive; the next run retries
                self.log.exception("OpenI housekeeping failed")
            await asyncio.sleep(self.housekeeping_interval)

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        self._tasks.append(asyncio.create_task(self._housekeeping()))
        path = sqlite_file(self.database_url)
        if path is not None:
            self._tasks.append(asyncio.create_task(WalCheckpointer(path).run()))
        await self.start_scheduler()

    async def start_scheduler(self) -> Scheduler:
        """Start the cloud-brain scheduler (re-attaching this node's running tasks)."""
        assert self.platform is not None
        if self.scheduler is None:
            self.scheduler = Scheduler(
                self.platform.tasks,
                cast(type[Executor], self.executor_class)(),
                node=self.node_name,
                max_concurrent_tasks=self.max_concurrent_tasks,
                max_concurrent_debug_tasks=self.max_concurrent_debug_tasks,
                interval=self.scheduler_interval,
                idle_interval=self.scheduler_idle_interval,
                debug_idle_timeout=self.debug_idle_timeout,
            )
            debug = kernels.DebugKernels(
                self.platform.tasks, self.node_name, Path(self.data_dir) / "kernels"
            )
            self.scheduler.listeners.append(debug.on_task)
            await debug.sync()
            await self.scheduler.start()
        return self.scheduler

    async def stop_extension(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()
            self.scheduler = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.platform is not None:
            await self.platform.close()
