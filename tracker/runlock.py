"""One run at a time per data directory.

`tracker daily` and `tracker backfill` hold an exclusive lock on `DATA/tracker.lock`
(`flock`: the operating system drops it when the process dies, even by kill -9, so a
crashed run never blocks the next one). A second run finds the lock taken and stops at
once with `BusyError` (exit 6), naming the process that holds it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from tracker.errors import BusyError


@contextmanager
def exclusive_run(data_dir: Path, command: str) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "tracker.lock"
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BusyError(
                f"{path}: {holder} is running on this data directory. Fix: wait for it to "
                "finish (cron: schedule runs further apart), or use another --data-dir."
            ) from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(f"tracker {command} (pid {os.getpid()}, started {started})")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock
