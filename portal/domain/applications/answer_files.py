"""A file field's answer is a document's public id. That document is also attached to the application, under
`field:<field id>`, kept in step with the answers each time they are saved: whatever asks which documents an
application uses (the clerk's case page and download, retention, closing an account, "download my data") reads
the attachments, and none of it has to read answers to find a file."""

from __future__ import annotations

from portal.data import applications as application_data
from portal.data import documents as document_data
from portal.data.models import Application
from portal.domain.applications.values import values_for
from portal.domain.catalogue import Service
from portal.domain.expression_contexts import FORMS

PREFIX = "field:"


def link_id(field_id: str) -> str:
    return PREFIX + field_id


def is_field_link(requirement_id: str) -> bool:
    return requirement_id.startswith(PREFIX)


def file_fields(service: Service) -> dict[str, object]:
    """{field id: field} of the service's file fields (never inside a group: FileKind.in_groups)."""
    return {field.id: field for step in service.steps for field in step.fields if field.type == "file"}


def _asked(service: Service, answers: dict) -> list[str]:
    """The file fields these answers ask: on a step that is shown, and shown on it. An answer to a question no
    longer asked stays in the answers (it comes back if the question does) but is no part of the application."""
    values = values_for(FORMS, service, answers)
    return [field.id for step in service.steps if step.show_when is None or step.show_when.is_true(values)
            for field in step.fields
            if field.type == "file" and (field.show_when is None or field.show_when.is_true(values))]


def sync(service: Service, application: Application) -> None:
    """Attach what the asked file fields' answers name, and detach what they no longer name. The caller holds
    the application's row lock (journey.save_answers), so two saves at once cannot both keep their own file.
    A name that is not a document (it cannot be: the form offers the person's own) is left out."""
    if not file_fields(service):
        return  # most services: and an application keeps the definition it started on, so it has no links either
    answers = application.answers or {}
    wanted = set()
    for field_id in _asked(service, answers):
        public_id = answers.get(field_id)
        document = document_data.get_by_public_id(public_id) if isinstance(public_id, str) else None
        if document is not None:
            wanted.add((link_id(field_id), document.id))
    linked = {(a.requirement_id, a.document_id): a for a in application.attachments if is_field_link(a.requirement_id)}
    for key, attachment in linked.items():
        if key not in wanted:
            application_data.detach(application, attachment.id)
    for requirement_id, document_id in wanted - linked.keys():
        application_data.attach(application, requirement_id, document_id)


def label_of(service: Service, requirement_id: str):
    """The bilingual label of what an attachment answers: a document requirement, or a file field."""
    if is_field_link(requirement_id):
        field = file_fields(service).get(requirement_id.removeprefix(PREFIX))
        return field.label if field is not None else None
    requirement = next((r for r in service.documents if r.id == requirement_id), None)
    return requirement.label if requirement is not None else None
