"""The fallback transport: dulwich's protocol handlers where no ``git`` binary exists.

It looks like the C git child to :mod:`smart_http` (``stdin`` writer, ``stdout``/``stderr``
readers, ``wait``/``kill``): the handler runs in a thread over two OS pipes, so requests and
packs still stream chunk by chunk and the event loop never blocks. Branch protection is the
same rule set as the shell hook, applied by a dulwich ``pre-receive`` hook object.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from pathlib import Path
from typing import Any

from dulwich.graph import can_fast_forward
from dulwich.protocol import Protocol
from dulwich.repo import Repo
from dulwich.server import DictBackend, ReceivePackHandler, UploadPackHandler

ZERO = b"0" * 40
log = logging.getLogger(__name__)


class ProtectionHook:
    """dulwich ``update`` hook: the rules ``repos.git_access`` put in the environment.

    dulwich runs ``pre-receive`` before the pack arrives, so the fast-forward check (which
    needs the pushed commits) lives in ``update``, called per ref once the pack is stored.
    """

    def __init__(self, repo: Repo, env: dict[str, str]):
        self.repo = repo
        self.noforce = set(env.get("OPENI_NOFORCE_REFS", "").split())
        self.nodelete = set(env.get("OPENI_NODELETE_REFS", "").split())
        self.readonly = set(env.get("OPENI_READONLY_REFS", "").split())

    def execute(self, ref_b: bytes, old: bytes, new: bytes) -> tuple[bytes, bytes]:
        from dulwich.hooks import HookError

        ref = ref_b.decode()
        if ref in self.readonly:
            raise HookError(f"openi: you may not push to {ref} (protected branch)")
        if new == ZERO and ref in self.nodelete:
            raise HookError(f"openi: {ref} is protected and cannot be deleted")
        if (
            old != ZERO
            and new != ZERO
            and ref in self.noforce
            and not can_fast_forward(self.repo, old, new)
        ):
            raise HookError(f"openi: force push to protected {ref} refused")
        return b"", b""


class DulwichProcess:
    """A dulwich handler behind the interface of ``asyncio.subprocess.Process``."""

    returncode: int | None = None

    def __init__(self) -> None:
        self.stdin: asyncio.StreamWriter
        self.stdout: asyncio.StreamReader
        self.stderr = asyncio.StreamReader()
        self.stderr.feed_eof()
        self._done = asyncio.Event()

    @classmethod
    async def start(
        cls, service: str, path: Path, env: dict[str, str], advertise: bool
    ) -> DulwichProcess:
        loop = asyncio.get_running_loop()
        self = cls()
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        self.stdout = asyncio.StreamReader(limit=1 << 20)
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(self.stdout), os.fdopen(out_r, "rb", 0)
        )
        transport, protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, os.fdopen(in_w, "wb", 0)
        )
        self.stdin = asyncio.StreamWriter(transport, protocol, None, loop)
        if advertise:
            self.stdin.close()

        def run() -> None:
            code = 0
            rfile = os.fdopen(in_r, "rb", 0)
            wfile = os.fdopen(out_w, "wb", 0)
            repo = Repo(str(path))
            try:
                repo.hooks["update"] = ProtectionHook(repo, env)
                backend = DictBackend({b"/": repo})
                proto = Protocol(rfile.read, wfile.write)
                handler_cls: Any = (
                    UploadPackHandler if service == "git-upload-pack" else ReceivePackHandler
                )
                handler = handler_cls(
                    backend, [b"/"], proto, stateless_rpc=True, advertise_refs=advertise
                )
                handler.handle()
            except Exception:  # the client sees a cut stream; the log has the reason
                log.exception("dulwich %s failed", service)
                code = 1
            finally:
                repo.close()
                with contextlib.suppress(OSError):
                    wfile.close()
                with contextlib.suppress(OSError):
                    rfile.close()
                loop.call_soon_threadsafe(self._finish, code)

        threading.Thread(target=run, name=f"dulwich-{service}", daemon=True).start()
        return self

    def _finish(self, code: int) -> None:
        self.returncode = code
        self._done.set()

    async def wait(self) -> int:
        await self._done.wait()
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        """Closing our ends makes the handler's next read or write fail, ending the thread."""
        with contextlib.suppress(Exception):
            self.stdin.close()
