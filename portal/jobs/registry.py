"""The jobs the portal knows, by name (`portal.jobs.names`). The outbox stores names, and the relay only
ever runs a function registered here: a row in the database can never name arbitrary code. A name is
stable: moving the module that defines a job leaves the rows that name it runnable."""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from rq import Retry

log = logging.getLogger(__name__)

# Modules that define jobs; imported by the relay and the worker so the registry is complete.
JOB_MODULES = ("portal.domain.notify.jobs", "portal.domain.rendering.jobs", "portal.domain.identity.password_reset",
               "portal.domain.identity.registration", "portal.domain.identity.enrolment",
               "portal.domain.applications.escalation", "portal.domain.audit.head",
               "portal.domain.organisations.invitations", "portal.domain.identity.sessions",
               "portal.payments.polling", "portal.payments.dev_bank", "portal.domain.api_writes",
               "portal.domain.webhooks", "portal.domain.retention.runs",
               "portal.domain.personal_data.exports")


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: Callable
    queue: str
    timeout: int
    retry_intervals: tuple[int, ...]

    def retry(self) -> Retry | None:
        if not self.retry_intervals:
            return None
        return Retry(max=len(self.retry_intervals), interval=list(self.retry_intervals))


_jobs: dict[str, JobSpec] = {}
_warm_ups: list[Callable[[], None]] = []


def job(queue: str, *, name: str, timeout: int = 120, retry_intervals: tuple[int, ...] = (10, 60, 300)):
    """Register a job function under `name` (one of `portal.jobs.names`). Jobs take ids and plain values,
    and must be idempotent: running one twice has the effect of running it once."""

    def register(function: Callable) -> Callable:
        known = _jobs.get(name)
        if known is not None and known.function.__qualname__ != function.__qualname__:
            raise ValueError(f"job name {name!r} is taken by {known.function.__module__}.{known.function.__qualname__}")
        _jobs[name] = JobSpec(name, function, queue, timeout, tuple(retry_intervals))
        function.job_name = name
        return function

    return register


def warm_up(function: Callable[[], None]) -> Callable[[], None]:
    """Register `function` to run once in the worker process, inside the app context, before it forks its
    first work horse: whatever it loads (fonts, parsed templates, library caches) every horse then finds
    in the memory it was forked from, instead of loading it again for each job."""
    if function not in _warm_ups:
        _warm_ups.append(function)
    return function


def run_warm_ups(app, freeze: bool = True) -> None:
    """Run the warm-ups; then (`freeze`) move every object the worker holds out of the garbage collector's
    sight (gc.freeze): a horse's collections would otherwise walk, and so copy page by page out of the
    memory it shares with the worker, the whole inherited heap (bench/receipt_job.py)."""
    load_all()
    with app.app_context():
        for function in _warm_ups:
            try:
                function()
            except Exception:  # a warm-up only saves time: the jobs themselves report real problems
                log.exception("worker warm-up %s failed; jobs will load what it would have", function.__qualname__)
    if freeze:
        gc.freeze()


def get(name: str) -> JobSpec:
    load_all()
    return _jobs[name]


def load_all() -> None:
    for module in JOB_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
