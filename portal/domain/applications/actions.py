"""Use cases on an application: submitting it, and taking a workflow step on it (a clerk approving or
rejecting a case, asking for more information; the applicant resubmitting or withdrawing).

Routes (`portal.web.applicant`, `portal.web.staff`) and the demo data call these. Each asks the engine
(`portal.domain.workflow.engine`) whether the person may, then `transitions.apply` writes the decision
with its event, audit entry, due date, notifications and documents to issue (outbox rows). The caller
commits: everything happens in its one transaction, or nothing does.
"""

from __future__ import annotations

from portal.data import applications as application_data
from portal.domain import assisted, clock
from portal.domain.applications import display, journey, limits, transitions
from portal.domain.catalogue import Service
from portal.domain.workflow import engine
from portal.domain.workflow.engine import DRAFT, Decision


class AlreadySubmitted(Exception):
    """The application is not a draft (any more): submitted before, or by a request a moment ago."""


class Refused(Exception):
    """The definition does not allow these answers (a period not ended, the same thing applied for twice);
    `refusals` says why (portal.domain.applications.limits)."""

    def __init__(self, refusals) -> None:
        super().__init__(refusals)
        self.refusals = refusals


class SomethingMissing(Exception):
    """Answers or documents the definition requires are missing; `gaps` lists them."""

    def __init__(self, gaps) -> None:
        super().__init__("something is missing")
        self.gaps = gaps


def submit(service: Service, application, person) -> Decision:
    """Submit a draft for `person`, its applicant: check that nothing required is missing, move it to
    the workflow's first state (reference, due date, queue), and ask for the receipt. Raises
    `AlreadySubmitted` or `SomethingMissing`; the caller commits."""
    if application.state != DRAFT:
        raise AlreadySubmitted
    assisted.check_may_file(application)  # an operator's filing needs the citizen's recorded consent
    steps = journey.visible_steps(service, application.answers)
    gaps = display.missing(service, steps, application.answers, {a.requirement_id for a in application.attachments})
    if gaps:
        raise SomethingMissing(gaps)
    if service.once_per_applicant is not None:
        application_data.hold_submissions_like(application)  # before looking at the others
    refused = limits.refusals(service, application, application.answers)
    if refused:
        raise Refused(refused)
    # A draft keeps the definition it started on, even if the service was retired since.
    decision = engine.submit(service, transitions.snapshot(service, application),
                             transitions.actor_for(person, True), now=clock.now())
    try:
        transitions.apply(service, application, decision, person)
    except transitions.Conflict:
        raise AlreadySubmitted from None
    transitions.request_receipt(service, application)
    assisted.record_filing(application)
    return decision


def take_step(service: Service, application, person, action: str, *, as_applicant: bool, **details) -> Decision:
    """Take the workflow step `action` on the application for `person` (as its applicant, or as staff
    through their roles): approve, reject, request information, resubmit, withdraw... `details` are the
    step's reason (`reason_id`, `reason_text`) and, for a request for information, `editable_fields`.
    Raises `engine.NotAllowed` (with a code saying why) or `transitions.Conflict` when someone moved the
    application first; the caller commits."""
    decision = engine.decide(service, transitions.snapshot(service, application),
                             transitions.actor_for(person, as_applicant), action, now=clock.now(), **details)
    transitions.apply(service, application, decision, person)
    return decision
