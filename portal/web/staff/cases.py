"""A case as the clerk works it: everything about the application, and exactly the actions the engine
allows this clerk now, each a POST form carrying the state the clerk saw."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.data import organisations, people
from portal.data.db import utcnow
from portal.domain import audit
from portal.domain.applications import answer_files, case_notes, case_records, display, journey, transitions
from portal.domain.applications.labels import action_label, agency_name, staff_state_label
from portal.domain.documents.sniff import VIEWABLE
from portal.domain.i18n.formatting import current_locale, pick
from portal.domain.workflow import engine
from portal.extensions import db
from portal.payments import account, receipts, submission
from portal.web import confirmation
from portal.web.staff import blueprint, notes, payments, staff_steps
from portal.web.staff.access import case_or_404, case_workers, payment_case_or_404, staff_only, works_on
from portal.web.staff.documents import issued_documents
from portal.web.staff.forms import AssignForm, AssignmentForm, CaseForm, ReasonForm, RequestInfoForm
from portal.web.staff.history import answer_changes, record_label
from portal.web.staff.holds import hold_view
from portal.web.staff.queue import urgency

ASSIGNMENT = ("claim", "release", "assign")
# What a clerk ticks on the case page. Not `paid`: that is the payments ledger's (portal.payments).
MARKABLE_FACTS = ("documents_checked",)


def _transition(service, application, action: str):
    """The definition's transition named `action`, preferring one that leaves the current state."""
    candidates = [t for t in (service.workflow.transitions if service.workflow else ()) if t.action == action]
    return next((t for t in candidates if application.state in t.sources), candidates[0] if candidates else None)


def _documents_issued(service, transition) -> list[str]:
    """The titles of the documents issued on arriving where `transition` leads (a certificate...)."""
    state = service.workflow.states.get(transition.target) if service.workflow else None
    return [pick(service.outputs[o].title) for o in (state.issue if state else ()) if o in service.outputs]


def _available_now(service, application, action: str) -> bool:
    snapshot = transitions.snapshot(service, application)
    actor = transitions.actor_for(current_user, False)
    return any(t.action == action for t in engine.available_actions(service, snapshot, actor))


def _editable_choices(service):
    return ([(f.id, pick(f.label)) for f in service.all_fields() if f.type != "declaration"]
            + [(d.id, pick(d.label)) for d in service.documents])


def _action_form(service, application, transition, *, formdata=None):
    """The form a transition needs: request_info chooses what to reopen, a reason-taking one a reason."""
    options = {"id_prefix": transition.action}
    if formdata is not None:
        options["formdata"] = formdata
    else:
        options["formdata"] = None
        options["seen_state"] = application.state
    reasons = [(r.id, pick(r.label)) for r in transition.reasons]
    if transition.request_info:
        return RequestInfoForm(choices=_editable_choices(service), reasons=reasons, **options)
    if transition.reasons or transition.reason_required:
        return ReasonForm(reasons=reasons, required=transition.reason_required, **options)
    return CaseForm(**options)


def _why_blocked(service, blocked) -> str:
    if blocked.code == "assigned_to_other":
        return _("assigned to someone else")
    steps = {s.id: s for s in service.staff_steps}
    unfilled = [_("fill in “%(step)s” first", step=pick(steps[g].title)) for g in blocked.guards if g in steps]
    # A guard on a staff field of an unfilled step fails only because it is empty: say what to fill, alone.
    return ", ".join(unfilled) if unfilled else _unmet(blocked.guards)


def _unmet(guards) -> str:
    words = {"paid": _("not paid"), "documents_checked": _("documents not checked")}
    return ", ".join(words.get(g, _("condition not met: %(guard)s", guard=g)) for g in guards)


def _assignee_public_id(application) -> str:
    person = people.get_by_id(application.assignee_id) if application.assignee_id else None
    return person.public_id if person else ""


