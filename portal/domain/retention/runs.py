"""A retention run: the daily job (portal.jobs.cron) and `flask retention run`. It plans the day, then
(unless a dry run) carries out the plan application by application, and keeps the report."""

from __future__ import annotations

import dataclasses
import logging
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from portal.data import retention as retention_data
from portal.data.db import db
from portal.domain import clock
from portal.domain.retention import planning, removal
from portal.jobs import names
from portal.jobs.queues import DEFAULT
from portal.jobs.registry import job

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Outcome:
    run_id: int
    lines: list[planning.Line]
    failed: int
    accounts: int  # closed accounts removed (their last case went before)
    sessions: int  # kiosk sessions removed, with their consent forms

    @property
    def totals(self) -> planning.Line:
        total = planning.Line(None, 0)
        for line in self.lines:
            total.add(line)
        return total

    def counts(self) -> dict:
        """The run's totals as kept in its report."""
        return {**_counts(self.totals), "accounts": self.accounts, "sessions": self.sessions}


def run(day: date | None = None, *, dry_run: bool = False, started_by: str = "schedule") -> Outcome:
    """Plan `day` (today in Cambodia) and, unless `dry_run`, do it. Idempotent: what is done is not due again."""
    day = day or clock.today()
    plan = planning.plan(day)
    record = retention_data.start_run(day, dry_run, started_by)
    db.session.commit()  # the closing times stamped while planning, and the run as started
    run_id = record.id
    if dry_run:
        done, failed = plan, 0
    else:
        done, failed = _carry_out(plan, day)
    outcome = Outcome(run_id, done.lines(), failed, len(done.accounts), len(done.sessions))
    retention_data.finish_run(run_id, outcome.counts(), [_row(line) for line in outcome.lines], failed)
    db.session.commit()
    return outcome


def _carry_out(plan: planning.Plan, day: date) -> tuple[planning.Plan, int]:
    """What was done, as a plan (so it is counted as the dry run the same day counts)."""
    done = planning.Plan(day)
    failed = 0
    for service, planned in plan.steps:
        try:
            step = removal.carry_out(service, planned, day)
        except SQLAlchemyError:
            # This application stays as it was (its transaction is rolled back); the next run tries again.
            db.session.rollback()
            log.exception("retention: application %s could not be done; tried again next run", planned.facts.public_id)
            failed += 1
            continue
        if step is not None:
            done.steps.append((service, step))
    done.held = plan.held
    done.unused, unused_failed = _remove_each(plan.unused, lambda document: removal.remove_unused(document, day),
                                              "document")
    done.unused_files = frozenset(d.sha256 for d in done.unused if d.sha256 in plan.unused_files)
    done.sessions, sessions_failed = _remove_each(
        plan.sessions, lambda session: removal.remove_kiosk_session(session, day), "kiosk session")
    done.accounts, accounts_failed = _remove_each(plan.accounts, removal.remove_closed_account, "closed account")
    return done, failed + unused_failed + sessions_failed + accounts_failed


def _remove_each(planned: list, remove, kind: str) -> tuple[list, int]:
    """`remove` each planned item in a transaction of its own: those it removed, and how many failed (each rolled
    back alone and logged; the next run tries again)."""
    removed, failed = [], 0
    for item in planned:
        try:
            if remove(item):
                removed.append(item)
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("retention: %s %s could not be removed; tried again next run", kind, item.public_id)
            failed += 1
    return removed, failed


def _counts(line: planning.Line) -> dict:
    return {k: getattr(line, k) for k in ("removed", "reduced", "documents", "files", "held")}


def _row(line: planning.Line) -> dict:
    return {"service": line.service, "year": line.year, **_counts(line)}


def last_run(dry_run: bool = False):
    runs = retention_data.last_runs(dry_run)
    return runs[0] if runs else None


@job(DEFAULT, timeout=3600, retry_intervals=(), name=names.RUN_RETENTION)
def run_retention() -> dict:
    """The daily run. No retries: the next day's run does what this one could not."""
    return run().counts()
