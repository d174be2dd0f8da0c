"""Index tables → CSV or Parquet files in `DATA/index/`, written atomically.

A file is written beside its target and renamed over it, so a reader (or a crash) only ever
sees the old file or the new one. Same input, same bytes: floats are rounded to 6 places.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd

DECIMALS = 6


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = frame.round(DECIMALS).to_csv(index=False, lineterminator="\n")
    write_atomic(path, data.encode("utf-8"))
    return path


def write_atomic(path: Path, data: bytes) -> None:
    descriptor, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def write_table(frame: pd.DataFrame, path: Path, fmt: str = "csv") -> Path:
    """`fmt` "csv" (the default, documented in the README) or "parquet" (same columns,
    typed; needs pyarrow)."""
    if fmt == "csv":
        return write_csv(frame, path)
    target = path.with_suffix(".parquet")
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    frame.round(DECIMALS).to_parquet(buffer, index=False)
    write_atomic(target, buffer.getvalue())
    return target