def case_page(application, service, *, failed: tuple[str, object] | None = None, note_forms=None,
              failed_revoke: tuple[str, object] | None = None, payment_form=None,
              failed_reversal: tuple[str, object] | None = None, failed_staff: tuple[str, object] | None = None,
              failed_hold=None, status: int = 200):
    locale = current_locale()
    actor = transitions.actor_for(current_user, False)
    snapshot = transitions.snapshot(service, application)
    available = [t for t in engine.available_actions(service, snapshot, actor) if t.action != engine.WITHDRAW]
    forms = {t.action: _action_form(service, application, t) for t in available}
    if failed is not None:
        forms[failed[0]] = failed[1]
    assignment = engine.assignment_actions(service, snapshot, actor)
    hand_over_missing = engine.hand_over_missing(service, snapshot, actor,
                                                 handed_over=application.ready_for_decision)
    seen = {"seen_state": application.state, "seen_assignee": _assignee_public_id(application)}
    assign_form = None
    if "assign" in assignment:
        assign_form = AssignForm(formdata=None, id_prefix="assign", people=[
            (p.public_id, p.display_name) for p in case_workers(application.current_agency)], **seen)
    steps = journey.visible_steps(service, application.answers)
    attachments = [(answer_files.label_of(service, a.requirement_id), a.document) for a in application.attachments]
    actors = {e.actor_id: people.get_by_id(e.actor_id) for e in application.events if e.actor_id}
    assignees = {e.details["assignee"]: people.get_by_public_id(e.details["assignee"])
                 for e in application.events if e.details and e.details.get("assignee")}
    written = case_notes.for_staff(application)
    owed = account.account(service, application)
    reversal_forms = payments.reversal_forms(application, owed.payments if owed else ())
    if failed_reversal is not None:
        reversal_forms[failed_reversal[0]] = failed_reversal[1]
    return render_template(
        "pages/staff/case.html", application=application, service=service,
        state_text=staff_state_label(service, application.state),
        applicant=people.get_by_id(application.applicant_person_id),
        organisation=organisations.get_by_id(application.organisation_id) if application.organisation_id else None,
        assignee=people.get_by_id(application.assignee_id) if application.assignee_id else None,
        summary=display.summary(service, steps, application.answers, locale), attachments=attachments,
        issued=issued_documents(application, current_user, failed_revoke), actors=actors,
        available=available, forms=forms,
        blocked=[(b.transition, _why_blocked(service, b)) for b in engine.blocked_actions(service, snapshot, actor)],
        staff_steps=staff_steps.views(service, application, snapshot, actor, failed_staff), locale=locale,
        staff_labels=staff_steps.labels(service),
        assignment=assignment, assignment_form=AssignmentForm(formdata=None, **seen), assign_form=assign_form,
        can_mark=actor.works_at(application.current_agency), fact_form=CaseForm(formdata=None, **seen),
        urgency=urgency(application, utcnow()), staff_state_label=staff_state_label, viewable=VIEWABLE,
        action_label=action_label, agency_name=agency_name, assignees=assignees, record_label=record_label,
        hand_over_missing=hand_over_missing, unmet=_unmet,
        changes=answer_changes(service, application.events, locale),
        notes=written, note_authors={n.author_id: people.get_by_id(n.author_id) for n in written if n.author_id},
        note_forms=note_forms or notes.note_forms(application, current_user),
        account=owed, receipts=receipts.issued(owed.payments) if owed else {},
        payment_form=payment_form or payments.payment_form(service, application),
        reversal_forms=reversal_forms, markable=MARKABLE_FACTS,
        people_by_id=lambda person_id: people.get_by_id(person_id) if person_id else None,
        **hold_view(application, failed_hold),
    ), status


def _conflict(application):
    db.session.rollback()
    return render_template("pages/staff/conflict.html", application=application), 409


@blueprint.get("/cases/<public_id>")
@staff_only
def case(public_id: str):
    application, service = payment_case_or_404(public_id)
    # Every time staff open an applicant's case, the applicant can later see who and when.
    audit.record_staff_view(current_user, application)
    db.session.commit()
    if not works_on(application):
        return payments.cashier_page(application, service)  # a cashier: the payment section only
    return case_page(application, service)


