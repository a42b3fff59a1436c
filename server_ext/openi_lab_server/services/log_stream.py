"""A task's log as server-sent events (``…/tasks/{id}/logs/stream``).

Polling ``logs?offset=`` costs a request a second per viewer and shows lines late; an
EventSource keeps one response open instead. The log is a plain file that only grows, so the
stream is a file watch: every ``poll`` seconds read what was appended (off the event loop),
send it as one ``log`` event whose ``id:`` is the byte offset after it (a reconnecting
EventSource sends it back as ``Last-Event-ID`` and resumes exactly there), look at the task's
status every ``status_every`` seconds (``status`` event on a change) and, once the status is
final and the file drained, send ``end`` and stop. Comment lines keep proxies from closing an
idle stream.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncGenerator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..db.task_models import Task

FINAL = ("SUCCEEDED", "FAILED", "STOPPED")
#: the most log bytes one event carries
EVENT_BYTES = 64 << 10


def _utf8_len(lead: int) -> int:
    if lead >= 0xF0:
        return 4
    if lead >= 0xE0:
        return 3
    return 2 if lead >= 0xC0 else 1


def complete_utf8(data: bytes) -> bytes:
    """``data`` without an incomplete UTF-8 character at its end (sent with the next read)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:
            continue
        if byte & 0x80 and back < _utf8_len(byte):
            return data[: len(data) - back]
        break
    return data


def read_from(path: Path, offset: int, limit: int = EVENT_BYTES) -> tuple[bytes, int]:
    """(up to ``limit`` bytes from ``offset``, the file's size); blocking."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(min(offset, size))
            return f.read(limit), size
    except FileNotFoundError:
        return b"", 0


def event(name: str, data: dict[str, object], event_id: int | None = None) -> str:
    """One SSE event; ``data`` is JSON on one line (a log's ``\\r`` or ``\\n`` cannot split it)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _state(
    sessions: async_sessionmaker[AsyncSession], task_id: int
) -> tuple[str, str, int | None] | None:
    async with sessions() as session:
        row = (
            await session.execute(
                select(Task.status, Task.reason, Task.exit_code).where(Task.id == task_id)
            )
        ).first()
    return (row[0], row[1], row[2]) if row else None


async def follow(
    sessions: async_sessionmaker[AsyncSession],
    task_id: int,
    log_path: Path,
    offset: int,
    *,
    poll: float = 0.2,
    status_every: float = 1.0,
    heartbeat: float = 15.0,
) -> AsyncGenerator[str, None]:
    """The SSE text of one task's log from byte ``offset`` until the task ends."""
    loop = asyncio.get_running_loop()
    yield "retry: 2000\n\n"
    shown: str | None = None
    state: tuple[str, str, int | None] | None = None
    checked = float("-inf")
    beat = loop.time()
    while True:
        now = loop.time()
        if state is None or (state[0] not in FINAL and now - checked >= status_every):
            state = await _state(sessions, task_id)
            checked = now
            if state is None:  # deleted meanwhile
                yield event("end", {"status": None, "reason": "the task was deleted"})
                return
            if state[0] != shown:
                shown = state[0]
                yield event("status", {"status": state[0], "reason": state[1]})
        raw, size = await asyncio.to_thread(read_from, log_path, offset)
        offset = min(offset, size)
        data = complete_utf8(raw)
        if not data and raw and state[0] in FINAL:
            data = raw  # a broken character at the very end: nothing more will complete it
        if data:
            start, offset = offset, offset + len(data)
            body = {"offset": start, "next_offset": offset, "text": data.decode(errors="replace")}
            yield event("log", body, offset)
            beat = now
            if offset < size:
                continue  # more is there already: no pause
        elif state[0] in FINAL and offset >= size:
            status, reason, code = state
            yield event("end", {"status": status, "reason": reason, "exit_code": code}, offset)
            return
        if now - beat >= heartbeat:
            yield ": keep-alive\n\n"
            beat = now
        await asyncio.sleep(poll)
