"""Jobs used by the reliability tests; real RQ jobs, imported by real worker processes."""

from __future__ import annotations

import time
from pathlib import Path

from portal.jobs import queues
from portal.jobs.registry import job


@job(queues.DEFAULT, name="tests.slow_append", timeout=60, retry_intervals=(1, 1))
def slow_append(path: str, seconds: float) -> str:
    """Marks its start (with the time), works for a while, then records that it finished; does it only once."""
    log = Path(path)
    if log.exists() and "done" in log.read_text().split():
        return "already done"
    with log.open("a") as out:
        out.write(f"started {time.time()}\n")
    time.sleep(seconds)
    with log.open("a") as out:
        out.write("done\n")
    return "done"


@job(queues.DEFAULT, name="tests.note_time", timeout=10, retry_intervals=())
def note_time(path: str) -> None:
    """Writes the time it started at: how long after enqueueing a worker took it."""
    with Path(path).open("a") as out:
        out.write(f"{time.time()}\n")


@job(queues.DEFAULT, name="tests.always_fails", timeout=10, retry_intervals=(0, 0))
def always_fails(reason: str) -> None:
    raise RuntimeError(f"this job always fails: {reason}")
