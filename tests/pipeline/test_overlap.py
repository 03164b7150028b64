"""OneAhead: the next batch is prepared while the previous one is finished, never more than one in flight, results
in order, and a failure of the finishing stage reaches the caller before anything after it is started."""

from __future__ import annotations

import threading

import pytest

from platewarden.pipeline.overlap import OneAhead


def test_results_in_order_with_one_batch_in_flight() -> None:
    in_flight, most, lock, finished = 0, 0, threading.Lock(), []

    def finish(n: int) -> int:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        finished.append(n)
        with lock:
            in_flight -= 1
        return n * n

    results: list[int] = []
    with OneAhead(finish) as writer:
        for n in range(20):
            results += writer.submit(n)
        results += writer.drain()
    assert results == [n * n for n in range(20)] and finished == list(range(20)) and most == 1


def test_the_caller_prepares_while_the_previous_batch_is_finished() -> None:
    started, release = threading.Event(), threading.Event()

    def finish(n: int) -> int:
        started.set()
        assert release.wait(5)
        return n

    with OneAhead(finish) as writer:
        assert writer.submit(1) == []
        assert started.wait(5)  # batch 1 is being finished ...
        prepared_meanwhile = 2  # ... while the caller works on batch 2
        release.set()
        assert writer.submit(prepared_meanwhile) == [1]
        assert writer.drain() == [2]


def test_a_failed_batch_stops_the_next_from_starting() -> None:
    finished: list[int] = []

    def finish(n: int) -> int:
        if n == 3:
            raise RuntimeError("the database said no")
        finished.append(n)
        return n

    writer: OneAhead[int, int] = OneAhead(finish)
    with pytest.raises(RuntimeError, match="said no"):
        for n in range(10):
            writer.submit(n)
    writer.close()
    assert finished == [0, 1, 2]  # 4 was never started: its caller learnt of 3's failure first
