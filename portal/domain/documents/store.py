"""Putting files into the store, reading them back, and who may read them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from portal.data import documents as document_data
from portal.domain import clock
from portal.domain.documents.scanning import scan
from portal.domain.documents.sniff import PDF, sniff
from portal.domain.documents.storage import BlobMissing, BlobStorage
from portal.domain.documents.uploads import clean_upload, safe_name

if TYPE_CHECKING:
    from portal.data.models import Document, Organisation, Person

DEFAULT_RETENTION_YEARS = 10


class BlobDamaged(RuntimeError):
    """The stored bytes no longer match their hash."""


def _years_from_today(years: int) -> date:
    today = clock.today()
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


@dataclass
class DocumentStore:
    storage: BlobStorage
    scan_command: str | None = None

    def _put(self, data: bytes, media_type: str) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        # Bytes first, then the rows: a failure in between leaves an unreferenced blob (harmless,
        # found by fsck), never a row that points at nothing.
        self.storage.put(sha256, data)
        document_data.ensure_blob(sha256, len(data), media_type)
        return sha256

    def add_upload(
        self,
        data: bytes,
        name: str | None,
        *,
        created_by: Person,
        owner_person: Person | None = None,
        owner_organisation: Organisation | None = None,
        max_bytes: int,
        accept: tuple[str, ...] | None = None,
        retention_years: int = DEFAULT_RETENTION_YEARS,
    ) -> Document:
        """Check, clean, scan and store an upload. Raises UploadRefused; writes nothing then."""
        clean = clean_upload(data, name, max_bytes, accept) if accept else clean_upload(data, name, max_bytes)
        scan(clean.data, self.scan_command)
        sha256 = self._put(clean.data, clean.media_type)
        return document_data.add(
            sha256=sha256,
            kind="upload",
            owner_person_id=owner_person.id if owner_person else None,
            owner_organisation_id=owner_organisation.id if owner_organisation else None,
            original_name=clean.name,
            created_by_id=created_by.id,
            retain_until=_years_from_today(retention_years),
        )

    def add_issued(
        self,
        pdf: bytes,
        *,
        name: str,
        kind: str = "issued",
        owner_person_id: int | None = None,
        owner_organisation_id: int | None = None,
        agency_id: int | None = None,
        application_id: int | None = None,
        verification_id: str | None = None,
        verification_token: str | None = None,
        title: dict[str, str] | None = None,
        holder_name: str | None = None,
        issued_on: date | None = None,
        expires_on: date | None = None,
        retention_years: int = DEFAULT_RETENTION_YEARS,
    ) -> Document:
        """Store a PDF the portal produced (certificate, licence, receipt)."""
        if sniff(pdf) != PDF:
            raise ValueError("issued documents are PDFs")
        sha256 = self._put(pdf, PDF)
        return document_data.add(
            sha256=sha256,
            kind=kind,
            owner_person_id=owner_person_id,
            owner_organisation_id=owner_organisation_id,
            original_name=safe_name(name, PDF),
            retain_until=_years_from_today(retention_years),
            verification_id=verification_id,
            verification_token=verification_token,
            title_km=(title or {}).get("km"),
            title_en=(title or {}).get("en"),
            holder_name=holder_name,
            issuing_agency_id=agency_id,
            application_id=application_id,
            issued_on=issued_on,
            expires_on=expires_on,
        )

    def read(self, document: Document) -> bytes:
        """The document's bytes, checked against their hash on the way out."""
        data = self.storage.get(document.sha256)
        if hashlib.sha256(data).hexdigest() != document.sha256:
            raise BlobDamaged(document.public_id)
        return data

    def fsck(self) -> list[tuple[str, str]]:
        """Re-hash every blob; (document public id, "missing" or "damaged") for each problem."""
        problems = []
        for blob in document_data.all_blobs():
            try:
                data = self.storage.get(blob.sha256)
                state = None if hashlib.sha256(data).hexdigest() == blob.sha256 else "damaged"
            except BlobMissing:
                state = "missing"
            if state:
                problems.extend((d.public_id, state) for d in document_data.documents_for_blob(blob.sha256))
        return problems


def can_read(person: Person | None, document: Document) -> bool:
    """Owner, a member of the owning organisation, or staff of an agency handling a submitted
    application that uses the document. Deny by default (callers answer 404)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    if document.owner_person_id is not None and document.owner_person_id == person.id:
        return True
    if document.owner_organisation_id is not None and document_data.is_member(person, document.owner_organisation_id):
        return True
    staff_agencies = {role.agency.slug for role in getattr(person, "staff_roles", ())}
    return bool(staff_agencies and staff_agencies & document_data.handled_by_agencies(document))

