"""Carrying out one application's part of a plan, in its own transaction: a failure leaves the others done and
this one as it was, for the next run."""

from __future__ import annotations

from datetime import date

from portal.data import retention as retention_data
from portal.data.db import db
from portal.data.retention import ClosedAccount, EndedSession, StoredDocument
from portal.domain import audit
from portal.domain.catalogue.model import Service
from portal.domain.documents import get_document_store
from portal.domain.retention import planning, rules

REMOVED = "retention_removed"
REDUCED = "retention_reduced"
DOCUMENT_REMOVED = "retention_document_removed"
ACCOUNT_REMOVED = "retention_account_removed"
SESSION_REMOVED = "retention_kiosk_session_removed"
ROLE = "retention"  # the actor of its audit entries: the schedule or an operator's command, never a person
ACCOUNT_CLOSED = "account_closed"  # the rule when a person closes their account (portal.domain.personal_data)


def carry_out(service: Service, planned: planning.Step, day: date) -> planning.Step | None:
    """Do what is due for the planned application, deciding again under its lock on what the database holds
    now (a hold placed since, another run that did it first). Commits; returns what was done, or None."""
    application = retention_data.lock(planned.facts.id)
    found = list(planning.candidates(service, day, only=planned.facts.id)) if application is not None else []
    if not found:
        db.session.rollback()
        return None
    # Applications before this one in the run are gone already: only this one is leaving now.
    step = planning.step_for(found[0], service, day, frozenset(), frozenset())
    if not step.due.anything:
        db.session.rollback()
        return None
    if step.due.documents:
        keep = retention_data.payment_receipt_requests(application.id)
        retention_data.remove_documents(application.id, [d.id for d in step.documents], keep)
        for document in step.documents:
            _record_document(document, "documents_years", application_id=application.id, service=service.slug,
                             years=service.documents_retention_years)
        retention_data.mark_documents_removed(application.id)
    files = retention_data.remove_blob_rows(step.files)
    if step.due.record is not None:
        audit.record(REMOVED if step.due.record == rules.REMOVE else REDUCED, actor_role=ROLE,
                     subject_type="application", subject_id=application.public_id, application=application.id,
                     details=_rule(service, "applications_years", step.facts))
        if step.due.record == rules.REMOVE:
            retention_data.remove_application(application)
        else:
            retention_data.reduce_application(application)
    db.session.commit()
    forget_files(files)
    return step


def remove_draft(application, person) -> set[str]:
    """Remove a draft of a person closing their account, now: no retention rule keeps a draft. Its documents go
    unless another record uses them. The caller commits, then `forget_files` the files returned."""
    documents = [d for d in retention_data.documents_of(application.id)
                 if not retention_data.used_elsewhere(d.id, (application.id,))]
    retention_data.remove_documents(application.id, [d.id for d in documents], ())
    for document in documents:
        _record_document(document, ACCOUNT_CLOSED, actor=person, application_id=application.id,
                         service=application.service_slug)
    audit.record(REMOVED, actor=person, subject_type="application", subject_id=application.public_id,
                 application=application.id,
                 details={"rule": ACCOUNT_CLOSED, "service": application.service_slug, "state": application.state})
    retention_data.remove_application(application)
    return retention_data.remove_blob_rows({d.sha256 for d in documents})


def remove_unused_documents_of(person) -> set[str]:
    """Remove the documents a person closing their account owns that no record uses (uploads kept in "My
    documents"). The caller commits, then `forget_files` the files returned."""
    documents = retention_data.unused_documents_owned_by(person.id)
    for document in documents:
        _remove_unused_document(document, ACCOUNT_CLOSED, actor=person)
    return retention_data.remove_blob_rows({d.sha256 for d in documents})


def remove_unused(document: StoredDocument, day: date) -> bool:
    """A document past its own `retain_until` that nothing uses: gone, with its file if no other document has it."""
    if not retention_data.still_unused_past(document.id, day):
        db.session.rollback()
        return False
    _remove_unused_document(document, "retain_until")
    files = retention_data.remove_blob_rows({document.sha256})
    db.session.commit()
    forget_files(files)
    return True


def remove_closed_account(account: ClosedAccount) -> bool:
    """A closed account's anonymised row, once retention removed the last case that pointed at it: what was
    left of the person (a public id, a language, dates) goes too. Checked again under the row's lock."""
    if not retention_data.lock_closed_account_without_records(account.id):
        db.session.rollback()
        return False
    audit.record(ACCOUNT_REMOVED, actor_role=ROLE, subject_type="person", subject_id=account.public_id,
                 details={"rule": ACCOUNT_CLOSED})
    retention_data.remove_person(account.id)
    db.session.commit()
    return True


def remove_kiosk_session(session: EndedSession, day: date) -> bool:
    """A kiosk session no kept application was filed in, `KIOSK_SESSION_YEARS` after it: the session and its
    signed consent form (unless another record uses that document), checked again under the session's lock."""
    years = rules.KIOSK_SESSION_YEARS
    if not retention_data.lock_session_done_with(session.id, rules.cutoff(day, years)):
        db.session.rollback()
        return False
    audit.record(SESSION_REMOVED, actor_role=ROLE, subject_type="assisted_session", subject_id=session.public_id,
                 details={"rule": "kiosk_session_years", "years": years})
    retention_data.remove_session(session.id)
    files: set[str] = set()
    consent = session.consent_document
    if consent is not None and retention_data.still_unused(consent.id):
        _remove_unused_document(consent, "kiosk_session_years", years=years)
        files = retention_data.remove_blob_rows({consent.sha256})
    db.session.commit()
    forget_files(files)
    return True


def forget_files(sha256s) -> None:
    """After the commit: the rows are gone, so are the bytes (unless an upload of the same bytes is in flight)."""
    store = get_document_store()
    for sha256 in sorted(sha256s):
        store.forget(sha256)


def _remove_unused_document(document: StoredDocument, rule: str, **audit_details) -> None:
    """A document no record uses: its row, and the audit entry saying under which rule. Its file is the caller's."""
    retention_data.remove_unused_document(document.id)
    _record_document(document, rule, **audit_details)


def _record_document(document: StoredDocument, rule: str, *, actor=None, application_id: int | None = None,
                     **details) -> None:
    """The audit entry of a removed document: the rule and ids, never its content. `actor`: the person closing
    their account; none for the retention run."""
    audit.record(DOCUMENT_REMOVED, actor=actor, actor_role=ROLE if actor is None else None, subject_type="document",
                 subject_id=document.public_id, application=application_id,
                 details={"rule": rule, "kind": document.kind, **details})


def _rule(service: Service, rule: str, facts: rules.Facts) -> dict:
    """What the audit entry says: which rule, never what the application said."""
    return {"service": service.slug, "rule": rule, "years": service.retention_years,
            "keep_record": service.keep_record, "closed_on": rules.closed_on(facts.closed_at).isoformat(),
            "state": facts.state, "paid": facts.paid}
