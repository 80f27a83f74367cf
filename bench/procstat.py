"""CPU time and resident memory of a server's process tree, read from /proc (Linux only).

The tree (the process and its descendants) is summed so that a server which forks workers is measured whole.
"""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def read_stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat from the state onwards (field 3); the command name may hold spaces."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text.rpartition(")")[2].split()


def list_children(parent: int) -> list[int]:
    children = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = read_stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == parent:
                children.append(int(entry.name))
    return children


def process_tree(pid: int) -> list[int]:
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(list_children(current))
    return tree


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process tree, in seconds."""
    ticks = 0
    for member in process_tree(pid):
        fields = read_stat_fields(member)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    """VmRSS of the process tree, in bytes."""
    total = 0
    for member in process_tree(pid):
        total += read_vmrss_kib(member) * 1024
    return total


def read_vmrss_kib(pid: int) -> int:
    try:
        lines = (PROC / str(pid) / "status").read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
