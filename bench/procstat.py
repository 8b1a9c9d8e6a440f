"""What a process has used, read from /proc: its CPU time and its peak resident memory."""

from __future__ import annotations

import os
from pathlib import Path


def cpu_seconds(pid: int | str = "self") -> float:
    """User plus system CPU time the process has used (utime and stime in /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int | str = "self") -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
