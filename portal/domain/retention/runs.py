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
    removed_files: set[str] = set()
    for document in plan.unused:
        try:
            if removal.remove_unused(document, day):
                done.unused.append(document)
                if document.sha256 in plan.unused_files:
                    removed_files.add(document.sha256)
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("retention: document %s could not be removed; tried again next run", document.public_id)
            failed += 1
    done.unused_files = frozenset(removed_files)
    for session in plan.sessions:
        try:
            if removal.remove_kiosk_session(session, day):
                done.sessions.append(session)
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("retention: kiosk session %s could not be removed; tried again next run", session.public_id)
            failed += 1
    for account in plan.accounts:
        try:
            if removal.remove_closed_account(account):
                done.accounts.append(account)
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("retention: closed account %s could not be removed; tried again next run", account.public_id)
            failed += 1
    return done, failed


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
