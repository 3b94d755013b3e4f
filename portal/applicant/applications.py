"""The applicant journey: start an application, fill its steps, attach documents, review,
submit, follow it, withdraw it, answer a request for more information."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.applicant import blueprint
from portal.applicant.application_forms import ME, AttachForm, ConfirmForm, StartForm
from portal.applicant.refusals import refusal_message
from portal.applications import journey, versions
from portal.applications.fees import fee_lines, totals
from portal.catalogue import get_catalogue
from portal.data import applications as application_data
from portal.data import documents as document_data
from portal.data import organisations
from portal.docstore import get_document_store
from portal.docstore.sniff import KINDS
from portal.docstore.store import can_read
from portal.docstore.uploads import UploadRefused
from portal.extensions import db
from portal.i18n.formatting import pick


def own_application(public_id: str):
    """The signed-in person's (or their organisation's) application, or 404 for anyone else's."""
    application = application_data.get_for_applicant(public_id, current_user)
    if application is None:
        abort(404)
    return application, versions.definition_for(application)


def _start_form(service):
    form = StartForm()
    choices = []
    if "citizen" in service.audience:
        choices.append((ME, _("Myself, %(name)s", name=current_user.display_name)))
    if "business" in service.audience:
        choices += [(o.public_id, _("For my business: %(name)s", name=o.name_km))
                    for o in organisations.for_member(current_user)]
    form.applicant.choices = choices
    return form


@blueprint.route("/services/<slug>/start", methods=["GET", "POST"])
@login_required
def start(slug: str):
    service = get_catalogue().get(slug)
    if service is None or not service.takes_applications:
        abort(404)
    form = _start_form(service)
    if request.method == "POST" and form.validate():
        organisation = None
        if form.applicant.data != ME:
            found = organisations.get_for_member(form.applicant.data, current_user)
            if found is None:
                abort(404)
            organisation = found[0]
        application = journey.start(service, current_user, organisation)
        db.session.commit()
        return redirect(url_for(".step", public_id=application.public_id, step_id=service.steps[0].id))
    status = 400 if form.errors else 200
    return render_template("pages/applications/start.html", service=service, form=form), status


@blueprint.get("/applications")
@login_required
def my_applications():
    listed = [(a, versions.definition_for(a)) for a in application_data.list_for_applicant(current_user)]
    return render_template("pages/applications/list.html", applications=listed)


@blueprint.get("/applications/<public_id>")
@login_required
def application(public_id: str):
    application, service = own_application(public_id)
    lines = fee_lines(service, application.answers)
    return render_template(
        "pages/applications/detail.html", application=application, service=service, fee_lines=lines,
        fee_totals=totals(lines), confirm=ConfirmForm(), editable=journey.editable_ids(application),
        steps=journey.visible_steps(service, application.answers),
    )


def _attach_form(service, application, allowed_requirements):
    form = AttachForm()
    form.requirement.choices = [(d.id, pick(d.label)) for d in service.documents if d.id in allowed_requirements]
    mine = document_data.visible_to(current_user)
    form.existing.choices = [("", _("None: I will upload a file"))] + [
        (d.public_id, d.original_name) for d in mine if d.status == "active" and d.kind == "upload"
    ]
    return form


@blueprint.route("/applications/<public_id>/documents", methods=["GET", "POST"])
@login_required
def application_documents(public_id: str):
    application, service = own_application(public_id)
    allowed = [d.id for d in service.documents if journey.can_attach(application, d.id)]
    if not allowed and request.method == "POST":
        abort(403)
    form = _attach_form(service, application, allowed)
    status = 200
    if request.method == "POST":
        if form.validate():
            requirement = next(d for d in service.documents if d.id == form.requirement.data)
            try:
                document = _chosen_or_uploaded(form, application, requirement)
            except UploadRefused as refused:
                db.session.rollback()
                form.file.errors = [refusal_message(refused)]
            else:
                if document is not None:
                    application_data.attach(application, requirement.id, document.id)
                    db.session.commit()
                    flash(_("The document was attached."), "success")
                    return redirect(url_for(".application_documents", public_id=application.public_id))
        status = 400
    return render_template("pages/applications/documents.html", application=application, service=service,
                           form=form, allowed=allowed, confirm=ConfirmForm()), status


def _chosen_or_uploaded(form, application, requirement):
    accept = tuple(KINDS[kind] for kind in requirement.accept)
    if form.existing.data:
        document = document_data.get_by_public_id(form.existing.data)
        if document is None or not can_read(current_user, document):
            abort(404)
        if document.blob.media_type not in accept:
            form.existing.errors = [_("This document is not of a kind this requirement accepts.")]
            return None
        return document
    upload = form.file.data
    data = upload.stream.read(requirement.max_mb * 1024 * 1024 + 1)
    owner = {"owner_person": current_user} if application.organisation_id is None else {
        "owner_organisation": organisations.get_by_id(application.organisation_id)}
    return get_document_store().add_upload(data, upload.filename, created_by=current_user,
                                           max_bytes=requirement.max_mb * 1024 * 1024, accept=accept, **owner)


@blueprint.post("/applications/<public_id>/documents/<requirement_id>/<document_id>/remove")
@login_required
def remove_document(public_id: str, requirement_id: str, document_id: str):
    application, _service = own_application(public_id)
    attachment = next((a for a in application.attachments
                       if a.requirement_id == requirement_id and a.document.public_id == document_id), None)
    if attachment is None or not journey.can_attach(application, attachment.requirement_id):
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    application_data.detach(application, attachment.id)
    db.session.commit()
    return redirect(url_for(".application_documents", public_id=application.public_id))
