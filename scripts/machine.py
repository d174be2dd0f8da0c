"""One line naming the machine a benchmark ran on, for the figures in the README."""

from __future__ import annotations

import platform
import re
from pathlib import Path

import torch

from tracker.score.runtime import cpu_has_bf16, usable_cores


def cpu_model() -> str:
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or platform.machine()
    found = re.search(r"^model name\s*:\s*(.+)$", info, flags=re.M)
    return found.group(1).strip() if found else platform.machine()


def memory_gib() -> float | None:
    try:
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, flags=re.M)
    return int(found.group(1)) / 2**20 if found else None


def describe() -> str:
    memory = memory_gib()
    return (
        f"{cpu_model()}, {usable_cores()} usable cores, "
        f"{f'{memory:.0f} GiB RAM, ' if memory else ''}"
        f"bf16 {'yes' if cpu_has_bf16() else 'no'}, no GPU used; "
        f"Python {platform.python_version()}, torch {torch.__version__}"
    )
