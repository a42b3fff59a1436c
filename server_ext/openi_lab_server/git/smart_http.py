"""Git smart HTTP at ``/openi/git/<owner>/<repo>.git``, streamed both ways.

Transport: C git where the binary exists; dulwich's handlers otherwise (or with
``OpeniLabApp.git_transport = "dulwich"``), behind the same process-like interface.

C git's ``upload-pack`` / ``receive-pack --stateless-rpc`` do the protocol work (as Gitea and
``git http-backend`` do); this handler authenticates, checks permissions, and pipes bytes:
the request body goes to the child's stdin chunk by chunk (gunzipped on the fly when git
compresses it) and its stdout goes to the client chunk by chunk, so neither a pack nor a push
is ever held in memory. Until the request body is complete, the child's early output is
spooled (memory first, then disk) so the two pipes can never deadlock.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import tempfile
import zlib
from typing import Any

from tornado import web

from ..services.errors import DomainError, Unauthorized
from ..services.repos import GitAccess
from ..services.tokens import is_platform_token
from .cli import GIT
from .dulwich_transport import DulwichProcess

SERVICES = ("git-upload-pack", "git-receive-pack")
CHUNK = 64 * 1024
#: bytes of a push's command section kept to learn which refs it updates
MAX_COMMANDS = 1 << 20
GIT_BINARY = shutil.which("git")


def pkt_line(data: bytes) -> bytes:
    return f"{len(data) + 4:04x}".encode() + data


def parse_commands(buf: bytes) -> list[tuple[str, str, str]]:
    """``old new ref`` triples at the start of a receive-pack request (until the flush)."""
    commands, pos = [], 0
    while pos + 4 <= len(buf):
        size = int(buf[pos : pos + 4], 16)
        if size == 0:
            break
        line = buf[pos + 4 : pos + size].split(b"\x00", 1)[0].strip()
        pos += size
        parts = line.decode(errors="replace").split(" ")
        if len(parts) == 3:
            commands.append((parts[0], parts[1], parts[2]))
    return commands


class GitHandler(web.RequestHandler):
    """Common auth and error handling for the three smart-HTTP endpoints."""

    access: GitAccess

    @property
    def platform(self) -> Any:
        return self.settings["openi_lab"].platform

    def check_xsrf_cookie(self) -> None:
        """Git clients authenticate with Basic auth headers, never cookies."""

    def _secret(self) -> str | None:
        kind, _, value = self.request.headers.get("Authorization", "").partition(" ")
        if kind.lower() == "basic":
            try:
                _, _, password = base64.b64decode(value.strip()).decode().partition(":")
            except ValueError:
                return None
            return password if is_platform_token(password) else None
        if kind.lower() in ("token", "bearer") and is_platform_token(value.strip()):
            return value.strip()
        return None

    async def authorize(self, owner: str, repo: str, service: str) -> None:
        secret = self._secret()
        principal = None
        try:
            if secret is not None:
                principal = await self.platform.tokens.authenticate(secret)
            self.access = await self.platform.repos.git_access(
                principal, owner, repo, write=service == "git-receive-pack"
            )
        except Unauthorized as exc:
            raise web.HTTPError(401, exc.message) from None
        except DomainError as exc:
            raise web.HTTPError(exc.status, exc.message) from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = exc.log_message if isinstance(exc, web.HTTPError) and exc.log_message else ""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        if status_code == 401:  # send_error cleared the headers: ask git for credentials here
            self.set_header("WWW-Authenticate", 'Basic realm="openi_lab git"')
        self.finish((message or self._reason) + "\n")

    def child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        protocol = self.request.headers.get("Git-Protocol")
        if protocol and not self.use_dulwich:
            env["GIT_PROTOCOL"] = protocol
        env.update(self.access.env)
        return env

    @property
    def use_dulwich(self) -> bool:
        """C git where the binary exists (fast); dulwich's handlers otherwise, or when asked."""
        choice = getattr(self.settings.get("openi_lab"), "git_transport", "auto")
        return choice == "dulwich" or (choice == "auto" and GIT_BINARY is None)

    async def spawn(self, service: str, advertise: bool, stdin: bool) -> Any:
        if self.use_dulwich:
            return await DulwichProcess.start(
                service, self.access.path, self.child_env(), advertise
            )
        args = [GIT, service[4:], "--stateless-rpc"]
        if advertise:
            args.append("--advertise-refs")
        pipe = asyncio.subprocess.PIPE
        return await asyncio.create_subprocess_exec(
            *args, str(self.access.path), stdin=pipe if stdin else None, stdout=pipe,
            stderr=pipe if stdin else None, env=self.child_env(),
        )  # fmt: skip


