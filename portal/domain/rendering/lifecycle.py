"""An issued document after it was issued: revoked by its issuing agency, or superseded by a corrected one.

Who may: a supervisor of the document's *issuing agency*, the agency recorded on the document when it was
issued. `transitions.apply` records there the office whose staff took the workflow step that issued it (the
`<agency>.<role>` the engine let them act through, as the case history credits the step); it is the "Issued
by" that /verify shows. An agency that handled the case earlier (Commerce, before Tax issues a business
certificate) may read the case but not withdraw what another office issued. Operators may do both with
`flask documents revoke|supersede` (audited as `operator`).

Revoking is immediate: one transaction sets the status, when, by whom, a public reason category and the
supervisor's own words, writes the audit entry and notifies the holder. Superseding asks a worker to render
the same output again from the application's current data (after a template fix, or data corrected through
the workflow); when the corrected document is issued, the old one becomes `superseded` and points at it.
Statuses only move away from `active`, never back.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.data import applications as application_data
from portal.data import document_requests, people
from portal.data import documents as document_data
from portal.domain import audit
from portal.domain.applications import transitions, versions
from portal.domain.catalogue import agency_roles, get_catalogue
from portal.domain.notify.service import notify
from portal.domain.workflow.engine import SUPERVISOR

# What /verify says publicly about why a document was revoked. Deliberately coarse and neutral: the
# verifier needs to know the document is void, not the story behind it, and a free-text reason next to
# the holder's name on a public page could expose or defame them.
CATEGORIES = {
    "issued_in_error": _l("Issued in error"),
    "details_incorrect": _l("The details on it were wrong"),
    "not_entitled": _l("The holder was not, or is no longer, entitled to it"),
    "other": _l("Withdrawn by the issuing agency"),
    "payment_reversed": _l("The payment it records was reversed"),
}
# Given by the portal itself (a payment receipt revoked with its payment's reversal), never chosen by hand.
PAYMENT_REVERSED = "payment_reversed"
CHOOSABLE = tuple(c for c in CATEGORIES if c != PAYMENT_REVERSED)
MAX_REASON = 500  # documents.revocation_reason
OPERATOR = "operator"  # the audit role of `flask documents` commands
SYSTEM = "system"  # the audit role of the worker completing a correction


class Refused(Exception):
    """The document cannot be revoked or corrected; `str()` says why, for an operator."""


class NotActive(Refused):
    """Already revoked or superseded (a stale form, or someone else was first)."""


class CorrectionPending(Refused):
    """A corrected version was asked for and is still being made."""


class NotCorrectable(Refused):
    """Nothing to render again: not issued for an application output (a receipt, a document made by hand)."""


class InvalidReason(Refused):
    """The reason is missing, too long, or its category unknown."""


def bilingual(text) -> dict[str, str]:
    """A gettext text in both languages, for /verify (which shows both) and for notification parameters."""
    found = {}
    for locale in ("km", "en"):
        with force_locale(locale):
            found[locale] = str(text)
    return found


def is_withdrawable(document) -> bool:
    """Issued with a QR code (a certificate, licence or receipt), so there is something to withdraw."""
    return document.kind in ("issued", "receipt") and bool(document.verification_id)


def may_withdraw(person, document) -> bool:
    """Whether `person` is a supervisor of the agency that issued `document`."""
    agency = document.issuing_agency
    return (is_withdrawable(document) and agency is not None and person is not None
            and any(role.agency_id == agency.id
                    and agency_roles.acts_as(get_catalogue(), agency.slug, role.role) == SUPERVISOR
                    for role in person.staff_roles))


def supervisor_role(document) -> str:
    """The audit role of a supervisor acting on `document` (call after `may_withdraw`)."""
    return f"{document.issuing_agency.slug}.{SUPERVISOR}"


def check_reason(category: str, reason: str) -> str:
    """The reason, stripped; InvalidReason when it is empty, too long, or its category unknown."""
    reason = (reason or "").strip()
    if category not in CATEGORIES:
        raise InvalidReason(f"unknown reason category {category!r}; one of: {', '.join(CATEGORIES)}")
    if not reason:
        raise InvalidReason("a reason is required")
    if len(reason) > MAX_REASON:
        raise InvalidReason(f"the reason is longer than {MAX_REASON} characters")
    return reason


def revoke(document, *, category: str, reason: str, actor=None, actor_role: str) -> None:
    """Revoke `document` now, in the caller's transaction (the caller commits): status, when, by whom and why;
    an audit entry; the holder told in their inbox and by email/SMS. Raises NotActive if it was already revoked
    or superseded, InvalidReason, or Refused for a document that carries no QR code.

    The audit entry holds the category, never the free text, which may name people."""
    if not is_withdrawable(document):
        raise Refused("only issued documents with a QR code can be revoked")
    reason = check_reason(category, reason)
    if not document_data.revoke(document, reason, category, by_id=getattr(actor, "id", None)):
        raise NotActive(f"document {document.public_id} is already {document.status}")
    audit.record(audit.DOCUMENT_REVOKED, actor=actor, actor_role=actor_role, subject_type="document",
                 subject_id=document.public_id, application=document.application_id,
                 details={"category": category, "agency": _agency_slug(document)})
    holder = _holder(document)
    if holder is not None:
        notify(holder, "document_revoked", {
            "document": _title(document), "category": bilingual(CATEGORIES[category]), "reason": reason,
        }, link="/documents")


def request_correction(document, *, actor=None, actor_role: str):
    """Ask a worker to issue a corrected `document`: the same output rendered again from the application's
    current answers and the current template (the caller commits). The old document stays valid until the new
    one is issued. Raises NotActive, CorrectionPending (asked for already: one at a time), NotCorrectable."""
    locked = document_data.lock(document.id)  # two supervisors asking at once: the second waits, then sees the first
    if locked is None or locked.status != "active":
        raise NotActive(f"document {document.public_id} is already {document.status}")
    if not is_withdrawable(document):
        raise NotCorrectable("only issued documents with a QR code can be corrected")
    if document.id in document_requests.pending_replacements([document.id]):
        raise CorrectionPending(f"a corrected version of document {document.public_id} is already being made")
    original = document_requests.issuing(document.id)
    application = application_data.get_by_id(original.application_id) if original and original.application_id \
        else None
    service = versions.definition_for(application) if application is not None else None
    output = service.outputs.get(original.output_id) if service is not None else None
    if output is None:
        raise NotCorrectable(f"document {document.public_id} was not issued from a service's outputs "
                             "(a receipt or a document made by hand): there is nothing to render again")
    request = transitions.request_document(service, application, output, agency_slug=_agency_slug(document),
                                           replaces=document)
    audit.record(audit.DOCUMENT_CORRECTION_REQUESTED, actor=actor, actor_role=actor_role, subject_type="document",
                 subject_id=document.public_id, application=application,
                 details={"request": request.id, "agency": _agency_slug(document)})
    return request


def complete_correction(request, new_document) -> bool:
    """Called by the worker in the transaction that stores `new_document`: the document the request corrects
    becomes `superseded` by it, audited, and the holder is told. False (and nothing done) for a request that
    corrects nothing, or whose old document was revoked meanwhile (revocation stands)."""
    if request.replaces_document_id is None:
        return False
    if not document_data.supersede(request.replaces_document_id, new_document.id):
        return False
    old = document_data.get_by_id(request.replaces_document_id)
    audit.record(audit.DOCUMENT_SUPERSEDED, actor_role=SYSTEM, subject_type="document", subject_id=old.public_id,
                 application=old.application_id, details={"by": new_document.public_id})
    holder = _holder(new_document)
    if holder is not None:
        notify(holder, "document_replaced", {"document": _title(new_document)}, link="/documents")
    return True


def pending_corrections(documents) -> set[int]:
    """Ids of those `documents` whose corrected version is being made."""
    return document_requests.pending_replacements([d.id for d in documents])


def _holder(document):
    """Who is told: the person who applied (also for a business's document), else its owner."""
    if document.application_id:
        application = application_data.get_by_id(document.application_id)
        if application is not None:
            return people.get_by_id(application.applicant_person_id)
    return people.get_by_id(document.owner_person_id) if document.owner_person_id else None


def _title(document) -> dict[str, str]:
    return {"km": document.title_km or document.original_name, "en": document.title_en or document.original_name}


def _agency_slug(document) -> str | None:
    return document.issuing_agency.slug if document.issuing_agency is not None else None
