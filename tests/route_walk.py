"""The URL map as the authorisation walk (tests/integration/test_authorisation_walk.py) sees it.

Every route of the portal is in exactly one of two tables:

- `WALKS`: routes that act on one record (an application, a document, a business, a staff account, a
  failed job). The walk opens each with its URL filled from real records of applicant A, whose application
  agency X handles, as every role in `ROLES`; the roles in `Walk.allowed` must get through (so the URL is
  proved real), every other role must be refused and leave the record as it was.
- `NOT_PER_RECORD`: routes that name no one's record, each with why and with who may open it at all.

A route in neither table fails the walk: a new route is looked at, and walked, before it ships.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType, SimpleNamespace

from sqlalchemy import func, select

from portal.data import agencies as agency_data
from portal.data import applications as application_data
from portal.data import document_requests, notifications, organisations
from portal.data import payment_requests as request_data
from portal.data import payments as payment_data
from portal.data.db import db
from portal.data.models import (
    Application,
    ApplicationEvent,
    Document,
    LegalHold,
    OrganisationInvitation,
    OrganisationMember,
    Person,
)
from portal.domain import api_tokens, webhooks
from portal.domain.applications import case_notes, journey
from portal.domain.catalogue import get_catalogue
from portal.domain.documents import get_document_store
from portal.domain.identity.contacts import Contact
from portal.domain.organisations import invitations
from portal.domain.retention import holds
from portal.jobs import failures
from portal.jobs.outbox import relay_pending, schedule
from portal.jobs.worker import make_simple_worker
from tests import docfiles
from tests.reliability.jobs import always_fails
from tests.staff_cases import AGENCY, ANSWERS, SLUG, submitted

# An office that handles nothing of A's: made by the walk itself (the fixture services root has one agency,
# and the real catalogue's agencies are in the database only when another test happened to sync them).
OTHER_AGENCY = SimpleNamespace(slug="walk-other-office", kind="ministry", commune_code=None,
                               name={"km": "ការិយាល័យផ្សេង", "en": "Another office"})

# Who visits. A is the applicant whose records are walked; X is AGENCY, which handles A's application.
ANONYMOUS = "anonymous"
OTHER_APPLICANT = "other-applicant"  # B: signed in, no staff role
OTHER_AGENCY_CLERK = "other-agency-clerk"  # a clerk of an agency that does not handle A's application
APPLICANT = "applicant"  # A
AGENCY_CLERK = "agency-clerk"  # a clerk of X
AGENCY_SUPERVISOR = "agency-supervisor"  # a supervisor of X, which issued A's document
ADMIN = "admin"
ROLES = (ANONYMOUS, OTHER_APPLICANT, OTHER_AGENCY_CLERK, APPLICANT, AGENCY_CLERK, AGENCY_SUPERVISOR, ADMIN)
# X's staff may open A's case: a route they are refused there may answer 403 (they know the record exists).
CASE_READERS = (AGENCY_CLERK, AGENCY_SUPERVISOR)

# Who may open a route that is not per-record at all.
PUBLIC, SIGNED_IN, STAFF, SUPERVISORS, ADMIN_ONLY, WITH_AUTHENTICATOR = (
    "anyone", "anyone signed in", "staff", "supervisors", "administrators", "staff and administrators")
# An agency's finance page: its supervisors and cashiers (none of the walk's roles is a cashier; the
# cashier's access is tested in tests/integration/test_reconciliation.py).
FINANCE = "supervisors and cashiers"
# The API's business routes: no browser role, signed in or not, may open them; only a business's token does
# (tests/integration/test_api_applications.py: B's token never reads A's, on every such route).
TOKEN_ONLY = "a business's API token"
ACCESS = MappingProxyType({
    ANONYMOUS: {PUBLIC},
    OTHER_APPLICANT: {PUBLIC, SIGNED_IN},
    APPLICANT: {PUBLIC, SIGNED_IN},
    OTHER_AGENCY_CLERK: {PUBLIC, SIGNED_IN, STAFF, WITH_AUTHENTICATOR},
    AGENCY_CLERK: {PUBLIC, SIGNED_IN, STAFF, WITH_AUTHENTICATOR},
    AGENCY_SUPERVISOR: {PUBLIC, SIGNED_IN, STAFF, SUPERVISORS, FINANCE, WITH_AUTHENTICATOR},
    ADMIN: {PUBLIC, SIGNED_IN, ADMIN_ONLY, WITH_AUTHENTICATOR},
})


class Records:
    """The people of `ROLES` and applicant A's records, each made on first use (a walk makes only what its
    URL needs): A's application in `state`, handled by X; a file A uploaded and attached to it; a document
    issued for it; A's business with a second member; a staff member of X (for the admin pages); a failed job."""

    def __init__(self, app, factories, state: str = "submitted", applicant: Person | None = None):
        self.app, self.factories, self.state = app, factories, state
        if applicant is not None:
            self.applicant = applicant  # records of someone else, made the same way

    # --- people ---

    @cached_property
    def applicant(self) -> Person:
        return self.factories.person(name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")

    @cached_property
    def other_applicant(self) -> Person:
        return self.factories.person(name_km="ចាន់ ដារា", name_latin="Chan Dara")

    @cached_property
    def agency_clerk(self) -> Person:
        return self.factories.staff(AGENCY, "clerk")

    @cached_property
    def agency_supervisor(self) -> Person:
        return self.factories.staff(AGENCY, "supervisor")

    @cached_property
    def other_agency(self) -> str:
        agency_data.sync([OTHER_AGENCY])
        db.session.commit()
        return OTHER_AGENCY.slug

    @cached_property
    def other_agency_clerk(self) -> Person:
        return self.factories.staff(self.other_agency, "clerk")

    @cached_property
    def admin(self) -> Person:
        return self.factories.admin()

    def visitor(self, role: str) -> Person | None:
        return None if role == ANONYMOUS else getattr(self, role.replace("-", "_"))

    # --- A's records ---

    @cached_property
    def service(self):
        return get_catalogue().get(SLUG)

    @cached_property
    def application(self) -> Application:
        if self.state == "draft":
            # A complete draft (answers and the required document), ready to submit.
            application = journey.start(self.service, self.applicant)
            application.answers = dict(ANSWERS)
        else:
            application = submitted(self.applicant, state=self.state, commit=False)
        if self.state == "more_info":
            # As a clerk's request for information leaves it: one answer and one document reopened.
            application.editable = ["goods", self.service.documents[0].id]
        application_data.attach(application, self.service.documents[0].id, self._upload().id)
        db.session.commit()
        return application

    @cached_property
    def other_upload(self) -> Document:
        """Another of A's files, in My documents but not attached."""
        document = self._upload()
        db.session.commit()
        return document

    def _upload(self) -> Document:
        return get_document_store().add_upload(docfiles.png(), "id-card.png", created_by=self.applicant,
                                               owner_person=self.applicant, max_bytes=5_000_000)

    @cached_property
    def upload(self) -> Document:
        """A's file attached to the application."""
        return self.application.attachments[0].document

    @cached_property
    def issued(self) -> Document:
        """A's permit, issued by X for the application's output, as a worker leaves it (its request included)."""
        agency = agency_data.get_by_slug(AGENCY)
        issued = get_document_store().add_issued(
            docfiles.pdf("permit"), name="permit.pdf", owner_person_id=self.applicant.id,
            application_id=self.application.id, agency_id=agency.id, verification_id=secrets.token_hex(16),
            title={"km": "លិខិតអនុញ្ញាត", "en": "Permit"}, holder_name="Sok Chanthy")
        request = document_requests.add(
            template=f"{SLUG}/permit.html", context={}, file_name="permit", title_km="លិខិតអនុញ្ញាត",
            title_en="Permit", holder_name="Sok Chanthy", owner_person_id=self.applicant.id, agency_id=agency.id,
            application_id=self.application.id, output_id=next(iter(self.service.outputs)))
        document_requests.mark_issued(request, issued.id)
        db.session.commit()
        return issued

    @cached_property
    def hold(self):
        """A legal hold on A's application, placed by a supervisor of X."""
        hold = holds.place(self.application, "ការស៊ើបអង្កេត ២០២៦", self.agency_supervisor)
        db.session.commit()
        return hold

    @cached_property
    def payment(self):
        """Cash A paid at X's counter for the application, as a clerk of X records it."""
        payment, _new = payment_data.add(
            self.application.id, amount_minor=20000, currency="KHR", method="counter_cash", provider_reference=None,
            receipt_number="WALK-1", recorded_by_id=self.agency_clerk.id, recorded_agency=AGENCY)
        db.session.commit()
        return payment

    @cached_property
    def business(self):
        business = self.factories.business(self.applicant)
        organisations.add_member(business, self.business_member)
        db.session.commit()
        return business

    @cached_property
    def business_api_token(self):
        """A live API token of A's business (for A, its owner, to revoke)."""
        made = api_tokens.make(self.business, self.applicant, "Walk", ("read",), 30)
        db.session.commit()
        return made.token

    @cached_property
    def business_webhook(self):
        """A live webhook of A's business (for A, its owner, to stop)."""
        webhook, _secret = webhooks.add(self.business, self.applicant, "https://books.example.com/hook")
        db.session.commit()
        return webhook

    @cached_property
    def business_member(self) -> Person:
        return self.factories.person()

    @cached_property
    def newcomer(self) -> Person:
        """Someone with an account whom A could add to the business."""
        return self.factories.person(email="newcomer@example.com")

    @cached_property
    def business_invitation(self) -> OrganisationInvitation:
        """An invitation A's business sent, waiting for an answer (for A to withdraw)."""
        invitation = invitations.invite(self.business, self.applicant, Contact("email", "invited@example.com"),
                                        "member")
        db.session.commit()
        return invitation

    @cached_property
    def invitation_to_applicant(self) -> OrganisationInvitation:
        """An invitation another business sent to A's phone number (for A to accept or decline)."""
        inviter = self.factories.person()
        business = self.factories.business(inviter, name_km="ហាងកាហ្វេ")
        invitation = invitations.invite(business, inviter, Contact("phone", self.applicant.phone), "member")
        db.session.commit()
        return invitation

    @cached_property
    def staff_member(self) -> Person:
        """A staff member of X with two roles, so that an administrator may take one away."""
        member = self.factories.staff(AGENCY, "clerk")
        agency_data.grant_role(member, agency_data.get_by_slug(AGENCY), "supervisor")
        db.session.commit()
        return member

    @cached_property
    def former_staff_member(self) -> Person:
        """A staff member of X whose account was deactivated, so that an administrator may reactivate it."""
        member = self.factories.staff(AGENCY, "clerk", is_active=False)
        db.session.commit()
        return member

    @cached_property
    def failed_job(self) -> str:
        """A job that failed for good, as a real worker leaves it."""
        job_id = schedule(always_fails, "smtp down")
        db.session.commit()
        relay_pending()
        make_simple_worker(self.app).work(burst=True)
        assert job_id in {job.id for job in failures.failed_jobs()}, "the job did not fail"
        return job_id

    def markers(self) -> set[str]:
        """Text that identifies A's application and document on a page."""
        return {self.application.public_id, self.application.reference, self.upload.public_id}


# --- what a refused request must leave as it was ---------------------------------------------------------


def application_unchanged(r: Records):
    db.session.expire_all()
    a = db.session.get(Application, r.application.id)
    events = db.session.scalar(select(func.count(ApplicationEvent.id)).where(ApplicationEvent.application_id == a.id))
    return {"state": a.state, "events": events, "answers": a.answers, "assignee": a.assignee_id, "paid": a.paid,
            "documents_checked": a.documents_checked, "editable": sorted(a.editable or ()), "staff_data": a.staff_data,
            "attachments": sorted((x.requirement_id, x.document_id) for x in a.attachments),
            "notes": len(case_notes.for_staff(a)), "messages to A": len(notifications.inbox(r.applicant.id))}


def document_unchanged(which: str) -> Callable[[Records], object]:
    """The application as above, and the status of the document `Records.<which>` (and whether a corrected
    version of it was asked for)."""
    def unchanged(r: Records):
        document = db.session.get(Document, getattr(r, which).id)
        return {**application_unchanged(r), "document": document.status,
                "correction asked": bool(document_requests.pending_replacements([document.id]))}
    return unchanged


def payment_unchanged(r: Records):
    """The application as above, and whether A's payment was reversed."""
    db.session.expire_all()
    return {**application_unchanged(r), "reversed": db.session.get(type(r.payment), r.payment.id).reversed_at}


def hold_unchanged(r: Records):
    """The application as above, and its legal holds (placed, lifted)."""
    db.session.expire_all()
    rows = db.session.scalars(select(LegalHold).where(LegalHold.application_id == r.application.id)).all()
    return {**application_unchanged(r), "holds": sorted((h.public_id, h.lifted_at is None) for h in rows)}


def payment_requests_unchanged(r: Records):
    """The application as above, and its KHQR payment requests."""
    return {**application_unchanged(r),
            "requests": [(q.public_id, q.state) for q in request_data.for_application(r.application.id)]}


def _members_and_invitations(organisation_id: int) -> dict:
    db.session.expire_all()
    members = db.session.scalars(select(OrganisationMember).where(
        OrganisationMember.organisation_id == organisation_id))
    sent = db.session.scalars(select(OrganisationInvitation).where(
        OrganisationInvitation.organisation_id == organisation_id))
    return {"members": sorted((m.person_id, m.role) for m in members),
            "invitations": sorted((i.public_id, i.status) for i in sent)}


def business_unchanged(r: Records):
    return _members_and_invitations(r.business.id)


def api_tokens_unchanged(r: Records):
    """The API tokens of A's business: which exist, and which are revoked."""
    db.session.expire_all()
    return sorted((token.public_id, token.revoked_at is None) for token in api_tokens.of_organisation(r.business))


def webhooks_unchanged(r: Records):
    """The webhooks of A's business: which exist, and which are stopped."""
    db.session.expire_all()
    return sorted((webhook.public_id, webhook.disabled_at is None) for webhook in webhooks.of_organisation(r.business))


def invitation_to_applicant_unchanged(r: Records):
    """The invitation to A, and the members of the business that sent it."""
    return _members_and_invitations(r.invitation_to_applicant.organisation_id)


def staff_member_unchanged(which: str) -> Callable[[Records], object]:
    """Whether the account `Records.<which>` is active, its roles, and its enrolment link."""
    def unchanged(r: Records):
        db.session.expire_all()
        member = db.session.get(Person, getattr(r, which).id)
        return {"active": member.is_active, "enrolment": member.enrolment_nonce,
                "roles": sorted((role.agency.slug, role.role) for role in member.staff_roles)}
    return unchanged


def failed_job_unchanged(r: Records):
    return r.failed_job in {job.id for job in failures.failed_jobs()}


# --- values for URLs and forms, taken from the records and the service definition -----------------------


def applicant_action(r: Records) -> str:
    """An action of the definition the applicant may take from the application's state."""
    return next(t.action for t in r.service.workflow.transitions
                if r.application.state in t.sources and "applicant" in t.roles)


def clerk_action(r: Records) -> str:
    """An action of the definition X's clerks may take from the application's state."""
    return next(t.action for t in r.service.workflow.transitions
                if r.application.state in t.sources and f"{AGENCY}.clerk" in t.roles)


def reopened_step(r: Records) -> str:
    """The step holding the answer the clerk reopened."""
    return next(step.id for step in r.service.steps if {f.id for f in step.fields} & set(r.application.editable))


def step_answers(r: Records) -> dict:
    step = next(s for s in r.service.steps if s.id == reopened_step(r))
    return {f.id: str(ANSWERS[f.id]) for f in step.fields} | {"goods": "ផ្លែឈើ"}


def case_form(r: Records) -> dict:
    """The state (and assignee) the clerk saw, as every case form carries them."""
    return {"seen_state": r.application.state, "seen_assignee": ""}


def confirmed_case_form(r: Records) -> dict:
    """A case form that also says yes to the confirmation a certificate-issuing decision asks for."""
    return case_form(r) | {"confirm": "1"}


# A state where X's clerks check and only X's supervisors decide: there X's clerks hand the case over.
CHECKING = "checking"


def chief_decides(data) -> None:
    data["workflow"]["states"][CHECKING] = {
        "label": {"km": "កំពុងពិនិត្យ", "en": "Being checked"}, "actor": f"{AGENCY}.clerk", "sla_working_days": 2}
    data["workflow"]["transitions"] += [
        {"action": "check", "label": {"km": "ពិនិត្យ", "en": "Check"}, "from": "submitted", "to": CHECKING,
         "roles": [f"{AGENCY}.clerk"]},
        {"action": "approve_checked", "label": {"km": "អនុម័ត", "en": "Approve"}, "from": CHECKING,
         "to": "approved", "roles": [f"{AGENCY}.supervisor"]},
    ]


STAFF_STEP = "register"


def a_staff_step(data) -> None:
    """A step X's clerks fill in on the case (docs/services.md, "Staff steps")."""
    data["staff_steps"] = [{
        "id": STAFF_STEP, "title": {"km": "ការចុះបញ្ជី", "en": "Register"}, "roles": [f"{AGENCY}.clerk"],
        "states": ["submitted"],
        "fields": [{"id": "register_number", "type": "text", "required": True,
                    "label": {"km": "លេខចុះបញ្ជី", "en": "Register entry number"}}]}]


@dataclass(frozen=True)
class Walk:
    """A route that acts on one record, and how to fill it so that the `allowed` roles succeed."""

    method: str
    rule: str
    allowed: tuple[str, ...]
    url_values: Callable[[Records], dict[str, str]]
    form: Callable[[Records], dict] = field(default=lambda r: {})
    unchanged: Callable[[Records], object] = application_unchanged
    state: str = "submitted"  # the application's state, where it matters to the owner's success
    record: str = ""  # which record, when one route is walked with several

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule}" + (f" [{self.record}]" if self.record else "")

    def url(self, records: Records) -> str:
        return fill(self.rule, self.url_values(records))

    def shows_agency_record(self) -> bool:
        """A back-office route, or a record X's clerks may read: there a clerk of another agency must get
        404, as for a record that does not exist, never a 403 that says it does."""
        return self.rule.startswith("/staff/") or AGENCY_CLERK in self.allowed