@blueprint.post("/cases/<public_id>/act/<action>")
@staff_only
def act(public_id: str, action: str):
    application, service = case_or_404(public_id)
    transition = _transition(service, application, action)
    if transition is None:
        abort(404)
    form = _action_form(service, application, transition, formdata=request.form)
    valid = form.validate()
    if form.seen_state.data != application.state:
        return _conflict(application)
    if not valid:
        return case_page(application, service, failed=(action, form), status=400)
    details = {}
    if isinstance(form, ReasonForm):
        details = {"reason_id": form.reason.data or None, "reason_text": form.reason_text.data}
    elif isinstance(form, RequestInfoForm):
        # The message is the reason in the clerk's words (the form requires it), so a definition that
        # requires a reason for asking is satisfied by it, with or without one of its listed reasons.
        details = {"editable_fields": tuple(form.editable.data),
                   "reason_id": form.reason.data or None if form.has_reasons else None,
                   "reason_text": form.message.data}
    issues = _documents_issued(service, transition)
    # Asked only when the step could be taken now: a refusal (a guard, a claim) is said without asking.
    if issues and not confirmation.confirmed() and _available_now(service, application, action):
        return confirmation.ask(
            title=_("Are you sure? %(action)s", action=pick(transition.label)), button=pick(transition.label),
            cancel_url=url_for(".case", public_id=public_id), warning=False,
            consequences=[_("This decision is final: it cannot be undone here."),
                          _("The portal issues %(documents)s to the applicant, who is told at once.",
                            documents=", ".join(issues)),
                          _("Check the answers and the documents first.")])
    try:
        submission.take_step(service, application, current_user, action, as_applicant=False, **details)
    except engine.NotAllowed as refused:
        db.session.rollback()
        about_reason = refused.code in ("reason_required", "unknown_reason", "reason_too_long")
        if about_reason and getattr(form, "reason", None) is not None:
            form.reason.errors = [_("Choose a reason or write one.")]
            return case_page(application, service, failed=(action, form), status=400)
        if refused.code == "guard_failed":
            blocked = engine.Blocked(transition, refused.code, refused.guards)
            flash(_("That cannot be done to this case now: %(why)s.", why=_why_blocked(service, blocked)), "error")
        else:
            flash(_("That cannot be done to this case now."), "error")
        return redirect(url_for(".case", public_id=public_id), 303)
    except transitions.Conflict:
        return _conflict(application)
    db.session.commit()
    flash(_("Done: %(status)s.", status=pick(staff_state_label(service, application.state))), "success")
    return redirect(url_for(".case", public_id=public_id), 303)


@blueprint.post("/cases/<public_id>/assignment/<what>")
@staff_only
def assignment(public_id: str, what: str):
    application, service = case_or_404(public_id)
    if what not in ASSIGNMENT:
        abort(404)
    agency = application.current_agency
    form = AssignForm(people=[(p.public_id, p.display_name) for p in case_workers(agency)]) \
        if what == "assign" and agency else AssignmentForm()
    valid = form.validate()
    if form.seen_state.data != application.state or form.seen_assignee.data != _assignee_public_id(application):
        return _conflict(application)
    allowed = engine.assignment_actions(service, transitions.snapshot(service, application),
                                        transitions.actor_for(current_user, False))
    if what not in allowed:
        abort(403)
    if not valid:
        flash(_("Choose who to assign the case to."), "error")
        return redirect(url_for(".case", public_id=public_id), 303)
    if what == "claim":
        assignee = current_user
    elif what == "release":
        assignee = None
    else:
        assignee = people.get_by_public_id(form.assignee.data)
    if not case_records.set_assignee(application, current_user, what, assignee):
        return _conflict(application)
    db.session.commit()
    flash(_("The case is now assigned to you.") if what == "claim" else
          _("The case was released.") if what == "release" else _("The case was assigned."), "success")
    return redirect(url_for(".case", public_id=public_id), 303)


@blueprint.post("/cases/<public_id>/facts/<fact>")
@staff_only
def mark_fact(public_id: str, fact: str):
    application, service = case_or_404(public_id)
    if fact not in MARKABLE_FACTS:
        abort(404)
    form = CaseForm()
    form.validate()
    if form.seen_state.data != application.state:
        return _conflict(application)
    if not transitions.actor_for(current_user, False).works_at(application.current_agency):
        abort(403)
    if case_records.mark_fact(application, current_user, fact, form.seen_state.data):
        db.session.commit()
        flash(_("Marked as documents checked."), "success")
    else:
        db.session.rollback()
        flash(_("This was already recorded."), "info")
    return redirect(url_for(".case", public_id=public_id), 303)


@blueprint.post("/cases/<public_id>/hand-over")
@staff_only
def hand_over(public_id: str):
    """The clerk's "checked, ready for decision": the chief's queue and the case say so from now on."""
    application, service = case_or_404(public_id)
    form = CaseForm()
    form.validate()
    if form.seen_state.data != application.state:
        return _conflict(application)
    actor = transitions.actor_for(current_user, False)
    try:
        done = case_records.hand_over(service, application, current_user, actor,
                                      transitions.snapshot(service, application), form.seen_state.data)
    except engine.NotAllowed:
        abort(403)
    except case_records.NotReady as not_ready:
        flash(_("It cannot be handed over yet: %(what)s.", what=_unmet(not_ready.missing)), "error")
        return redirect(url_for(".case", public_id=public_id), 303)
    if done:
        db.session.commit()
        flash(_("Handed over: the case shows as checked and ready for a decision."), "success")
    else:
        db.session.rollback()
        flash(_("This was already recorded."), "info")
    return redirect(url_for(".case", public_id=public_id), 303)
