"""Jobs the benchmarks run. In a module of their own, so that RQ, which stores a job as the dotted name
of its function, can import it in the worker (a function defined inside `main()` cannot be: every job
then failed, and the benchmark measured failures)."""

from __future__ import annotations

import sys
from pathlib import Path

# This checkout's portal, not the one the virtualenv installs (imported before _portal.py does the same).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.jobs import queues  # noqa: E402
from portal.jobs.registry import job  # noqa: E402


@job(queues.DEFAULT, name="bench.trivial", retry_intervals=())
def trivial(number: int) -> int:
    return number


def plain_trivial(number: int) -> int:
    """The same work as `trivial`, unregistered: the plain RQ baseline enqueues it straight to RQ."""
    return number
