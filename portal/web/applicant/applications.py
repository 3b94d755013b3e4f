"""The applicant journey: start an application, fill its steps, attach documents, review,
submit, follow it, withdraw it, answer a request for more information."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from portal.data import applications as application_data
from portal.data import documents as document_data
from portal.data import organisations, people
from portal.domain import application_files, assisted, audit
from portal.domain.applications import (
    actions,
    answer_files,
    case_notes,
    case_records,
    display,
    journey,
    limits,
    staff_data,
    transitions,
    versions,
)
from portal.domain.applications.decision_date import expected_decision
from portal.domain.applications.labels import state_label
from portal.domain.catalogue import get_catalogue
from portal.domain.catalogue.model import for_persons
from portal.domain.documents import get_document_store
from portal.domain.documents.store import can_read
from portal.domain.documents.uploads import UploadRefused
from portal.domain.fields import builder
from portal.domain.i18n.formatting import current_locale, pick
from portal.domain.rendering import photos
from portal.domain.workflow import engine
from portal.extensions import db
from portal.payments import account, assessments, receipts, submission
from portal.web import confirmation
from portal.web.applicant import blueprint, khqr_offer
from portal.web.applicant.application_forms import ME, AttachForm, ConfirmForm, StartForm, SubmitForm
from portal.web.applicant.refusals import refusal_message
from portal.web.helpers import posted_form
from portal.web.locale import normalise, remember


def own_application(public_id: str):
    """The signed-in person's (or their organisation's) application, or 404 for anyone else's."""
    application = application_data.get_for_applicant(public_id, current_user)
    if application is None:
        audit.record_refused_application(current_user, public_id)
        db.session.commit()
        abort(404)
    return application, versions.definition_for(application)


def _start_form(service):
    form = StartForm()
    choices = []
    if for_persons(service.audience):
        name = current_user.display_name
        choices.append((ME, _("Myself, %(name)s", name=name) if name else _("Myself")))
    if "business" in service.audience and g.get("assisted_session") is None:
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
        # An operator assisting at a kiosk (kiosk/assisting.py): the application records the session.
        application = journey.start(service, current_user, organisation, g.get("assisted_session"))
        db.session.commit()
        return redirect(url_for(".step", public_id=application.public_id, step_id=service.steps[0].id))
    status = 400 if form.errors else 200
    return render_template("pages/applicant/applications/start.html", service=service, form=form), status


@blueprint.get("/applications")
@login_required
def my_applications():
    listed = [(a, versions.definition_for(a)) for a in application_data.list_for_applicant(current_user)]
    return render_template("pages/applicant/applications/list.html", applications=listed)


@blueprint.get("/applications/<public_id>")
@login_required
def application(public_id: str):
    application, service = own_application(public_id)
    found = account.account(service, application)
    return render_template(
        "pages/applicant/applications/detail.html", application=application, service=service,
        account=found, receipts=receipts.issued(found.payments) if found else {}, confirm=ConfirmForm(),
        pay_by_khqr=khqr_offer.offered(service, application, found),
        editable=journey.editable_ids(application),
        steps=journey.visible_steps(service, application.answers),
        issued=document_data.for_application(application.id),
        looked_at=audit.staff_access(application), messages=case_notes.for_applicant(application),
        catalogue=get_catalogue(), expected_decision=expected_decision(service, application),
        computed=display.computed_values(service, application.answers, current_locale()),
        from_office=staff_data.rows(service, application.staff_data, current_locale(), applicant=True),
        # Workflow steps only: staff's own records (claimed, marked as paid...) are the office's business.
        history=[e for e in application.events if not case_records.is_record(e)],
    )


def _attach_form(application, needed, allowed_requirements):
    form = AttachForm()
    form.requirement.choices = [(n.requirement.id, pick(n.requirement.label)) for n in needed
                                if n.requirement.id in allowed_requirements]
    mine = document_data.visible_to(current_user)
    form.existing.choices = [("", _("None: I will upload a file"))] + [
        (d.public_id, d.original_name) for d in mine if d.status == "active" and d.kind == "upload"
    ]
    return form


