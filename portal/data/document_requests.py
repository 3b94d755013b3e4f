"""Document requests: what a worker is to render and issue. Callers commit."""

from __future__ import annotations

from sqlalchemy import select

from portal.data.db import db
from portal.data.models import Document, DocumentRequest


def add(**fields) -> DocumentRequest:
    request = DocumentRequest(**fields)
    db.session.add(request)
    db.session.flush()
    return request


def lock(request_id: int) -> DocumentRequest | None:
    """The request, locked until commit so that two workers cannot issue it twice (read afresh: whoever waited
    for the lock sees what the holder of it wrote)."""
    return db.session.scalar(select(DocumentRequest).where(DocumentRequest.id == request_id).with_for_update()
                             .execution_options(populate_existing=True))


def mark_issued(request: DocumentRequest, document_id: int) -> None:
    request.document_id = document_id


def issuing(document_id: int) -> DocumentRequest | None:
    """The request a document was issued for (None for documents made otherwise, e.g. by hand)."""
    return db.session.scalar(select(DocumentRequest).where(DocumentRequest.document_id == document_id))


def pending_replacements(document_ids: list[int]) -> set[int]:
    """Which of these documents have a corrected version requested and not issued yet."""
    if not document_ids:
        return set()
    return set(db.session.scalars(select(DocumentRequest.replaces_document_id).where(
        DocumentRequest.replaces_document_id.in_(document_ids), DocumentRequest.document_id.is_(None))))


def cancel(request: DocumentRequest) -> None:
    """Forget a request not issued yet (the caller holds its lock): its job, when it runs, finds nothing to do."""
    if request.document_id is not None:
        raise ValueError("an issued document is revoked, not cancelled")
    db.session.delete(request)
    db.session.flush()


def documents_of(request_ids: list[int]) -> dict[int, Document]:
    """Request id -> the document issued for it, for those of these requests already issued."""
    if not request_ids:
        return {}
    rows = db.session.execute(select(DocumentRequest.id, Document).join(
        Document, Document.id == DocumentRequest.document_id).where(DocumentRequest.id.in_(request_ids)))
    return {row.id: row.Document for row in rows}
