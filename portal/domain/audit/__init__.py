"""The append-only audit log (DESIGN.md section 8): hash-chained, MACed with a key kept outside
the database, its head published outside it, its rows protected by database triggers.

Each entry carries the SHA-256 of its content and of the previous entry's hash, and an HMAC of that
with a secret key (`chain.py`), so changing, removing, inserting or reordering entries breaks the
chain, recomputing the hashes after a change does not mend it, and `verify()` says where. A job
publishes the head outside the database (`head.py`), which catches entries cut off the end.
`record()` appends in the caller's transaction: the entry is committed with the change it describes,
or not at all. Entries hold ids and codes only: never passwords, contacts or names.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from portal.data import audit as audit_data
from portal.data import documents as document_data
from portal.data.db import utcnow
from portal.domain.audit import keys
from portal.domain.audit.chain import GENESIS, entry_hash, entry_mac
from portal.domain.audit.verification import Anchor, Problem, Verdict, verify

__all__ = ["GENESIS", "Anchor", "Problem", "Verdict", "entry_hash", "record", "verify"]

SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
AUTHORISATION_FAILED = "authorisation_failed"
STATE_CHANGE = "state_change"
CASE_RECORDED = "case_recorded"  # staff marked a fact, claimed, released, assigned or handed over a case
STAFF_VIEWED = "staff_viewed"
STAFF_DOWNLOADED = "staff_downloaded"
ADMIN_CHANGE = "admin_change"
ACCOUNT_CHANGE = "account_change"
DOCUMENT_REVOKED = "document_revoked"
DOCUMENT_CORRECTION_REQUESTED = "document_correction_requested"
DOCUMENT_SUPERSEDED = "document_superseded"
# A payment provider's callback or status answer we did not act on (forged, replayed, late, not matching).
PAYMENT_CONFIRMATION_REFUSED = "payment_confirmation_refused"
# An administrator created a centre, registered or revoked a kiosk, issued its enrolment link; a kiosk enrolled.
KIOSK_CHANGE = "kiosk_change"
KIOSK_ENROLLED = "kiosk_enrolled"
# An operator started, got the citizen's consent in, ended an assisted session, or filed in one (issue 14).
ASSISTED_SESSION = "assisted_session"
ASSISTED_FILING = "assisted_filing"
# "Continue on my phone": a link made, used or cancelled (issue 14). Never the link's secret.
KIOSK_HANDOFF = "kiosk_handoff"
# A guest (no account) was made at a kiosk to apply for a service that allows it (issue 14).
GUEST_STARTED = "guest_started"
# An operator showed a receipt for reprinting after the applicant gave the code sent to their phone.
RECEIPT_REPRINTED = "receipt_reprinted"
STAFF_ACCESS = (STAFF_VIEWED, STAFF_DOWNLOADED)


def role_of(person, agencies: set[str] | None = None) -> str:
    """`anonymous`, `admin`, `applicant` or `<agency>.<role>` (preferring a role in `agencies`)."""
    if person is None or not getattr(person, "is_authenticated", True):
        return "anonymous"
    # A cashier's role last: someone who is also a clerk there acts on cases as the clerk.
    roles = sorted(((r.agency.slug, r.role) for r in person.staff_roles), key=lambda r: (r[0], r[1] == "cashier", r[1]))
    preferred = [r for r in roles if agencies and r[0] in agencies]
    # An administrator who also works at an agency handling the case acts here as that agency's staff.
    if person.is_admin and not preferred:
        return "admin"
    if not roles:
        return "operator" if getattr(person, "operator_post", None) is not None else "applicant"
    agency, role = (preferred or roles)[0]
    return f"{agency}.{role}"


def record(action: str, *, actor=None, actor_role: str | None = None, subject_type: str | None = None,
           subject_id: str | None = None, application=None, details: dict | None = None):
    """Append an entry in the caller's transaction (the caller commits). `application` may be the row or its id."""
    # Through JSON and back: what is hashed is exactly what the database will give back.
    details = json.loads(json.dumps(details or {}, sort_keys=True, ensure_ascii=False))
    fields = {
        "at": utcnow(),
        "actor_id": getattr(actor, "id", None) if actor is not None and getattr(actor, "is_authenticated", True)
        else None,
        "actor_role": actor_role or role_of(actor),
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "application_id": getattr(application, "id", application),
        "details": details,
    }
    # Before the lock: without a key (production before `flask audit keys generate`) nothing waits for it.
    fields["mac_key_id"], key = keys.active_key()
    audit_data.lock_chain()
    head = audit_data.head()
    fields["seq"] = head.seq + 1 if head else 1
    fields["prev_hash"] = head.hash if head else GENESIS
    fields["hash"] = entry_hash(fields)
    fields["mac"] = entry_mac(key, fields["mac_key_id"], fields["seq"], fields["hash"], head.mac if head else None)
    return audit_data.append(**fields)


def contact_digest(normalised_contact: str) -> str:
    """Failed sign-ins are grouped by this, never by the email address or phone number itself."""
    return hashlib.sha256(normalised_contact.encode()).hexdigest()


# --- what the rest of the portal calls -----------------------------------------------------------