def fill(rule: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule)


def _app(r: Records) -> dict:
    return {"public_id": r.application.public_id}


def _member(r: Records) -> dict:
    return {"public_id": r.staff_member.public_id}


# X's supervisors may do whatever X's clerks may; only they may withdraw what X issued.
APPLICANT_ONLY, CLERKS_OF_X, SUPERVISORS_OF_X, ADMINS = (
    (APPLICANT,), (AGENCY_CLERK, AGENCY_SUPERVISOR), (AGENCY_SUPERVISOR,), (ADMIN,))

WALKS = (
    # The applicant's application: A only (clerks work it on the /staff pages, never these).
    Walk("GET", "/applications/<public_id>", APPLICANT_ONLY, _app),
    Walk("POST", "/applications/<public_id>/act/<action>", APPLICANT_ONLY,
         lambda r: _app(r) | {"action": applicant_action(r)}, state="more_info"),
    Walk("GET", "/applications/<public_id>/documents", APPLICANT_ONLY, _app),
    Walk("POST", "/applications/<public_id>/documents", APPLICANT_ONLY, _app, state="more_info",
         form=lambda r: {"requirement": r.service.documents[0].id, "existing": r.other_upload.public_id}),
    Walk("POST", "/applications/<public_id>/documents/<requirement_id>/<document_id>/remove", APPLICANT_ONLY,
         lambda r: _app(r) | {"requirement_id": r.service.documents[0].id, "document_id": r.upload.public_id},
         state="more_info"),
    Walk("GET", "/applications/<public_id>/review", APPLICANT_ONLY, _app),
    # Paying it by KHQR: the page, asking for a code (a payment request), the state the page polls.
    Walk("GET", "/applications/<public_id>/pay", APPLICANT_ONLY, _app),
    Walk("POST", "/applications/<public_id>/pay", APPLICANT_ONLY, _app, unchanged=payment_requests_unchanged),
    Walk("GET", "/applications/<public_id>/pay/status", APPLICANT_ONLY, _app),
    # Its receipt at a kiosk (tests/integration/test_kiosk_receipt.py): the walk has no device cookie, so A is
    # sent to the application page (303) and the POST makes the code as /pay does; others are refused first.
    Walk("GET", "/kiosk/applications/<public_id>/receipt", APPLICANT_ONLY, _app),
    Walk("POST", "/kiosk/applications/<public_id>/receipt/khqr", APPLICANT_ONLY, _app,
         unchanged=payment_requests_unchanged),
    # "Continue on my phone" (tests/integration/test_kiosk_handoff.py) works only on an enrolled kiosk; the walk
    # has no device cookie, so everyone, A too, gets 404 (A's own success is tested there, on a kiosk).
    Walk("POST", "/kiosk/applications/<public_id>/handoff", (), _app, state="draft"),
    Walk("GET", "/applications/<public_id>/steps/<step_id>", APPLICANT_ONLY,
         lambda r: _app(r) | {"step_id": reopened_step(r)}, state="more_info"),
    Walk("POST", "/applications/<public_id>/steps/<step_id>", APPLICANT_ONLY,
         lambda r: _app(r) | {"step_id": reopened_step(r)}, form=step_answers, state="more_info"),
    Walk("POST", "/applications/<public_id>/submit", APPLICANT_ONLY, _app, state="draft",
         form=lambda r: {"declaration": "y"}),
    # A's documents: A, and clerks of the agency handling the application they are part of.
    Walk("GET", "/documents/<public_id>/download", (APPLICANT, *CLERKS_OF_X),
         lambda r: {"public_id": r.upload.public_id}, unchanged=document_unchanged("upload"), record="uploaded by A"),
    Walk("GET", "/documents/<public_id>/download", (APPLICANT, *CLERKS_OF_X),
         lambda r: {"public_id": r.issued.public_id}, unchanged=document_unchanged("issued"), record="issued to A"),
    Walk("GET", "/documents/<public_id>/view", (APPLICANT, *CLERKS_OF_X),
         lambda r: {"public_id": r.upload.public_id}, unchanged=document_unchanged("upload"), record="uploaded by A"),
    Walk("GET", "/documents/<public_id>/view", (APPLICANT, *CLERKS_OF_X),
         lambda r: {"public_id": r.issued.public_id}, unchanged=document_unchanged("issued"), record="issued to A"),
    Walk("GET", "/documents/<public_id>/view", APPLICANT_ONLY, lambda r: {"public_id": r.other_upload.public_id},
         unchanged=document_unchanged("other_upload"), record="A's, used by no application"),
    # ... but not while the application is a draft, nor a file of A's that no application uses.
    Walk("GET", "/documents/<public_id>/download", APPLICANT_ONLY, lambda r: {"public_id": r.upload.public_id},
         unchanged=document_unchanged("upload"), state="draft", record="attached to A's draft"),
    Walk("GET", "/documents/<public_id>/download", APPLICANT_ONLY, lambda r: {"public_id": r.other_upload.public_id},
         unchanged=document_unchanged("other_upload"), record="A's, used by no application"),
    # The case, as X's clerks work it.
    Walk("GET", "/staff/cases/<public_id>", CLERKS_OF_X, _app),
    Walk("POST", "/staff/cases/<public_id>/act/<action>", CLERKS_OF_X,
         lambda r: _app(r) | {"action": clerk_action(r)}, form=confirmed_case_form),
    Walk("POST", "/staff/cases/<public_id>/hand-over", CLERKS_OF_X, _app, form=case_form, state=CHECKING),
    Walk("POST", "/staff/cases/<public_id>/staff-steps/<step_id>", CLERKS_OF_X,
         lambda r: _app(r) | {"step_id": STAFF_STEP},
         form=lambda r: {"seen_state": r.application.state, "seen_version": "0", "register_number": "R-1"}),
    Walk("POST", "/staff/cases/<public_id>/assignment/<what>", CLERKS_OF_X,
         lambda r: _app(r) | {"what": "claim"}, form=case_form),
    Walk("POST", "/staff/cases/<public_id>/facts/<fact>", CLERKS_OF_X,
         lambda r: _app(r) | {"fact": "documents_checked"}, form=case_form),
    # Payments at X's counter: X's staff record one, X's supervisors reverse one.
    Walk("POST", "/staff/cases/<public_id>/payments", CLERKS_OF_X, _app,
         form=lambda r: {"amount": "20000", "currency": "KHR", "method": "counter_cash", "receipt_number": "W-2"}),
    Walk("POST", "/staff/cases/<public_id>/payments/<payment_id>/reverse", SUPERVISORS_OF_X,
         lambda r: _app(r) | {"payment_id": r.payment.public_id}, unchanged=payment_unchanged,
         form=lambda r: {"reason": "ចុះបញ្ជីខុស"}),
    *(Walk("POST", "/staff/cases/<public_id>/notes/<kind>", CLERKS_OF_X, lambda r, kind=kind: _app(r) | {"kind": kind},
           form=lambda r: {"body": "ពិនិត្យរួច"}, record=f"{kind} note") for kind in case_notes.KINDS),
    # The document X issued for the case: X's supervisors revoke it or have a corrected one issued.
    Walk("POST", "/staff/cases/<public_id>/documents/<document_id>/revoke", SUPERVISORS_OF_X,
         lambda r: _app(r) | {"document_id": r.issued.public_id}, unchanged=document_unchanged("issued"),
         form=lambda r: {"category": "issued_in_error", "reason": "ចេញដោយច្រឡំ"}),
    Walk("POST", "/staff/cases/<public_id>/documents/<document_id>/supersede", SUPERVISORS_OF_X,
         lambda r: _app(r) | {"document_id": r.issued.public_id}, unchanged=document_unchanged("issued")),
    # A legal hold on the case (issue 18): X's supervisors place and lift it.
    Walk("POST", "/staff/cases/<public_id>/hold", SUPERVISORS_OF_X, _app, unchanged=hold_unchanged,
         form=lambda r: {"reason": "បណ្ដឹងនៅតុលាការ"}),
    Walk("POST", "/staff/cases/<public_id>/hold/lift", SUPERVISORS_OF_X, lambda r: (r.hold, _app(r))[1],
         unchanged=hold_unchanged, form=lambda r: {"reason": "តុលាការបានបិទរឿងក្តី"}),
    # A's business: its members see it, its owners invite and remove members.
    Walk("GET", "/account/businesses/<public_id>", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id}, unchanged=business_unchanged),
    Walk("POST", "/account/businesses/<public_id>/invitations", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id}, unchanged=business_unchanged,
         form=lambda r: {"contact": r.newcomer.email, "role": "member"}),
    Walk("POST", "/account/businesses/<public_id>/invitations/<invitation_id>/withdraw", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id, "invitation_id": r.business_invitation.public_id},
         unchanged=business_unchanged),
    # The API tokens of A's business: its owners only (tests/integration/test_api_token_pages.py).
    Walk("GET", "/account/businesses/<public_id>/api-tokens", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id}, unchanged=api_tokens_unchanged),
    Walk("POST", "/account/businesses/<public_id>/api-tokens", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id}, unchanged=api_tokens_unchanged,
         form=lambda r: {"name": "Books", "scopes": "read", "lifetime": "90"}),
    Walk("POST", "/account/businesses/<public_id>/api-tokens/<token_id>/revoke", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id, "token_id": r.business_api_token.public_id},
         unchanged=api_tokens_unchanged),
    # The webhooks of A's business: its owners only (tests/integration/test_api_webhooks.py).
    Walk("GET", "/account/businesses/<public_id>/webhooks", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id}, unchanged=webhooks_unchanged),
    Walk("POST", "/account/businesses/<public_id>/webhooks", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id}, unchanged=webhooks_unchanged,
         form=lambda r: {"url": "https://books.example.com/another"}),
    Walk("POST", "/account/businesses/<public_id>/webhooks/<webhook_id>/disable", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id, "webhook_id": r.business_webhook.public_id},
         unchanged=webhooks_unchanged),
    # An invitation sent to A: only A answers it.
    *(Walk("POST", f"/account/invitations/<public_id>/{answer}", APPLICANT_ONLY,
           lambda r: {"public_id": r.invitation_to_applicant.public_id}, unchanged=invitation_to_applicant_unchanged)
      for answer in ("accept", "decline")),
    Walk("POST", "/account/businesses/<public_id>/members/<person_id>/remove", APPLICANT_ONLY,
         lambda r: {"public_id": r.business.public_id, "person_id": r.business_member.public_id},
         unchanged=business_unchanged),
    # A staff member's account and a failed job: administrators only.
    Walk("GET", "/admin/staff/<public_id>", ADMINS, _member, unchanged=staff_member_unchanged("staff_member")),
    Walk("POST", "/admin/staff/<public_id>/enrolment", ADMINS, _member,
         unchanged=staff_member_unchanged("staff_member")),
    Walk("POST", "/admin/staff/<public_id>/deactivate", ADMINS, _member,
         unchanged=staff_member_unchanged("staff_member"), form=lambda r: {"confirm": "1"}),
    Walk("POST", "/admin/staff/<public_id>/reactivate", ADMINS,
         lambda r: {"public_id": r.former_staff_member.public_id},
         unchanged=staff_member_unchanged("former_staff_member")),
    Walk("POST", "/admin/staff/<public_id>/roles", ADMINS, _member, unchanged=staff_member_unchanged("staff_member"),
         form=lambda r: {"agency": r.other_agency, "role": "clerk"}),
    Walk("POST", "/admin/staff/<public_id>/roles/remove", ADMINS, _member,
         unchanged=staff_member_unchanged("staff_member"), form=lambda r: {"agency": AGENCY, "role": "supervisor"}),
    Walk("POST", "/admin/jobs/failed/<job_id>/retry", ADMINS,
         lambda r: {"job_id": r.failed_job}, unchanged=failed_job_unchanged),
)


