"""Filing for the business through the API: start a draft, answer its steps, attach files, submit. Each route
calls what the pages call (journey, answering, attaching, submission): a rule lives in one place.

The person who files is the owner who made the token (an owner who leaves the business takes their tokens
with them: api_tokens.revoke_made_by). Writes are one unit of work each (writes.py): a problem leaves nothing
behind. Creating, attaching and submitting take an `Idempotency-Key`.
"""

from __future__ import annotations

from flask import abort, request

from portal.data import applications as application_data
from portal.data import documents as document_data
from portal.domain import application_files, assisted, links
from portal.domain.applications import actions, answering, display, journey, transitions, versions
from portal.domain.catalogue import get_catalogue
from portal.domain.documents.uploads import UploadRefused
from portal.domain.fields.builder import FIELD_ID
from portal.domain.i18n.formatting import current_locale, pick
from portal.domain.workflow import engine
from portal.extensions import db
from portal.payments import submission
from portal.web.api import problems
from portal.web.api.applications import application_json, summary_json
from portal.web.api.auth import current_token
from portal.web.api.operations import operation
from portal.web.api.texts import FILING, PROBLEMS
from portal.web.applicant.refusals import refusal_message


def _invalid(errors: list[dict], title=FILING["invalid_title"], detail=FILING["invalid"]):
    return problems.response(422, title, detail, kind="invalid-answers", errors=errors)


def _error(pointer: str | None, message) -> dict:
    """One entry of a problem's `errors`: the field's id (when what was sent names one), where in what was sent
    (a JSON Pointer), and what is wrong."""
    first = pointer.split("/")[1] if pointer else None
    return {"field": first if first and FIELD_ID.fullmatch(first) else None, "pointer": pointer,
            "message": str(message)}


def _json_object() -> dict | None:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body anyone means
        return None
    return body if isinstance(body, dict) else None


def _filer():
    """The person filing: the owner who made the token."""
    return current_token().created_by


def _draft(public_id: str):
    """The business's application, locked for this write: two requests changing the same draft (two steps, a
    step and the submission) go one after the other, each on what the other left."""
    application = application_data.get_for_organisation(public_id, current_token().organisation_id, for_update=True)
    if application is None:
        abort(404)
    return application, versions.definition_for(application)


def _closed():
    return problems.response(409, FILING["closed_title"], FILING["closed"], kind="not-editable")


def draft_json(application, service, *, with_answers: bool = True) -> dict:
    """An application being filed: its answers, its steps, the documents asked for, and what is missing.
    Without the answers for an answer kept for replays (writes.py): personal data is not kept there."""
    steps = journey.visible_steps(service, application.answers)
    attached = {}
    for attachment in application.attachments:
        attached.setdefault(attachment.requirement_id, []).append(
            {"id": attachment.document.public_id, "name": attachment.document.original_name})
    return {
        **summary_json(application, service),
        **({"answers": application.answers or {}} if with_answers else {}),
        "steps": [{"id": step.id, "title": step.title} for step in steps],
        "documents": [{"id": needed.requirement.id, "label": needed.requirement.label, "required": needed.required,
                       "attached": attached.get(needed.requirement.id, [])}
                      for needed in display.documents_needed(service, application.answers)],
        "missing": [{"step": step.id if step is not None else None, "label": label}
                    for step, label in display.missing(service, steps, application.answers, set(attached))],
    }


@operation("/applications", "POST", operation_id="create_application", tag="filing", scope="file", status=201,
           request_body="NewApplication", response="Draft", errors=(400, 422), idempotent=True,
           summary=FILING["create_summary"], description=FILING["create_description"])
def create_application():
    body = _json_object()
    if body is None:
        return problems.response(400, PROBLEMS[400][0], FILING["not_object"], kind="invalid-body")
    service = get_catalogue().get(body.get("service")) if isinstance(body.get("service"), str) else None
    if service is None or not service.takes_applications or "business" not in service.audience:
        return _invalid([_error("/service", FILING["no_service"])])
    application = journey.start(service, _filer(), current_token().organisation)
    url = links.external_url("api.get_application", public_id=application.public_id)
    return draft_json(application, service), 201, {"Location": url}


@operation("/applications/<public_id>/steps/<step_id>", "PUT", operation_id="answer_step", tag="filing",
           scope="file", request_body="StepAnswers", response="Draft", errors=(400, 404, 409, 422),
           summary=FILING["answer_summary"], description=FILING["answer_description"])