@blueprint.route("/applications/<public_id>/documents", methods=["GET", "POST"])
@login_required
def application_documents(public_id: str):
    application, service = own_application(public_id)
    needed = display.documents_needed(service, application.answers)
    allowed = [n.requirement.id for n in needed if journey.can_attach(application, n.requirement.id)]
    if not allowed and request.method == "POST":
        abort(403)
    form = _attach_form(application, needed, allowed)
    status = 200
    if request.method == "POST":
        if form.validate():
            requirement = next(n.requirement for n in needed if n.requirement.id == form.requirement.data)
            try:
                document = _chosen_or_uploaded(form, service, application, requirement)
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
    needed_ids = {n.requirement.id for n in needed}
    # Attached earlier but no longer asked for (an answer changed since): listed so it can be removed.
    no_longer_needed = [d for d in service.documents if d.id not in needed_ids
                        and any(a.requirement_id == d.id for a in application.attachments)]
    return render_template("pages/applicant/applications/documents.html", application=application, service=service,
                           form=form, allowed=allowed, confirm=ConfirmForm(), needed=needed,
                           no_longer_needed=no_longer_needed), status


def _chosen_or_uploaded(form, service, application, requirement):
    if form.existing.data:
        document = document_data.get_by_public_id(form.existing.data)
        if document is None or not can_read(current_user, document):
            abort(404)
        if document.blob.media_type not in application_files.accepted(requirement.accept):
            form.existing.errors = [_("This document is not of a kind this requirement accepts.")]
            return None
        if photos.printed_as_photo(service, requirement.id) and \
                photos.too_small_to_print(get_document_store().read(document)):
            form.existing.errors = [application_files.photo_too_small_message()]
            return None
        return document
    upload = form.file.data
    try:
        return application_files.store_for_requirement(service, application, current_user, requirement,
                                                       upload.stream, upload.filename)
    except application_files.PhotoTooSmall:
        form.file.errors = [application_files.photo_too_small_message()]
        return None


@blueprint.post("/applications/<public_id>/documents/<requirement_id>/<document_id>/remove")
@login_required
def remove_document(public_id: str, requirement_id: str, document_id: str):
    application, _service = own_application(public_id)
    attachment = next((a for a in application.attachments
                       if a.requirement_id == requirement_id and a.document.public_id == document_id), None)
    if attachment is None or answer_files.is_field_link(requirement_id) \
            or not journey.can_attach(application, attachment.requirement_id):
        abort(404)  # a file field's document goes when its answer changes, on its step's page
    if not ConfirmForm().validate():
        abort(400)
    application_data.detach(application, attachment.id)
    db.session.commit()
    return redirect(url_for(".application_documents", public_id=application.public_id))


# --- steps, review, submission and the applicant's own actions -------------------------------------


def _step_or_404(service, application, step_id: str):
    steps = journey.visible_steps(service, application.answers)
    step = next((s for s in steps if s.id == step_id), None)
    if step is None:
        abort(404)
    return step, steps


