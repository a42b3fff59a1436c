"""Running the real ``git`` client against the test server without blocking its event loop."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


class Git:
    def __init__(self, base_url: str, home: Path):
        self.base_url = base_url.rstrip("/")
        home.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "HOME": str(home),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": "Test Author",
            "GIT_AUTHOR_EMAIL": "author@example.org",
            "GIT_COMMITTER_NAME": "Test Author",
            "GIT_COMMITTER_EMAIL": "author@example.org",
            "GIT_CONFIG_NOSYSTEM": "1",
        }

    def url(self, repo: str, token: str | None = None) -> str:
        scheme, rest = self.base_url.split("://", 1)
        auth = f"user:{token}@" if token else ""
        return f"{scheme}://{auth}{rest}/openi/git/{repo}.git"

    async def run(self, *args: str, cwd: Path | None = None) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            "git", *args, cwd=cwd, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await proc.communicate()
        return proc.returncode or 0, out.decode(errors="replace")

    async def ok(self, *args: str, cwd: Path | None = None) -> str:
        code, out = await self.run(*args, cwd=cwd)
        assert code == 0, f"git {' '.join(args)} failed:\n{out}"
        return out

    async def commit(self, cwd: Path, files: dict[str, str | bytes], message: str) -> str:
        for name, content in files.items():
            path = cwd / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        await self.ok("add", "-A", cwd=cwd)
        await self.ok("commit", "-q", "-m", message, cwd=cwd)
        return (await self.ok("rev-parse", "HEAD", cwd=cwd)).strip()
