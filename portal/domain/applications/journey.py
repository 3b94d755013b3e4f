"""The applicant's side of an application: start, save answers, attach documents.

State changes (submit, withdraw, answering a request for information) go through the workflow
engine in `transitions.py`; this module only edits drafts and the fields a clerk opened.
"""

from __future__ import annotations

from portal.data import applications as application_data
from portal.data.models import Application
from portal.domain.applications import answer_files, versions
from portal.domain.catalogue import Service
from portal.domain.catalogue.prefills import PREFILLS

DRAFT = "draft"


class NotEditable(Exception):
    """The application is not a draft and the clerk did not open this part of it."""


def start(service: Service, person, organisation=None, assisted_session=None) -> Application:
    """`assisted_session`: the operator's session at a kiosk when an operator starts it for `person`."""
    return application_data.create(
        assisted_session_id=assisted_session.id if assisted_session is not None else None,
        service_version_id=versions.pin(service).id,
        service_slug=service.slug,
        applicant_person_id=person.id,
        organisation_id=organisation.id if organisation else None,
        answers={},
    )


def editable_ids(application: Application) -> set[str] | None:
    """None: everything is editable (a draft). Otherwise the field and document ids a clerk opened."""
    if application.state == DRAFT:
        return None
    return set(application.editable or ())


def save_answers(application: Application, new_answers: dict, seen_state: str | None = None) -> None:
    """Merge `new_answers` into the stored ones, under the application's row lock and read afresh: two tabs or a
    double click saving at once each add to what the other left, and the file fields' attachments follow.
    `seen_state`: the state the caller's checks were made in; NotEditable if another request moved it since
    (submitted from another tab), or removed the application."""
    if not application_data.lock_for_write(application) or (seen_state is not None
                                                             and application.state != seen_state):
        raise NotEditable
    allowed = editable_ids(application)
    if allowed is not None:
        if not allowed:
            raise NotEditable
        new_answers = {k: v for k, v in new_answers.items() if k in allowed}
    application.answers = {**(application.answers or {}), **new_answers}
    answer_files.sync(versions.definition_for(application), application)


def can_attach(application: Application, requirement_id: str) -> bool:
    allowed = editable_ids(application)
    return allowed is None or requirement_id in allowed


def visible_steps(service: Service, answers: dict):
    from portal.domain.applications.values import values_for
    from portal.domain.expression_contexts import FORMS

    values = values_for(FORMS, service, answers)
    return [step for step in service.steps if step.show_when is None or step.show_when.is_true(values)]




def prefilled(service: Service, step, application: Application, person) -> dict:
    """The saved answers, with the step's unanswered fields filled from the profile where the
    definition says so (`prefill: profile.name_km`)."""
    from portal.data import organisations

    answers = dict(application.answers or {})
    organisation = organisations.get_by_id(application.organisation_id) if application.organisation_id else None
    for field in step.fields:
        if field.prefill and answers.get(field.id) in (None, ""):
            value = PREFILLS[field.prefill](person, organisation)
            if value not in (None, ""):
                answers[field.id] = value
    return answers


def changeable_steps(application: Application, steps) -> set[str]:
    """The ids of the steps the applicant may still change: all of a draft, else those with an opened field."""
    allowed = editable_ids(application)
    return {s.id for s in steps if allowed is None or allowed & {f.id for f in s.fields}}