@blueprint.route("/applications/<public_id>/steps/<step_id>", methods=["GET", "POST"])
@login_required
def step(public_id: str, step_id: str):
    """One step. Its buttons: "Save and continue" (checked, then the next step), "Save and continue
    later" (`save_draft`: a draft keeps what was given, nothing required) and, on this page, the
    language switch (`switch_language`: what was typed is kept, then the same step in the other
    language)."""
    application, service = own_application(public_id)
    seen_state = application.state  # what is decided below is decided for this state: saving checks it still is
    step, steps = _step_or_404(service, application, step_id)
    editable = journey.editable_ids(application)
    if editable is not None and not editable & {f.id for f in step.fields}:
        abort(404)  # submitted: only the fields a clerk opened can be changed
    switched = _switch_language()  # first: the page, and its messages, come in the new language
    locale = current_locale()
    answers = journey.prefilled(service, step, application, current_user)
    mine = [(d.public_id, d.original_name) for d in document_data.visible_to(current_user)
            if d.status == "active" and d.kind == "upload"]
    form = builder.build_step_form(service, step, answers, locale, documents=mine, posted=posted_form())

    def page(status: int):
        return render_template("pages/applicant/applications/step.html", application=application, service=service,
                               step=step, steps=steps, form=form, locale=locale, editable=editable,
                               newly_shown=newly_shown), status

    newly_shown: list = []
    if request.method != "POST":
        return page(200)
    if builder.handle_group_buttons(form, step):
        return page(200)
    drafting = application.state == journey.DRAFT and (switched or "save_draft" in request.form)
    if switched and not drafting:
        # Answers to a clerk's request are saved only whole and checked: show them again as typed.
        return page(200)
    if drafting:
        builder.relax_for_draft(form)
    valid = form.validate()
    for upload in builder.pending_uploads(form):
        try:
            document = application_files.store_upload(application, current_user, upload.file.stream,
                                                      upload.file.filename, upload.max_mb,
                                                      application_files.accepted(upload.accept))
        except UploadRefused as refused:
            db.session.rollback()
            upload.refuse(refusal_message(refused))
            valid = False
        else:
            upload.attach(document.public_id, document.original_name)
    if drafting:
        return _save_draft(form, step, application, valid, switched, seen_state) or page(400)
    newly_shown = builder.newly_shown(form)
    if newly_shown:
        return page(400 if form.errors else 200)
    if not valid:
        return page(400)
    given = builder.step_answers(form, step)
    on_this_step = {f.id for f in step.fields}
    refused = [r for r in limits.refusals(service, application, {**application.answers, **given})
               if r.field in on_this_step]
    for refusal in refused:
        builder.add_error(form, refusal.field, refusal.message)
    if refused:
        return page(400)
    try:
        journey.save_answers(application, given, seen_state)
    except journey.NotEditable:
        return _changed_meanwhile(application)
    db.session.commit()
    return redirect(_after_step(service, application, step))


def _changed_meanwhile(application):
    """Another request moved the application on (submitted it from another tab, say) while this page was being
    saved: nothing of the page is kept, and the person sees the application as it now is."""
    db.session.rollback()
    flash(_("This application changed while you were saving (it may have been submitted from another window): "
            "nothing on that page was saved. Here it is as it is now."), "info")
    return redirect(url_for(".application", public_id=application.public_id))


def _switch_language() -> str | None:
    """The language switch of a step page is a button of the step's own form (so what was typed
    comes along): keep the choice, as the header's switch does, and answer in it from now on."""
    chosen = normalise(request.form.get("switch_language")) if request.method == "POST" else None
    if chosen is not None:
        remember(chosen)
        people.set_locale(current_user, chosen)
        db.session.commit()  # the choice stands whether or not the answers can be saved
        refresh()  # this request's messages and labels in the new language
    return chosen


def _save_draft(form, step, application, valid: bool, switched: str | None, seen_state: str):
    """Keep the page's answers in the draft, or (something given is not well-formed) nothing at all:
    None, and the page shows what to correct."""
    if not valid:
        form.form_errors.append(_("Nothing on this page was saved yet: correct or clear the answers marked "
                                  "below, then save again."))
        return None
    try:
        journey.save_answers(application, builder.step_answers(form, step), seen_state)
    except journey.NotEditable:
        return _changed_meanwhile(application)
    db.session.commit()
    if switched:
        return redirect(url_for(".step", public_id=application.public_id, step_id=step.id))
    if getattr(current_user, "is_guest", False):  # a kiosk guest has no "My applications" (kiosk/guests.py)
        flash(_("Your answers are saved. Finish the application before you leave this kiosk."), "success")
    else:
        flash(_("Your answers are saved in your draft. You can continue later from “My applications”."), "success")
    return redirect(url_for(".application", public_id=application.public_id))


def _after_step(service, application, step) -> str:
    steps = journey.visible_steps(service, application.answers)
    ids = [s.id for s in steps]
    if application.state == "draft" and step.id in ids and ids.index(step.id) + 1 < len(ids):
        return url_for(".step", public_id=application.public_id, step_id=ids[ids.index(step.id) + 1])
    if application.state == "draft" and service.documents:
        return url_for(".application_documents", public_id=application.public_id)
    return url_for(".review", public_id=application.public_id)


