"""Queries and changes on stored documents and blobs. Callers commit."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import or_, select, update

from portal.data.db import db, utcnow
from portal.data.inserts import insert_or_get
from portal.data.models import Blob, Document, OrganisationMember, Person


def ensure_blob(sha256: str, size: int, media_type: str) -> Blob:
    """The blob row for these bytes, made unless it exists (several people may upload the same new file
    at once: the first insert wins, the others find its row), and held until the caller's transaction ends:
    retention, which removes the rows of files no document uses, waits for the document about to use it."""
    for _attempt in range(3):
        try:
            insert_or_get(Blob, {"sha256": sha256}, size=size, media_type=media_type)
        except LookupError:
            continue  # removed by retention between the insert and the read: insert it again
        held = db.session.scalar(select(Blob).where(Blob.sha256 == sha256)
                                 .with_for_update(read=True, key_share=True).execution_options(populate_existing=True))
        if held is not None:
            return held
    raise RuntimeError(f"the blob row {sha256} kept vanishing")


def add(**fields) -> Document:
    document = Document(**fields)
    db.session.add(document)
    db.session.flush()
    return document


def get_by_id(document_id: int) -> Document | None:
    return db.session.get(Document, document_id)


def get_by_public_id(public_id: str) -> Document | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(Document).where(Document.public_id == public_id))


def lock(document_id: int) -> Document | None:
    """The document, locked until commit: asking for its corrected version is done once at a time."""
    return db.session.scalar(select(Document).where(Document.id == document_id).with_for_update()
                             .execution_options(populate_existing=True))


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


def blobs_present(sha256s: list[str]) -> set[str]:
    """Which of these hashes have a blob row."""
    return set(db.session.scalars(select(Blob.sha256).where(Blob.sha256.in_(sha256s)))) if sha256s else set()


def documents_for_blob(sha256: str) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.sha256 == sha256).order_by(Document.id)))


def _withdraw(document_id: int, **values) -> bool:
    """Move an active document to revoked or superseded, if it is still active (compare and set: of two
    supervisors acting at once, or a supervisor and a worker, one wins and the other is told)."""
    result = db.session.execute(
        update(Document).where(Document.id == document_id, Document.status == "active")
        .values(**values).execution_options(synchronize_session=False)
    )
    document = db.session.get(Document, document_id)
    if document is not None:
        db.session.refresh(document)  # the caller's copy shows what is stored now, whoever won
    return result.rowcount == 1


def revoke(document: Document, reason: str, category: str = "other", by_id: int | None = None) -> bool:
    """False if the document was no longer active."""
    return _withdraw(document.id, status="revoked", revoked_at=utcnow(), revoked_by_id=by_id,
                     revocation_category=category, revocation_reason=reason[:500])


def supersede(old_id: int, new_id: int) -> bool:
    """False if the old document was no longer active (revoked meanwhile: it stays revoked)."""
    return _withdraw(old_id, status="superseded", superseded_by_id=new_id)


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


def uploads_of_organisation(organisation_id: int) -> list[Document]:
    """A business's own active uploads, newest first: what its API filings may name as a file answer."""
    return list(db.session.scalars(
        select(Document).where(Document.owner_organisation_id == organisation_id, Document.kind == "upload",
                               Document.status == "active")
        .order_by(Document.created_at.desc(), Document.id.desc())))
