"""The applicant's and staff's use cases, with what they owe: submitting freezes the assessment, and a
later step (a resubmission after a request for information, a clerk's step) reassesses it. Routes and
commands call these rather than `portal.domain.applications.actions` directly. The caller commits."""

from __future__ import annotations

from portal.domain.applications import actions, staff_data
from portal.domain.catalogue import Service
from portal.domain.workflow.engine import Decision
from portal.payments import account, assessments


def submit(service: Service, application, person) -> Decision:
    decision = actions.submit(service, application, person)
    assessments.freeze(service, application, assessments.SUBMITTED)
    account.sync_paid(service, application)
    return decision


def take_step(service: Service, application, person, action: str, *, as_applicant: bool, **details) -> Decision:
    decision = actions.take_step(service, application, person, action, as_applicant=as_applicant, **details)
    if assessments.reassess(service, application, person) is not None:
        account.sync_paid(service, application)
    return decision


def save_staff_step(service: Service, application, person, step, values: dict, **seen) -> None:
    """Store what staff entered on a step of the case (`staff_data.save_step`): a fee may be worked out from it
    (one "to be assessed" until then), so the fees are assessed again and the `paid` fact follows."""
    staff_data.save_step(service, application, person, step, values, **seen)
    if assessments.reassess(service, application, person) is not None:
        account.sync_paid(service, application)