def answer_step(public_id: str, step_id: str):
    application, service = _draft(public_id)
    step = next((s for s in journey.visible_steps(service, application.answers) if s.id == step_id), None)
    if step is None:
        return problems.response(404, PROBLEMS[404][0], FILING["no_step"], kind="no-such-step")
    given = _json_object()
    if given is None:
        return problems.response(400, PROBLEMS[400][0], FILING["not_object"], kind="invalid-body")
    documents = [(d.public_id, d.original_name) for d in document_data.uploads_of_organisation(
        application.organisation_id)]
    try:
        found = answering.answer_step(service, application, step, given, _filer(), current_locale(), documents)
    except journey.NotEditable:  # past the draft, a step no clerk opened again
        return _closed()
    if found:
        return _invalid([_error(problem.pointer, problem.message) for problem in found])
    return draft_json(application, service)


@operation("/applications/<public_id>/documents", "POST", operation_id="attach_document", tag="filing",
           scope="file", status=201, request_body="Attachment", request_media_type="multipart/form-data",
           response="Draft", errors=(400, 404, 409, 413, 422), idempotent=True,
           summary=FILING["attach_summary"], description=FILING["attach_description"])
def attach_document(public_id: str):
    application, service = _draft(public_id)
    wanted = request.form.get("requirement")
    requirement = next((n.requirement for n in display.documents_needed(service, application.answers)
                        if n.requirement.id == wanted), None)
    if requirement is None:
        return _invalid([_error("/requirement", FILING["no_requirement"])])
    if not journey.can_attach(application, requirement.id):  # past the draft, a document no clerk asked for again
        return _closed()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return problems.response(400, PROBLEMS[400][0], FILING["no_file"], kind="no-file")
    try:
        document = application_files.store_for_requirement(service, application, _filer(), requirement, upload.stream,
                                                   upload.filename)
    except UploadRefused as refused:
        return _invalid([_error("/file", refusal_message(refused))], title=FILING["refused_title"])
    except application_files.PhotoTooSmall:
        return _invalid([_error("/file", application_files.photo_too_small_message())], title=FILING["refused_title"])
    application_data.attach(application, requirement.id, document.id)
    return draft_json(application, service, with_answers=False), 201


@operation("/applications/<public_id>/submit", "POST", operation_id="submit_application", tag="filing",
           scope="file", response="Application", errors=(404, 409, 422), idempotent=True,
           summary=FILING["submit_summary"], description=FILING["submit_description"])
def submit_application(public_id: str):
    application, service = _draft(public_id)
    if application.state != journey.DRAFT:
        return _send_back(service, application)
    try:
        submission.submit(service, application, _filer())
    except actions.AlreadySubmitted:
        return problems.response(409, FILING["submitted_title"], FILING["submitted"], kind="already-submitted")
    except actions.SomethingMissing as missing:
        return _invalid([{**_error(None, pick(label)), "step": step.id if step is not None else None}
                         for step, label in missing.gaps],
                        title=FILING["missing_title"], detail=FILING["missing"])
    except actions.Refused as refused:
        return _invalid([_error(f"/{r.field}", r.message) for r in refused.refusals], detail=FILING["refused"])
    except assisted.NoConsent:  # pragma: no cover - an API draft is never an operator's assisted filing
        abort(403)
    return _as_now(application)


def _send_back(service, application):
    """Past the draft, submitting is the applicant's own next step, if the workflow gives one now: the
    corrected application sent back after a clerk's request for information (as the page's button does)."""
    person = _filer()
    if not application.editable:  # no request for information open: nothing of the applicant's to send back
        return problems.response(409, FILING["submitted_title"], FILING["submitted"], kind="already-submitted")
    mine = [t.action for t in engine.available_actions(service, transitions.snapshot(service, application),
                                                        transitions.actor_for(person, True))
            if t.action != engine.WITHDRAW]
    if not mine:
        return problems.response(409, FILING["submitted_title"], FILING["submitted"], kind="already-submitted")
    try:
        submission.take_step(service, application, person, mine[0], as_applicant=True)
    except (engine.NotAllowed, transitions.Conflict):
        return problems.response(409, FILING["submitted_title"], FILING["submitted"], kind="already-submitted")
    return _as_now(application)


def _as_now(application) -> dict:
    """The application's answer, with the step just taken in its history (written beside the loaded list)."""
    db.session.flush()
    db.session.expire(application, ["events"])
    return application_json(application)
