"""A cache of shared results bounded by their size, not only by their number.

Streamlit's caches keep up to ``max_entries`` values whatever their size. A
check result holds one row per carrier (about 70 bytes each, sharing the
dataset's strings): 64 results of a province's 100,000 carriers are about
470 MB, of a million carriers about 4.7 GB — one long-lived server, many filters
and dates, and the process would run out of memory. This cache drops the
least recently used results once their rows together pass a budget, so a
small register keeps many results and a national one a few.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class BoundedCache(Generic[T]):
    """Least-recently-used values, at most ``max_entries`` and ``max_size`` in all.

    ``size(value)`` says how big a value is (for a check result: its carrier
    rows). The newest value is always kept, even when it alone is over the
    budget. Safe to share between sessions (threads): a value is computed
    once per key, others asking for the same key meanwhile wait for it.
    """

    def __init__(self, max_entries: int, max_size: int, size: Callable[[T], int]):
        self.max_entries = max_entries
        self.max_size = max_size
        self._size = size
        self._values: OrderedDict[Hashable, tuple[T, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key``, computed by ``compute()`` when it is not kept."""
        with self._lock:
            kept = self._kept(key)
            if kept is not None:
                return kept[0]
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                kept = self._kept(key)
                if kept is not None:
                    return kept[0]
            try:
                value = compute()
            except BaseException:
                with self._lock:
                    self._computing.pop(key, None)
                raise
            with self._lock:
                self._values[key] = (value, self._size(value))
                self._computing.pop(key, None)
                self._evict()
            return value

    @property
    def total_size(self) -> int:
        """The sizes of the kept values, added."""
        with self._lock:
            return sum(size for _, size in self._values.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def _kept(self, key: Hashable) -> tuple[T, int] | None:
        """The kept value and its size, now the most recently used; ``None`` if not kept."""
        kept = self._values.get(key)
        if kept is not None:
            self._values.move_to_end(key)
        return kept

    def _evict(self) -> None:
        """Drop the least recently used values until both limits hold (the newest stays)."""
        total = sum(size for _, size in self._values.values())
        while len(self._values) > 1 and (len(self._values) > self.max_entries
                                         or total > self.max_size):
            _, (_, size) = self._values.popitem(last=False)
            total -= size