class InfoRefsHandler(GitHandler):
    async def get(self, owner: str, repo: str) -> None:
        service = self.get_query_argument("service", "")
        if service not in SERVICES:
            raise web.HTTPError(403, "dumb HTTP is not supported; use a git client >= 1.6.6")
        await self.authorize(owner, repo, service)
        proc = await self.spawn(service, advertise=True, stdin=False)
        self.set_header("Content-Type", f"application/x-{service}-advertisement")
        self.set_header("Cache-Control", "no-cache")
        v2 = "version=2" in self.request.headers.get("Git-Protocol", "") and not self.use_dulwich
        if not v2:
            self.write(pkt_line(f"# service={service}\n".encode()) + b"0000")
        assert proc.stdout is not None
        while chunk := await proc.stdout.read(CHUNK):
            self.write(chunk)
            await self.flush()
        await proc.wait()


@web.stream_request_body
class RpcHandler(GitHandler):
    """POST …/git-upload-pack and …/git-receive-pack."""

    proc: Any = None

    async def prepare(self) -> None:
        if self.request.method != "POST":
            raise web.HTTPError(405)
        owner, repo, service = (self.path_kwargs[k] for k in ("owner", "repo", "service"))
        await self.authorize(owner, repo, service)
        self.service = service
        self.request.connection.set_max_body_size(self.access.max_push_bytes)  # type: ignore[union-attr]
        encoding = self.request.headers.get("Content-Encoding", "")
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
        self._commands = b""
        self._spool = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 (closed in post)
        self._live = False
        self.proc = await self.spawn(service, advertise=False, stdin=True)
        self._pump = asyncio.create_task(self._pump_stdout())
        self._stderr = asyncio.create_task(self.proc.stderr.read())
        self.set_header("Content-Type", f"application/x-{service}-result")
        self.set_header("Cache-Control", "no-cache")

    async def _pump_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while chunk := await self.proc.stdout.read(CHUNK):
            if self._live:
                self.write(chunk)
                await self.flush()
            else:
                self._spool.write(chunk)

    async def data_received(self, chunk: bytes) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        if self._inflate is not None:
            chunk = self._inflate.decompress(chunk)
        if self.service == "git-receive-pack" and len(self._commands) < MAX_COMMANDS:
            self._commands += chunk[: MAX_COMMANDS - len(self._commands)]
        try:
            self.proc.stdin.write(chunk)
            await self.proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # git gave up (bad request); its exit status and stderr tell the rest

    async def post(self, owner: str, repo: str, service: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        if self._inflate is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.proc.stdin.write(self._inflate.flush())
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.proc.stdin.close()
        # switch to live streaming: first what was spooled, then whatever follows
        self._live = True
        self._spool.seek(0)
        while data := self._spool.read(CHUNK):
            self.write(data)
            await self.flush()
        self._spool.close()
        await self._pump
        code = await self.proc.wait()
        stderr = await self._stderr
        if code != 0:
            self.log_git_failure(code, stderr)
        if service == "git-receive-pack":
            await self.platform.repos.record_push(self.access, parse_commands(self._commands))

    def log_git_failure(self, code: int, stderr: bytes) -> None:
        import logging

        logging.getLogger(__name__).info(
            "git %s exited %s: %s", self.service, code, stderr.decode(errors="replace")[-500:]
        )

    def on_connection_close(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()


def git_routes(base: str = "/openi/git") -> list[tuple[str, Any]]:
    repo = rf"{base}/(?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?"
    return [
        (repo + r"/info/refs", InfoRefsHandler),
        (repo + r"/(?P<service>git-upload-pack|git-receive-pack)", RpcHandler),
    ]