def record_sign_in(person) -> None:
    record(SIGN_IN, actor=person, subject_type="person", subject_id=person.public_id)


def record_failed_sign_in(normalised_contact: str | None, reason: str, person=None) -> None:
    """`reason`: `credentials` (unknown contact or wrong password), `inactive` or `code` (a wrong TOTP code
    after the right password: then `person` is known)."""
    details = {"reason": reason}
    if normalised_contact:
        details["contact_sha256"] = contact_digest(normalised_contact)
    record(SIGN_IN_FAILED, actor=None, actor_role="anonymous", subject_type="person" if person else None,
           subject_id=person.public_id if person is not None else None, details=details)


def record_refusal(person, subject_type: str, subject_id: str, application=None) -> None:
    """A signed-in person asked for something that exists but is not for them."""
    record(AUTHORISATION_FAILED, actor=person, subject_type=subject_type, subject_id=subject_id[:64],
           application=application)


def record_refused_application(person, public_id: str) -> None:
    """Someone asked for an application that is not theirs: recorded when it exists (a made-up id is noise)."""
    application_id = audit_data.application_id_for(public_id)
    if application_id is not None:
        record_refusal(person, "application", public_id, application_id)


def record_state_change(application, decision, person) -> None:
    # The role the engine let them act through, as on the application's own history.
    record(STATE_CHANGE, actor=person, actor_role=decision.event.acted_as, subject_type="application",
           subject_id=application.public_id, application=application,
           details={"action": decision.action, "from": decision.from_state, "to": decision.to_state})


def record_staff_view(person, application) -> None:
    """A staff member opened an applicant's application (the case page)."""
    agencies = {a for a in (application.current_agency, application.routed_agency) if a}
    role = role_of(person, agencies)
    record(STAFF_VIEWED, actor=person, actor_role=role, subject_type="application",
           subject_id=application.public_id, application=application, details={"agency": role.split(".")[0]})


def record_staff_download(person, document) -> None:
    """`person` read a document they do not own: one entry per application it belongs to, so each
    applicant sees it on their application. Nothing when `person` is its owner or not staff."""
    if document.owner_person_id == person.id or not person.staff_roles:
        return
    if document.owner_organisation_id and document_data.is_member(person, document.owner_organisation_id):
        return
    used_in = audit_data.applications_using_document(document.id) or [(None, None, set())]
    for application_id, _public_id, agencies in used_in:
        role = role_of(person, agencies)
        record(STAFF_DOWNLOADED, actor=person, actor_role=role, subject_type="document",
               subject_id=document.public_id, application=application_id, details={"agency": role.split(".")[0]})


def record_admin_change(admin, change: str, person, **details) -> None:
    """`change`: e.g. staff_created, role_added, role_removed, deactivated, reactivated; `details` codes only."""
    record(ADMIN_CHANGE, actor=admin, subject_type="person", subject_id=person.public_id,
           details={"change": change, **details})


def record_kiosk_change(admin, change: str, subject_type: str, subject_id: str, **details) -> None:
    """`change`: centre_created, kiosk_registered, enrolment_link_issued or revoked; `details` codes only.
    `admin` None: the command line (`flask kiosks`, `flask demo load`)."""
    record(KIOSK_CHANGE, actor=admin, actor_role=None if admin is not None else "cli", subject_type=subject_type,
           subject_id=subject_id,
           details={"change": change, **details})


def record_account_change(person, change: str) -> None:
    """A person changed how they sign in: `enrolled`, `password_changed` or `authenticator_replaced`."""
    record(ACCOUNT_CHANGE, actor=person, subject_type="person", subject_id=person.public_id,
           details={"change": change})


@dataclass(frozen=True)
class StaffAccess:
    """One staff member's looks at an application, in one role: what the applicant sees of them."""

    action: str
    name: dict[str, str]  # {km, en}; empty when the person has no name or no longer exists
    role: str  # clerk or supervisor
    agency: dict[str, str]  # {km, en}; empty when the agency is no longer in the catalogue
    first_at: object
    last_at: object
    count: int


@dataclass(frozen=True)
class StaffAccessList:
    shown: list[StaffAccess]
    more: int  # groups not shown (the oldest)


SHOWN_ACCESS_GROUPS = 10  # enough for every person who handles a case; a phone screen, not a scroll


def staff_access(application, limit: int = SHOWN_ACCESS_GROUPS) -> StaffAccessList:
    """Who in government looked at this application or its documents: one line per person, role and
    kind of look (how many times, first and last), most recent first, the `limit` latest. Every look stays
    in the log."""
    from portal.domain.catalogue import get_catalogue

    catalogue = get_catalogue()
    groups, total = audit_data.staff_access(application.id, STAFF_ACCESS, limit)
    shown = []
    for group in groups:
        person = group.person
        name = {"km": person.name_km or person.name_latin or "", "en": person.name_latin or person.name_km or ""} \
            if person is not None and (person.name_km or person.name_latin) else {}
        slug, _, role = group.role.partition(".")
        agency = catalogue.agency(slug)
        shown.append(StaffAccess(group.action, name, role, dict(agency.name) if agency else {},
                                 group.first_at, group.last_at, group.count))
    return StaffAccessList(shown, max(total - len(shown), 0))
