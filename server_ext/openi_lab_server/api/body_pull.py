"""Reading a large request body straight off the socket into a few reused buffers.

tornado hands a streamed body to ``data_received`` in 64 KiB ``bytes`` objects: each byte is
copied three times in the event loop (socket → the stream's buffer → a ``bytes`` piece → a
batch) and every piece costs a round of Python calls. For an upload that was most of the
time not spent hashing. ``pull_body`` reads with ``IOStream.read_into`` instead, so the
kernel copies the bytes straight into one of a ring of large buffers, and hands each filled
buffer to a sink that writes and hashes it on worker threads. A buffer is filled again only
once the sink's jobs on it are done, so memory stays at the ring's size whatever the body's.

The caller then tells tornado how much of the body is left unread (``Content-Length``), so
the request goes on as usual: the handler's method answers, keep-alive and logging work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import cast

from tornado import httputil, iostream

#: the ring: 4 buffers of 4 MiB, filled by the socket while earlier ones are written/hashed
BUFFER_BYTES = 4 << 20
BUFFERS = 4

#: takes a filled buffer, returns the jobs that must finish before it may be filled again
#: (it must not await: the caller has to hold those jobs whatever happens next)
Sink = Callable[[memoryview], Sequence[asyncio.Future[None]]]
#: awaited after every read from the socket, however little came (a slow client's lease)
Keepalive = Callable[[], Awaitable[None]]


def can_pull(headers: httputil.HTTPHeaders) -> int | None:
    """The body's length when it can be pulled: a plain ``Content-Length`` body (a chunked
    one goes through tornado's own reader)."""
    if "Transfer-Encoding" in headers:
        return None
    raw = headers.get("Content-Length", "")
    return int(raw) if raw.isdigit() else None


def continue_if_expected(stream: iostream.IOStream, headers: httputil.HTTPHeaders) -> None:
    """Answer ``Expect: 100-continue`` before reading (tornado would only do so after)."""
    if headers.get("Expect", "").lower() == "100-continue":
        stream.write(b"HTTP/1.1 100 (Continue)\r\n\r\n")
        del headers["Expect"]


class BodyPull:
    """Reads ``length`` bytes of a request body into a sink; ``read`` says how many so far
    (the rest is still in the socket, also after an error)."""

    def __init__(self, stream: iostream.IOStream, length: int):
        self.stream = stream
        self.length = length
        self.read = 0

    async def into(self, sink: Sink, keepalive: Keepalive | None = None) -> None:
        """Fill the ring's buffers in turn and hand each to ``sink``.

        Bytes that did arrive before the connection broke are still handed over (the last
        buffer only partly filled) before ``StreamClosedError`` propagates, so a resumable
        upload keeps them. An error of the sink or of ``keepalive`` propagates at once; the
        buffers go back to the pool only once every job handed out on them has ended.
        """
        if not self.length:
            return
        ring = _take_ring() if self.length > BUFFER_BYTES else [memoryview(bytearray(self.length))]
        jobs: list[Sequence[asyncio.Future[None]]] = [() for _ in ring]
        turn = 0
        try:
            while self.read < self.length:
                slot = turn % len(ring)
                turn += 1
                await asyncio.gather(*jobs[slot])
                buffer = ring[slot][: min(len(ring[slot]), self.length - self.read)]
                filled = 0
                try:
                    while filled < len(buffer):
                        # typed for bytearray; tornado takes any writable buffer
                        rest = cast(bytearray, buffer[filled:])
                        filled += await self.stream.read_into(rest, partial=True)
                        if keepalive is not None and filled < len(buffer):
                            await keepalive()
                finally:
                    self.read += filled
                    if filled:
                        jobs[slot] = sink(buffer[:filled])
                if keepalive is not None:
                    await keepalive()
        finally:
            # every job ends before the buffers may go (a worker thread may still read one)
            await asyncio.gather(*(f for js in jobs for f in js), return_exceptions=True)
            if len(ring) == BUFFERS:
                _give_back(ring)


#: rings not in use, kept for the next body: a fresh 16 MiB is zeroed and faulted in page
#: by page, which cost as much as a tenth of the receiving; a body of at most one buffer
#: gets a buffer of its own size instead
_SPARE: list[list[memoryview]] = []
SPARE_RINGS = 2


def _take_ring() -> list[memoryview]:
    if _SPARE:
        return _SPARE.pop()
    return [memoryview(bytearray(BUFFER_BYTES)) for _ in range(BUFFERS)]


def _give_back(ring: list[memoryview]) -> None:
    if len(_SPARE) < SPARE_RINGS:
        _SPARE.append(ring)
