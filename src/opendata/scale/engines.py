"""Map a pure function over work items, results in item order whatever runs them: this process, a pool of local
processes, or a Dask cluster (a LocalCluster here, a real one by its scheduler address).

At most `window` items are in flight, so results never pile up faster than the caller consumes them: memory is
bounded by the window, not by the number of items.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Engine:
    name: str = "local"  # local | dask
    jobs: int = 0  # worker processes; 0 = every core
    scheduler: str | None = None  # dask: a scheduler address (tcp://host:8786); None starts a LocalCluster
    processes: bool = True  # dask LocalCluster: worker processes (False: threads in this process, for tests)

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


def ordered_map(fn: Callable, items: Iterable, engine: Engine = Engine()) -> Iterator:
    """fn(item) for every item, in order."""
    if engine.name == "dask":
        with _dask_client(engine) as client:
            yield from _windowed(lambda f, x: client.submit(f, x, pure=False), fn, items, 4 * engine.workers)
    elif engine.workers <= 1:
        yield from map(fn, items)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(engine.workers) as pool:
            yield from _windowed(pool.submit, fn, items, 4 * engine.workers)


def _windowed(submit: Callable, fn: Callable, items: Iterable, window: int) -> Iterator:
    pending: deque = deque()
    for item in items:
        pending.append(submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@contextmanager
def _dask_client(engine: Engine):
    from distributed import Client, LocalCluster

    if engine.scheduler:
        with Client(engine.scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=engine.workers, threads_per_worker=1, processes=engine.processes,
                      dashboard_address=None, silence_logs=50) as cluster, Client(cluster) as client:
        yield client
