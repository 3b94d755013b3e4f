"""Child processes of the worker (RQ's work horse and scheduler) that must not outlive it."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process as soon as its parent `parent_pid` dies, however it
    dies (SIGKILL included). RQ puts the work horse in a process group of its own, so killing the
    worker's group misses it: without this a horse orphaned by its worker runs on, finishes or
    repeats a job that another worker has already taken over as abandoned."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before we asked
        os._exit(1)
