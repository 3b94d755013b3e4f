"""The applicant's side of an application: start, save answers, attach documents.

State changes (submit, withdraw, answering a request for information) go through the workflow
engine in `transitions.py`; this module only edits drafts and the fields a clerk opened.
"""

from __future__ import annotations

from portal.applications import versions
from portal.catalogue import Service
from portal.data import applications as application_data
from portal.data.models import Application

DRAFT = "draft"


class NotEditable(Exception):
    """The application is not a draft and the clerk did not open this part of it."""


def start(service: Service, person, organisation=None) -> Application:
    return application_data.create(
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


def save_answers(application: Application, new_answers: dict) -> None:
    allowed = editable_ids(application)
    if allowed is not None:
        if not allowed:
            raise NotEditable
        new_answers = {k: v for k, v in new_answers.items() if k in allowed}
    application.answers = {**(application.answers or {}), **new_answers}


def can_attach(application: Application, requirement_id: str) -> bool:
    allowed = editable_ids(application)
    return allowed is None or requirement_id in allowed


def visible_steps(service: Service, answers: dict):
    from portal.applications.values import expression_values

    values = expression_values(service, answers)
    return [step for step in service.steps if step.show_when is None or step.show_when.is_true(values)]
