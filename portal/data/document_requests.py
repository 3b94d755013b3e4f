"""Document requests: what a worker is to render and issue. Callers commit."""

from __future__ import annotations

from sqlalchemy import select

from portal.data.db import db
from portal.data.models import DocumentRequest


def add(**fields) -> DocumentRequest:
    request = DocumentRequest(**fields)
    db.session.add(request)
    db.session.flush()
    return request


def lock(request_id: int) -> DocumentRequest | None:
    """The request, locked until commit so that two workers cannot issue it twice."""
    return db.session.scalar(select(DocumentRequest).where(DocumentRequest.id == request_id).with_for_update())


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
