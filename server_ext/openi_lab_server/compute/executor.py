"""The executor interface the scheduler drives.

There is deliberately no run-to-completion call: the scheduler submits, then watches, so that a
task outlives a server restart and is reconciled on start-up. Executors are chosen by the
``OpeniLabApp.executor_class`` trait (local processes on this machine, Kubernetes Jobs at scale).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field


@dataclass
class Submission:
    """What an executor needs to start one task."""

    task_id: int
    command: list[str]
    workdir: str
    env: dict[str, str] = field(default_factory=dict)
    devices: list[str] = field(default_factory=list)


@dataclass
class ExecutorStatus:
    handle: str
    running: bool
    exit_code: int | None = None
    reason: str = ""


class Executor(ABC):
    """Runs task processes somewhere; every call is async and returns promptly."""

    #: set by the scheduler: called when a task's state may have changed (a process ended),
    #: so that it looks at once instead of at its next pass. Executors that cannot tell
    #: leave it uncalled; the scheduler still polls.
    on_change: Callable[[], None] | None = None

    @abstractmethod
    async def submit(self, submission: Submission) -> str:
        """Start the task; return a handle that survives a server restart."""

    @abstractmethod
    async def status(self, handle: str) -> ExecutorStatus: ...

    @abstractmethod
    async def cancel(self, handle: str) -> None: ...

    @abstractmethod
    def logs(self, handle: str, follow: bool = False) -> AsyncIterator[str]: ...

    @abstractmethod
    async def reconcile(self, handles: list[str]) -> dict[str, ExecutorStatus]:
        """Re-attach to tasks a previous server started; report the ones that vanished."""