def _review_page(application, service, form, status=200):
    locale = current_locale()
    steps = journey.visible_steps(service, application.answers)
    attached = {a.requirement_id for a in application.attachments}
    # What these answers owe now, before submission (or before resubmitting changed answers).
    now_owed = assessments.assess(service, application) if assessments.charges_fees(service) else None
    available = []
    if application.state != "draft":
        available = [t for t in engine.available_actions(service, transitions.snapshot(service, application),
                                                       transitions.actor_for(current_user, True))
                   if t.action != "withdraw"]
    return render_template(
        "pages/applicant/applications/review.html", application=application, service=service, form=form,
        summary=display.summary(service, steps, application.answers, locale),
        computed=display.computed_values(service, application.answers, locale),
        missing=display.missing(service, steps, application.answers, attached), assessment=now_owed,
        account=account.account(service, application) if application.submitted_at else None, actions=available,
        changeable_steps=journey.changeable_steps(application, steps),
    ), status


@blueprint.get("/applications/<public_id>/review")
@login_required
def review(public_id: str):
    application, service = own_application(public_id)
    return _review_page(application, service, SubmitForm(formdata=None))


@blueprint.post("/applications/<public_id>/submit")
@login_required
def submit(public_id: str):
    from portal.web.kiosk import guests  # it imports the kiosk package, whose receipt imports this module

    application, service = own_application(public_id)
    form = SubmitForm()
    if not form.validate():
        return _review_page(application, service, form, 400)
    try:
        submission.submit(service, application, current_user)
        guests.issue_tracking(application)  # a kiosk guest's tracking secret (kiosk/guests.py); else nothing
    except actions.AlreadySubmitted:
        db.session.rollback()
        flash(_("This application was already submitted."), "info")
        return redirect(url_for(".application", public_id=public_id))
    except actions.SomethingMissing:
        db.session.rollback()
        form.form_errors.append(_("Some answers or documents are still missing: see the list below."))
        return _review_page(application, service, form, 400)
    except actions.Refused as refused:
        db.session.rollback()
        form.form_errors.extend(r.message for r in refused.refusals)
        return _review_page(application, service, form, 400)
    except assisted.NoConsent:
        db.session.rollback()
        form.form_errors.append(_("This application was started with an operator's help, and the citizen's "
                                  "consent was not recorded. It cannot be submitted."))
        return _review_page(application, service, form, 403)
    db.session.commit()
    flash(_("Your application was submitted. Your reference is %(reference)s.", reference=application.reference),
          "success")
    return redirect(url_for(".application", public_id=public_id))


@blueprint.post("/applications/<public_id>/act/<action>")
@login_required
def act(public_id: str, action: str):
    """The applicant's own workflow actions: withdraw, and e.g. resubmit after a request for information."""
    application, service = own_application(public_id)
    if not ConfirmForm().validate():
        abort(400)
    back = url_for(".application", public_id=public_id)
    if application.state == "draft" and action == "withdraw":
        if not confirmation.confirmed():
            return confirmation.ask(
                title=_("Delete this draft?"), button=_("Yes, delete the draft"), cancel_url=back,
                consequences=[_("Your answers in this draft are deleted and cannot be brought back."),
                              _("Documents you uploaded stay in My documents.")])
        application_data.discard_draft(application)
        db.session.commit()
        flash(_("The draft was deleted."), "success")
        return redirect(url_for("kiosk.home" if getattr(current_user, "is_guest", False) else ".my_applications"))
    if action == engine.WITHDRAW and not confirmation.confirmed():
        return confirmation.ask(
            title=_("Withdraw this application?"), button=_("Yes, withdraw the application"), cancel_url=back,
            consequences=[_("The office stops working on it, and this cannot be undone."),
                          _("To ask again later, you will have to make a new application.")])
    try:
        submission.take_step(service, application, current_user, action, as_applicant=True)
    except engine.NotAllowed:
        db.session.rollback()
        flash(_("That cannot be done to this application now."), "error")
        return redirect(url_for(".application", public_id=public_id)), 303
    except transitions.Conflict:
        db.session.rollback()
        flash(_("Someone changed this application at the same time. Please look at it again."), "error")
        return redirect(url_for(".application", public_id=public_id)), 303
    db.session.commit()
    flash(_("Done: %(status)s.", status=pick(state_label(service, application.state))), "success")
    return redirect(url_for(".application", public_id=public_id))

