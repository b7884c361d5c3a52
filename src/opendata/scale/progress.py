"""The progress bar of long commands (build: sources extracted; validate: checks run), drawn with rich on stderr
only when it is a terminal and not asked to be quiet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(quiet: bool, label: str = "extracting") -> Iterator[Callable[..., None] | None]:
    """Yields `advance(done, total=None)`, or None when quiet or stderr is no terminal (nothing is drawn)."""
    import sys

    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int | None = None) -> None:
            if total is not None:
                progress.update(task, total=total)
            progress.advance(task, done)

        yield advance
