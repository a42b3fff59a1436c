"""Running the ``git`` binary for the few operations dulwich does not cover (bundles, clone)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

GIT = shutil.which("git") or "git"


async def run_git(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """(exit status, combined output) of one git command, without blocking the event loop."""
    proc = await asyncio.create_subprocess_exec(
        GIT, *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace")
