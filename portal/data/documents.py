"""Queries and changes on stored documents and blobs. Callers commit."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import or_, select

from portal.data.db import db, utcnow
from portal.data.models import Blob, Document, OrganisationMember, Person


def ensure_blob(sha256: str, size: int, media_type: str) -> Blob:
    blob = db.session.get(Blob, sha256)
    if blob is None:
        blob = Blob(sha256=sha256, size=size, media_type=media_type)
        db.session.add(blob)
        db.session.flush()
    return blob


def add(**fields) -> Document:
    document = Document(**fields)
    db.session.add(document)
    db.session.flush()
    return document


def get_by_public_id(public_id: str) -> Document | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(Document).where(Document.public_id == public_id))


def get_by_verification_id(verification_id: str) -> Document | None:
    return db.session.scalar(select(Document).where(Document.verification_id == verification_id))


def visible_to(person: Person) -> list[Document]:
    """The person's own documents and their organisations' documents, newest first."""
    organisation_ids = select(OrganisationMember.organisation_id).where(OrganisationMember.person_id == person.id)
    return list(
        db.session.scalars(
            select(Document)
            .where(or_(Document.owner_person_id == person.id, Document.owner_organisation_id.in_(organisation_ids)))
            .order_by(Document.created_at.desc(), Document.id.desc())
        )
    )


def is_member(person: Person, organisation_id: int) -> bool:
    return db.session.scalar(
        select(OrganisationMember.id).where(
            OrganisationMember.person_id == person.id, OrganisationMember.organisation_id == organisation_id
        )
    ) is not None


def all_blobs() -> Iterator[Blob]:
    yield from db.session.scalars(select(Blob).order_by(Blob.sha256)).yield_per(500)


def documents_for_blob(sha256: str) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.sha256 == sha256).order_by(Document.id)))


def revoke(document: Document, reason: str) -> None:
    document.status = "revoked"
    document.revoked_at = utcnow()
    document.revocation_reason = reason[:500]


def supersede(old: Document, new: Document) -> None:
    old.status = "superseded"
    old.superseded_by_id = new.id


def for_application(application_id: int) -> list[Document]:
    """Documents issued for an application (receipts, certificates), oldest first."""
    return list(db.session.scalars(
        select(Document).where(Document.application_id == application_id).order_by(Document.id)
    ))


def handled_by_agencies(document: Document) -> set[str]:
    """The agencies handling an application that uses this document (attached to it or issued for it):
    the application's current queue, its routed office and every agency its service names."""
    from portal.data.models import Application, ApplicationDocument, ServiceVersion

    application_ids = set(db.session.scalars(
        select(ApplicationDocument.application_id).where(ApplicationDocument.document_id == document.id)))
    if document.application_id:
        application_ids.add(document.application_id)
    if not application_ids:
        return set()
    agencies: set[str] = set()
    rows = db.session.execute(
        select(Application.current_agency, Application.routed_agency, ServiceVersion.slug)
        .join(ServiceVersion, ServiceVersion.id == Application.service_version_id)
        .where(Application.id.in_(application_ids), Application.state != "draft")
    )
    for current, routed, _slug in rows:
        agencies.update(a for a in (current, routed) if a)
    return agencies
