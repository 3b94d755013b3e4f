"""A business's applications, for its software: a list a page at a time, and one application's state,
history and issued documents. Only the token's own business's applications exist here: any other is a 404,
as one that does not exist. Staff records on a case (claimed, marked as paid...) are the office's business
and are left out of the history, as on the applicant's own page."""

from __future__ import annotations

from flask import Response, abort, request

from portal.data import applications as application_data
from portal.data import documents as document_data
from portal.domain import links
from portal.domain.applications import case_records, labels, versions
from portal.domain.documents import get_document_store
from portal.web.api import cursors, problems
from portal.web.api.auth import current_token
from portal.web.api.operations import operation
from portal.web.api.texts import APPLICATIONS, PROBLEMS
from portal.web.applicant.documents import attachment_header

DEFAULT_LIMIT, MAX_LIMIT = 50, 100
LIST_PARAMETERS = (
    {"name": "limit", "in": "query", "required": False, "description": APPLICATIONS["limit"],
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
    {"name": "cursor", "in": "query", "required": False, "description": APPLICATIONS["cursor"],
     "schema": {"type": "string"}},
)


def _time(value) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"  # stored as naive UTC


def summary_json(application, service=None) -> dict:
    service = service or versions.definition_for(application)
    return {
        "id": application.public_id, "reference": application.reference,
        "service": {"slug": service.slug, "version": service.version, "title": service.title},
        "state": application.state, "state_label": labels.state_label(service, application.state),
        "created_at": _time(application.created_at), "submitted_at": _time(application.submitted_at),
        "updated_at": _time(application.updated_at),
        "links": {"self": links.external_url("api.get_application", public_id=application.public_id)},
    }


def application_json(application) -> dict:
    service = versions.definition_for(application)
    return {
        **summary_json(application, service),
        "history": [{"at": _time(event.at), "action": event.action,
                     "label": labels.action_label(service, event.action, event.from_state),
                     "from_state": event.from_state, "to_state": event.to_state}
                    for event in application.events if not case_records.is_record(event)],
        "issued_documents": [{"id": document.public_id, "name": document.original_name,
                              "issued_at": _time(document.created_at),
                              "status": "revoked" if document.revoked_at else document.status,
                              "download": links.external_url("api.download_document", public_id=application.public_id,
                                                             document_id=document.public_id)}
                             for document in document_data.for_application(application.id)],
    }


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValueError
    return int(raw)


@operation("/applications", "GET", operation_id="list_applications", tag="applications", scope="read",
           response="ApplicationList", errors=(400,), parameters=LIST_PARAMETERS,
           summary=APPLICATIONS["list_summary"], description=APPLICATIONS["list_description"])
def list_applications():
    try:
        limit = _limit()
    except ValueError:
        return problems.response(400, PROBLEMS[400][0], APPLICATIONS["bad_limit"], kind="invalid-limit")
    try:
        before = cursors.read(request.args.get("cursor"))
    except cursors.BadCursor:
        return problems.response(400, PROBLEMS[400][0], APPLICATIONS["bad_cursor"], kind="invalid-cursor")
    found = application_data.list_for_organisation(current_token().organisation_id, before, limit + 1)
    page, more = found[:limit], len(found) > limit
    following = (links.external_url("api.list_applications", limit=limit, cursor=cursors.make(page[-1].id))
                 if more else None)
    return {"applications": [summary_json(application) for application in page], "next": following}


@operation("/applications/<public_id>", "GET", operation_id="get_application", tag="applications", scope="read",
           response="Application", errors=(404,),
           summary=APPLICATIONS["get_summary"], description=APPLICATIONS["get_description"])
def get_application(public_id: str):
    application = application_data.get_for_organisation(public_id, current_token().organisation_id)
    if application is None:
        abort(404)
    return application_json(application)


@operation("/applications/<public_id>/documents/<document_id>", "GET", operation_id="download_document",
           tag="applications", scope="read", response="DocumentFile", media_type="application/pdf", errors=(404,),
           summary=APPLICATIONS["download_summary"], description=APPLICATIONS["download_description"])
def download_document(public_id: str, document_id: str):
    application = application_data.get_for_organisation(public_id, current_token().organisation_id)
    document = next((d for d in document_data.for_application(application.id) if d.public_id == document_id),
                    None) if application is not None else None
    if document is None:
        abort(404)
    answer = Response(get_document_store().read(document), mimetype=document.blob.media_type)
    answer.headers["Content-Disposition"] = attachment_header(document.original_name)
    answer.headers["X-Content-Type-Options"] = "nosniff"
    return answer
