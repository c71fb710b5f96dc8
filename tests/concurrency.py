"""One harness for the suite's concurrency tests: N threads start together (a barrier), each
runs `target(i)` with its own database connection, and the exceptions come back to the test."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_threads(target: Callable[[int], object], n: int,
                timeout: float = 120) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def worker(i: int) -> None:
        try:
            start.wait(timeout=timeout)
            target(i)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    return errors
