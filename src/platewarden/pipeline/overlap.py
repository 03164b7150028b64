"""Two stages of a batch stream at once: the caller prepares batch k+1 (parsing, verifying, sealing: Python work)
while one worker thread finishes batch k (the database insert and commit, which waits on the server with the GIL
released). On two cores this is what lets ingest use both (bench/ingest.py measures it).

One batch is in flight at most, so memory stays bounded and results come back in order; an exception of the
finishing stage is raised to the caller at the next ``submit`` or at ``drain``, never lost.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class OneAhead(Generic[T, R]):
    def __init__(self, finish: Callable[[T], R], name: str = "platewarden-writer") -> None:
        self._finish = finish
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._pending: Future[R] | None = None

    def submit(self, prepared: T) -> list[R]:
        """Start finishing ``prepared``; returns the result of the batch finished before it (if any), after it
        completed. If that batch failed, its exception is raised and ``prepared`` is not started."""
        done = self.drain()
        self._pending = self._pool.submit(self._finish, prepared)
        return done

    def drain(self) -> list[R]:
        """Wait for the batch in flight; its result (empty when none was in flight)."""
        pending, self._pending = self._pending, None
        return [] if pending is None else [pending.result()]

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> OneAhead[T, R]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        try:
            if kind is None:
                self.drain()
        finally:
            self.close()
