"""Background jobs that render and issue documents."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from portal.data import document_requests, people
from portal.data.db import db
from portal.domain import clock, links
from portal.domain.catalogue import copies, subjects, validity
from portal.domain.documents import get_document_store
from portal.domain.notify.service import notify
from portal.domain.rendering import lifecycle, photos
from portal.domain.rendering.documents import get_keyring, get_renderer, render_html
from portal.domain.rendering.issuing import issue_pdf
from portal.domain.rendering.warmup import warm_up
from portal.jobs import names
from portal.jobs.queues import DOCUMENTS
from portal.jobs.registry import job
from portal.jobs.registry import warm_up as worker_warm_up

worker_warm_up(warm_up)  # the worker loads fonts and renderer once, before forking (rendering.warmup)

# How the holder hears of a document may be said by whoever asked for it, in the request's context:
# {"message": a key of notify.messages, "params": ..., "link": ...} (a payment receipt: "payment received",
# portal.payments.receipts). Otherwise they are told that a document was issued. The message goes out in the
# transaction that stores the document, so it is sent once and its link already leads to it.
ANNOUNCEMENT = "announcement"


@job(DOCUMENTS, timeout=300, name=names.ISSUE_DOCUMENT)
def issue_document(request_id: int) -> str | None:
    """Render, sign and store the requested document; returns its public id.

    Idempotent: a request that already has its document returns it and adds nothing. A request that
    corrects an earlier document supersedes it when the new one is stored (portal.domain.rendering.lifecycle). A render
    that would be broken (missing glyph or image) raises, so the job is retried and, in the end,
    shown as failed to administrators, instead of issuing a document with boxes in it.
    """
    request = document_requests.lock(request_id)
    if request is None:
        return None
    if request.document_id is not None:
        db.session.rollback()
        return request.document.public_id

    settings = current_app.config["PORTAL_SETTINGS"]
    key_id, private_key = get_keyring().active(create_if_missing=not settings.production)
    issued_on = clock.today()
    # A fixed number of days, or the date the definition's valid_until computed (refused, before anything is
    # rendered or stored, when it is empty or already past).
    expires_on = issued_on + timedelta(days=request.valid_days) if request.valid_days else \
        validity.expires_on(request.context, issued_on, f"document request {request.id} ({request.template})")
    # Whom the document is about, when the definition names it (refused, like the validity, when empty).
    subject = subjects.holder(request.context, f"document request {request.id} ({request.template})")
    copy = copies.of(request.context, f"document request {request.id} ({request.template})")
    photo = photos.photo_uri(request.context, f"document request {request.id} ({request.template})")
    html, base_dir = render_html(request.template, {
        **request.context, "issued_on": issued_on, "expires_on": expires_on,
        "copy_number": copy[0] if copy else None, "copy_count": copy[1] if copy else None, "photo": photo or "",
    })
    issued = issue_pdf(
        get_renderer(), html, base_dir, key_id=key_id, private_key=private_key,
        issued=issued_on, expires=expires_on, base_url=links.base_url(),
    )
    document = get_document_store().add_issued(
        issued.pdf,
        name=request.file_name,
        kind=request.kind,
        owner_person_id=request.owner_person_id,
        owner_organisation_id=request.owner_organisation_id,
        agency_id=request.agency_id,
        application_id=request.application_id,
        verification_id=issued.verification_id,
        verification_token=issued.token,
        title={"km": request.title_km, "en": request.title_en},
        holder_name=subject["km"] if subject else request.holder_name,
        holder_name_en=subject["en"] if subject else None,
        copy_number=copy[0] if copy else None,
        copy_count=copy[1] if copy else None,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    document_requests.mark_issued(request, document.id)
    # A corrected document supersedes the one it replaces in this same transaction, and tells the holder so;
    # an ordinary one (or one whose predecessor was revoked meanwhile) is announced as issued.
    if not lifecycle.complete_correction(request, document) and request.owner_person_id:
        _announce(request)
    db.session.commit()
    return document.public_id


def _announce(request) -> None:
    holder = people.get_by_id(request.owner_person_id)
    own = (request.context or {}).get(ANNOUNCEMENT)
    if own:
        notify(holder, own["message"], own["params"], link=own.get("link"))
    else:
        notify(holder, "document_issued", {"document": {"km": request.title_km, "en": request.title_en}},
               link="/documents")
