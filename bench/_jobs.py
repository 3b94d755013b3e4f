"""Jobs the benchmarks run. In a module of their own, so that RQ, which stores a job as the dotted name
of its function, can import it in the worker (a function defined inside `main()` cannot be: every job
then failed, and the benchmark measured failures)."""

from __future__ import annotations

from portal.jobs import queues
from portal.jobs.registry import job


@job(queues.DEFAULT, name="bench.trivial", retry_intervals=())
def trivial(number: int) -> int:
    return number


def plain_trivial(number: int) -> int:
    """The same work as `trivial`, unregistered: the plain RQ baseline enqueues it straight to RQ."""
    return number
