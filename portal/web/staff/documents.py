"""Revoking an issued document, or issuing a corrected one, from the case page: supervisors of the agency that
issued it. The rules live in portal.domain.rendering.lifecycle; these routes only translate HTTP to and from it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.data import documents as document_data
from portal.data import people
from portal.domain.rendering import lifecycle
from portal.extensions import db
from portal.web.staff import blueprint
from portal.web.staff.access import case_or_404, staff_only
from portal.web.staff.forms import RevokeForm, SupersedeForm


def issued_documents(application, person, failed: tuple[str, RevokeForm] | None = None) -> list[dict]:
    """The documents issued for the case, each with what this person may do to it: a revoke form and a
    supersede form for a supervisor of the agency that issued it while it is active. `failed` = (document
    public id, form) shows a refused revoke form again with its errors."""
    documents = document_data.for_application(application.id)
    pending = lifecycle.pending_corrections(documents)
    rows = []
    for document in documents:
        may = document.status == "active" and lifecycle.may_withdraw(person, document)
        revoke_form = supersede_form = None
        if may:
            revoke_form = failed[1] if failed and failed[0] == document.public_id else \
                RevokeForm(formdata=None, id_prefix=f"revoke-{document.public_id}")
            supersede_form = None if document.id in pending else SupersedeForm(formdata=None)
        rows.append({"document": document, "revoke_form": revoke_form, "supersede_form": supersede_form,
                     "correction_pending": document.id in pending,
                     "category": lifecycle.CATEGORIES.get(document.revocation_category or ""),
                     "revoked_by": people.get_by_id(document.revoked_by_id) if document.revoked_by_id else None})
    return rows


def _document_of_case(application, document_public_id: str):
    """The document, if it was issued for this case; 404 otherwise (as for an id that exists nowhere)."""
    document = document_data.get_by_public_id(document_public_id)
    if document is None or document.application_id != application.id or not lifecycle.is_withdrawable(document):
        abort(404)
    return document


def _stale(application, message: str):
    db.session.rollback()
    return render_template("pages/staff/conflict.html", application=application, message=message), 409


def _already(document) -> str:
    if document.status == "revoked":
        return _("This document was already revoked. Nothing was changed by you.")
    if document.status == "superseded":
        return _("This document was already replaced by a corrected one. Nothing was changed by you.")
    return _("A corrected version of this document is already being made. Nothing was changed by you.")


def _back(public_id: str):
    return redirect(url_for(".case", public_id=public_id, _anchor="issued"), 303)


@blueprint.post("/cases/<public_id>/documents/<document_id>/revoke")
@staff_only
def revoke_document(public_id: str, document_id: str):
    from portal.web.staff.cases import case_page  # the case page is drawn again when the form is refused

    application, service = case_or_404(public_id)
    document = _document_of_case(application, document_id)
    form = RevokeForm(id_prefix=f"revoke-{document.public_id}")
    valid = form.validate()
    if not lifecycle.may_withdraw(current_user, document):
        abort(403)
    if document.status != "active":
        return _stale(application, _already(document))
    if not valid:
        return case_page(application, service, failed_revoke=(document.public_id, form), status=400)
    try:
        lifecycle.revoke(document, category=form.category.data, reason=form.reason.data, actor=current_user,
                         actor_role=lifecycle.supervisor_role(document))
    except lifecycle.NotActive:
        return _stale(application, _already(document))
    db.session.commit()
    flash(_("The document was revoked. The holder has been told, and checking its QR code now says so."), "success")
    return _back(public_id)


@blueprint.post("/cases/<public_id>/documents/<document_id>/supersede")
@staff_only
def supersede_document(public_id: str, document_id: str):
    application, _service = case_or_404(public_id)
    document = _document_of_case(application, document_id)
    form = SupersedeForm()
    form.validate()
    if not lifecycle.may_withdraw(current_user, document):
        abort(403)
    try:
        lifecycle.request_correction(document, actor=current_user, actor_role=lifecycle.supervisor_role(document))
    except (lifecycle.NotActive, lifecycle.CorrectionPending):
        return _stale(application, _already(document))
    except lifecycle.NotCorrectable:
        db.session.rollback()
        flash(_("This document cannot be issued again from the application: it was not made from one of the "
                "service's documents."), "error")
        return _back(public_id)
    db.session.commit()
    flash(_("A corrected document is being made from the application as it is now. The holder will be told "
            "when it is ready; until then the current one stays valid."), "success")
    return _back(public_id)
