"""What every benchmark prints first: the machine (CPU model, cores, memory), the software and the exact command,
so that a figure can be compared with another only when these match."""
from __future__ import annotations

import os
import platform
import shlex
import sys
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def describe() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"machine: {cpu_model()}, {usable} usable cores ({os.cpu_count()} online), {memory_gib():.1f} GiB; "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}\n"
            f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}")


def print_header() -> None:
    print(describe(), flush=True)
