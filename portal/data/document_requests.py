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
