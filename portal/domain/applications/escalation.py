"""Escalation: tell each agency's supervisors about cases that are overdue or due within a day.

Runs as a job every few minutes (portal.jobs.cron). Each case is escalated once per kind and due
date (the `escalations` unique key), so a supervisor hears about a breach once however often the
job runs or however many workers run it, and hears again only when the case breaches a new deadline
(it moved on to a state with its own due date). One message per agency and run lists the cases, so a
bad morning is one email, not fifty."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from portal.data import escalations, queues
from portal.data.db import db, utcnow
from portal.domain.applications.labels import agency_name
from portal.domain.catalogue import agency_roles, get_catalogue
from portal.domain.notify.service import notify
from portal.domain.workflow.calendar import DUE_SOON
from portal.domain.workflow.engine import SUPERVISOR
from portal.jobs import names
from portal.jobs.queues import DEFAULT
from portal.jobs.registry import job

log = logging.getLogger(__name__)
LIST_AT_MOST = 30  # references listed in one message; the queue shows the rest


def escalate(now: datetime | None = None) -> dict[str, int]:
    """Record and notify every case not yet escalated for its current deadline; returns counts by kind."""
    now = now or utcnow()
    new: dict[str, dict[str, list[str]]] = defaultdict(lambda: {escalations.BREACHED: [], escalations.DUE_SOON: []})
    supervisors: dict[str, list] = {}
    for application, kind in escalations.not_escalated(now, now + DUE_SOON):
        agency = application.current_agency
        if agency not in supervisors:
            supervisors[agency] = queues.agency_staff(
                agency, agency_roles.acting_as(get_catalogue(), agency, (SUPERVISOR,)))
            if not supervisors[agency]:
                log.warning("escalation: agency %s has no active supervisor to tell", agency)
        # With nobody to tell, nothing is recorded: the run after a supervisor is appointed tells them.
        if supervisors[agency] and escalations.record(application, kind, now):
            new[agency][kind].append(application.reference or application.public_id)
    for slug, found in new.items():
        for supervisor in supervisors[slug]:
            notify(supervisor, "cases_escalated", {
                "agency": agency_name(slug),
                "breached": len(found[escalations.BREACHED]), "due_soon": len(found[escalations.DUE_SOON]),
                "breached_list": _listed(found[escalations.BREACHED]),
                "due_soon_list": _listed(found[escalations.DUE_SOON]),
            }, link="/staff/queue")
    db.session.commit()
    return {kind: sum(len(found[kind]) for found in new.values())
            for kind in (escalations.BREACHED, escalations.DUE_SOON)}


def _listed(references: list[str]) -> str:
    shown = ", ".join(references[:LIST_AT_MOST])
    more = len(references) - LIST_AT_MOST
    return f"{shown} (+{more})" if more > 0 else (shown or "-")


@job(DEFAULT, timeout=600, retry_intervals=(), name=names.ESCALATE_DUE_CASES)
def escalate_due_cases() -> dict[str, int]:
    """The scheduled job; no retries, the next run picks up whatever this one missed."""
    return escalate()
