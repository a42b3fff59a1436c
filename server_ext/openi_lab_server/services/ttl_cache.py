"""A small in-process cache whose entries live a few seconds.

Used for sign-in lookups (a token's principal, a Jupyter user's account) that every request
makes: answering a burst of requests from memory saves a database round trip each, and an
entry is never older than its ``seconds``.
"""

from __future__ import annotations

import time
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, seconds: float, size: int = 4096):
        self.seconds = seconds
        self.size = size
        self._items: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        if time.monotonic() >= item[0]:
            self._items.pop(key, None)
            return None
        return item[1]

    def put(self, key: K, value: V) -> None:
        if self.seconds <= 0:
            return
        if len(self._items) >= self.size:  # drop the oldest entry
            self._items.pop(next(iter(self._items)))
        self._items[key] = (time.monotonic() + self.seconds, value)

    def clear(self) -> None:
        self._items.clear()