@dataclass(frozen=True)
class Listed:
    """A route that is not per-record: who may open it, and why it names no one's record."""

    access: str
    why: str
    url_values: Callable[[Records], dict[str, str]] = field(default=lambda r: {})
    # For a POST that finds records (a search): what to send, so the answer can be checked for A's.
    form: Callable[[Records], dict] | None = None


NOT_PER_RECORD = MappingProxyType({
    # Public pages and the ways into an account.
    "/": Listed(PUBLIC, "the home page"),
    "/healthz": Listed(PUBLIC, "the load balancer's health check"),
    "/services/<slug>": Listed(PUBLIC, "a service's public description"),
    "/help": Listed(PUBLIC, "how to apply and what each status means, from the definitions"),
    "/contact": Listed(PUBLIC, "the offices of agencies.yaml and how to complain"),
    "/privacy": Listed(PUBLIC, "the privacy notice, with each service's retention"),
    "/fonts/<name>.woff2": Listed(PUBLIC, "the web fonts"),
    "/static/<path:filename>": Listed(PUBLIC, "stylesheets, scripts and images"),
    "/language": Listed(PUBLIC, "choosing Khmer or English, for the visitor's own session"),
    "/geo/children": Listed(PUBLIC, "the public list of provinces, districts, communes and villages"),
    "/verify/keys.json": Listed(PUBLIC, "the published public keys for checking documents offline"),
    "/developers/api": Listed(PUBLIC, "the API's page for people, made from its OpenAPI document"),
    "/api/v1/openapi.json": Listed(PUBLIC, "the API's OpenAPI document"),
    "/api/v1/services": Listed(PUBLIC, "the live services, as the public catalogue lists them"),
    "/api/v1/applications": Listed(TOKEN_ONLY, "the token's own business's applications; a cookie opens nothing"),
    "/api/v1/applications/<public_id>": Listed(TOKEN_ONLY, "one of the token's own business's applications; "
                                                           "another business's is a 404", _app),
    "/api/v1/applications/<public_id>/steps/<step_id>": Listed(
        TOKEN_ONLY, "answers one step of the token's own business's draft; another business's is a 404 "
                    "(tests/integration/test_api_applications.py)", lambda r: {**_app(r), "step_id": "any"}),
    "/api/v1/applications/<public_id>/documents/<document_id>": Listed(
        TOKEN_ONLY, "a document issued for the token's own business's application; another's is a 404",
        lambda r: {**_app(r), "document_id": "any"}),
    "/api/v1/applications/<public_id>/documents": Listed(
        TOKEN_ONLY, "attaches a file to the token's own business's draft; another business's is a 404", _app),
    "/api/v1/applications/<public_id>/submit": Listed(
        TOKEN_ONLY, "submits the token's own business's draft; another business's is a 404", _app),
    "/api/v1/oauth/token": Listed(PUBLIC, "partner systems' token endpoint: the client id and secret are the "
                                          "credential (tests/integration/test_api_partners.py)"),
    "/api/v1/verifications": Listed(TOKEN_ONLY, "a partner's check of an issued document, /verify's own verdict"),
    "/api/v1/services/<slug>": Listed(PUBLIC, "a live service's definition, as its public page describes it "
                                              "(tests/integration/test_api_document.py)"),
    "/verify/<token>": Listed(PUBLIC, "the signed token printed in a document's QR code is the credential: "
                                      "whoever holds the document may check it (tests/integration/test_verify.py)"),
    "/register": Listed(PUBLIC, "making an account"),
    "/register/confirm": Listed(PUBLIC, "entering the code sent to the contact; the pending registration is found "
                                        "through the visitor's own session (tests/integration/test_registration.py)"),
    "/register/confirm/new-code": Listed(PUBLIC, "a new code for the visitor's own pending registration, limited per "
                                                 "contact"),
    "/sign-in": Listed(PUBLIC, "signing in"),
    "/sign-in/code": Listed(PUBLIC, "the second step of one's own sign-in, bound to the session"),
    "/sign-out": Listed(PUBLIC, "ends the visitor's own session"),
    "/r": Listed(PUBLIC, "the short address of a text message's reset link: it only leads on to /password/reset"),
    "/password/forgot": Listed(PUBLIC, "asking for a reset link, which goes to the account's own address"),
    "/password/forgot/sent": Listed(PUBLIC, "the page after asking for a reset link"),
    "/password/reset": Listed(PUBLIC, "the emailed single-use token, posted from the link's fragment, is the "
                                      "credential (tests/integration/test_password_reset.py)"),
    "/password/new": Listed(PUBLIC, "choosing a password with the token this session posted"),
    "/enrol/link": Listed(PUBLIC, "the emailed single-use enrolment token, posted from the link's fragment, is "
                                  "the credential (tests/integration/test_enrolment.py)"),
    "/enrol": Listed(PUBLIC, "setting up the account whose enrolment link this session opened"),
    "/enrol/authenticator": Listed(PUBLIC, "the same, second step"),
    # The signed-in person's own lists and forms: they show and change only that person's things.
    "/applications": Listed(SIGNED_IN, "my applications"),
    "/documents": Listed(SIGNED_IN, "my documents, and uploading a new one of my own"),
    "/inbox": Listed(SIGNED_IN, "my messages"),
    "/inbox/read": Listed(SIGNED_IN, "marks my own messages read"),
    "/account": Listed(SIGNED_IN, "my account"),
    "/account/profile": Listed(SIGNED_IN, "my own details"),
    "/account/close": Listed(SIGNED_IN, "closes my own account, with my password (tests/integration/"
                                        "test_close_account.py)"),
    "/account/my-data": Listed(SIGNED_IN, "my own data's archive: asks for one, shows the latest"),
    "/account/my-data/<public_id>/download": Listed(
        SIGNED_IN, "my own archive, found by its id and the signed-in person's together: anyone else's is a 404 "
                   "(tests/integration/test_my_data.py)", lambda r: {"public_id": "no-such-archive"}),
    "/account/password": Listed(SIGNED_IN, "changes my own password"),
    "/account/authenticator": Listed(WITH_AUTHENTICATOR, "replaces my own authenticator app"),
    "/account/businesses/new": Listed(SIGNED_IN, "creates a business owned by me"),
    "/services/<slug>/start": Listed(SIGNED_IN, "starts a new application of my own",
                                     url_values=lambda r: {"slug": SLUG}),
    # The back office: lists of the cases of the clerk's own agencies.
    "/staff/queue": Listed(STAFF, "the queue of my agencies' cases; searching it by reference finds only those",
                           form=lambda r: {"q": r.application.reference}),
    "/staff/dashboard": Listed(SUPERVISORS, "counts and delays of the agencies I supervise, not cases"),
    "/staff/dashboard.csv": Listed(SUPERVISORS, "the same counts as a spreadsheet"),
    "/staff/unstaffed-offices": Listed(SUPERVISORS, "counts of cases at offices below the province or district "
                                                    "office I supervise that nobody works at; no case"),
    # What payment providers call, machine to machine: the HMAC signature is the credential, not a session.
    "/payments/khqr/callback": Listed(PUBLIC, "a provider's signed KHQR payment callback; refused unless signed with "
                                              "the configured secret (tests/integration/test_khqr_confirmation.py)"),
    # The test bank (development and tests only; not registered in production): a made-up bank, as a bank app
    # it pays whatever KHQR code it is given; the MD5 in its URLs is the code's, which only its holder knows.
    "/dev/khqr-bank": Listed(PUBLIC, "the test bank: paste a KHQR code (development only)"),
    "/dev/khqr-bank/pay/<md5>": Listed(PUBLIC, "the test bank: a payment request's code, from the payment page"),
    "/dev/khqr-bank/pay": Listed(PUBLIC, "the test bank: pays the KHQR code posted with the form"),
    "/dev/khqr-bank/paid/<md5>": Listed(PUBLIC, "the test bank: its receipt for a code it paid"),
    "/dev/khqr-bank/v1/check_transaction_by_md5": Listed(PUBLIC, "the test bank's status endpoint, Bakong's shape"),
    "/staff/finance": Listed(FINANCE, "the payments, reversals and refunds owed of my own agencies (another "
                                      "agency in the query string is 404)"),
    "/staff/finance.csv": Listed(FINANCE, "the same report as a spreadsheet"),
    "/staff/finance/find": Listed(FINANCE, "finds a case of my own agencies by reference, as the queue's search",
                                  form=lambda r: {"reference": r.application.reference}),
    # The admin area's lists and forms.
    "/admin/staff": Listed(ADMIN_ONLY, "the list of staff accounts"),
    "/admin/staff/new": Listed(ADMIN_ONLY, "creates a staff account"),
    "/admin/jobs/failed": Listed(ADMIN_ONLY, "the list of failed background jobs"),
    "/admin/unstaffed-offices": Listed(ADMIN_ONLY, "counts of cases at offices nobody works at; no case"),
    "/admin/kiosks": Listed(ADMIN_ONLY, "the centres and their kiosks, which belong to no applicant"),
    "/admin/kiosks/centres/new": Listed(ADMIN_ONLY, "creates a centre"),
    "/admin/kiosks/new": Listed(ADMIN_ONLY, "registers a kiosk and shows its first enrolment link"),
    "/admin/kiosks/link": Listed(ADMIN_ONLY, "a new enrolment link for the kiosk named in the form (a device, "
                                             "no one's record)"),
    "/admin/kiosks/revoke": Listed(ADMIN_ONLY, "revokes the kiosk named in the form"),
    "/admin/kiosks/operators/new": Listed(ADMIN_ONLY, "makes an account an operator of a centre, or a new account "
                                                      "(tests/integration/test_centre_operators.py)"),
    "/admin/kiosks/operators/remove": Listed(ADMIN_ONLY, "removes the operator named in the form"),
    "/admin/partners": Listed(ADMIN_ONLY, "partner systems' API clients, which belong to no applicant; makes one"),
    "/admin/partners/<public_id>/revoke": Listed(ADMIN_ONLY, "revokes a partner system's API client",
                                                 lambda r: {"public_id": "no-such-client"}),
    "/admin/retention": Listed(ADMIN_ONLY, "the last retention runs' counts and the legal holds in force"),
    "/admin/retention/holds": Listed(ADMIN_ONLY, "places a legal hold on the application whose reference the form "
                                                 "names (tests/integration/test_retention_pages.py)"),
    "/admin/retention/holds/<public_id>/lift": Listed(ADMIN_ONLY, "lifts a legal hold",
                                                      lambda r: {"public_id": "no-such-hold"}),
    # Kiosk devices (tests/integration/test_kiosks.py): the device cookie is the credential; without it, 404.
    "/kiosk/enrol/<secret>": Listed(PUBLIC, "the one-time enrolment link's secret is the credential"),
    "/kiosk": Listed(PUBLIC, "the kiosk home, on an enrolled kiosk only"),
    "/kiosk/still-here": Listed(PUBLIC, "moves the kiosk's own idle clock, on an enrolled kiosk only"),
    "/kiosk/finish": Listed(PUBLIC, "ends the session at this kiosk, on an enrolled kiosk only"),
    # Assisted service (tests/integration/test_assisted_service.py): only an operator of the kiosk's centre,
    # signed in on that enrolled kiosk; anyone else, or off a kiosk, 404. The session is the browser's own.
    "/kiosk/assist": Listed(PUBLIC, "finds a citizen by phone and starts the operator's session; kiosk and "
                                    "operator only"),
    "/kiosk/assist/consent": Listed(PUBLIC, "the consent step of the session this browser started"),
    "/kiosk/assist/consent/send": Listed(PUBLIC, "sends the consent code of this browser's session"),
    "/kiosk/assist/consent/code": Listed(PUBLIC, "checks the consent code of this browser's session"),
    "/kiosk/assist/consent/paper": Listed(PUBLIC, "the paper consent of this browser's session"),
    "/kiosk/assist/end": Listed(PUBLIC, "ends this browser's assisted session"),
    "/kiosk/assist/filings": Listed(PUBLIC, "references filed with help at the operator's centre today; "
                                            "kiosk and operator only"),
    # "Continue on my phone" (tests/integration/test_kiosk_handoff.py): the link's status and its cancel answer
    # only the kiosk browser session that made it (404 for anyone else); the phone's page is reached by the
    # link's secret, and then needs the draft's owner signed in (a guest's draft: signs in as the guest).
    "/kiosk/handoff/<link_id>/status": Listed(PUBLIC, "the state of a link, for the kiosk session that made it"),
    "/kiosk/handoff/<link_id>/cancel": Listed(PUBLIC, "cancels a link of the kiosk session that made it"),
    "/continue/<secret>": Listed(PUBLIC, "the link's secret is the credential, with the draft owner's sign-in"),
    # Applying without an account (tests/integration/test_kiosk_guests.py).
    "/kiosk/guest/<slug>": Listed(PUBLIC, "makes a new guest and their draft of a service that allows guests; "
                                          "enrolled kiosk only"),
    "/track": Listed(PUBLIC, "the reference and the tracking secret typed in the form are the credential "
                             "(one message for either wrong, throttled per address)"),
    "/track/documents/<public_id>": Listed(PUBLIC, "only a document issued for an application this browser "
                                                   "session opened on /track with its secret; else 404"),
    # tests/integration/test_assisted_registration.py and test_receipt_reprint.py: kiosk and operator only.
    "/kiosk/assist/register": Listed(PUBLIC, "registers a citizen with no account; kiosk and operator only"),
    "/kiosk/assist/register/code": Listed(PUBLIC, "the registration code of this browser's pending registration"),
    "/kiosk/assist/register/new-code": Listed(PUBLIC, "a new code for this browser's pending registration"),
    "/kiosk/assist/reprint": Listed(PUBLIC, "sends a reprint code to the applicant of the posted reference; the "
                                            "code, not the operator, opens the receipt"),
    "/kiosk/assist/reprint/code": Listed(PUBLIC, "checks the reprint code held in this browser's session"),
    "/admin/payments/unplaced": Listed(ADMIN_ONLY, "provider confirmations that match no payment request, so "
                                                   "no agency's and no applicant's"),
})


def routes(app) -> set[tuple[str, str]]:
    """(method, rule) for every route of the app, as a visitor would call them."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def walked() -> set[tuple[str, str]]:
    return {(w.method, w.rule) for w in WALKS}
