"""Putting files into the store, reading them back, and who may read them."""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
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
# A file without a row younger than this may be an upload whose row has not committed yet: fsck leaves it.
# A request or job holds its transaction for seconds; an hour is far beyond any of them.
ORPHAN_GRACE = timedelta(hours=1)


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
        holder_name_en: str | None = None,
        copy_number: int | None = None,
        copy_count: int | None = None,
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
            holder_name_en=holder_name_en,
            copy_number=copy_number,
            copy_count=copy_count,
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

    def forget(self, sha256: str) -> bool:
        """Remove the bytes of a blob whose row was removed (retention). Spared if touched within ORPHAN_GRACE:
        an upload of the same bytes may be in flight (its row comes after its file), and fsck sees it later."""
        return self.storage.remove_if_untouched_since(sha256, time.time() - ORPHAN_GRACE.total_seconds())

    def fsck(self, *, repair: bool = False, now: float | None = None) -> FsckReport:
        """Re-hash every blob that has a row, and look for files that have none.

        A file without a row is an orphan: the job or request that wrote it died before its row committed
        (a database outage, a killed worker). It may also be an upload in flight (bytes are written before
        the row commits), so only orphans older than ORPHAN_GRACE count as problems, and only those are
        removed with `repair`; younger ones are listed and left alone."""
        report = FsckReport()
        for blob in document_data.all_blobs():
            try:
                data = self.storage.get(blob.sha256)
                state = None if hashlib.sha256(data).hexdigest() == blob.sha256 else "damaged"
            except BlobMissing:
                state = "missing"
            if state:
                documents = document_data.documents_for_blob(blob.sha256)
                report.problems.extend((state, "document", d.public_id) for d in documents)
                if not documents:  # a row nobody uses any more, but a row without its file all the same
                    report.problems.append((state, "blob", blob.sha256))
        now = time.time() if now is None else now
        cutoff = now - ORPHAN_GRACE.total_seconds()
        for key, written_at in self._files_without_rows():
            self._sort_orphan(report, key, written_at, cutoff, now,
                              lambda k=key: self.storage.remove_if_untouched_since(k, cutoff), repair)
        for name, written_at in self.storage.leftovers():
            self._sort_orphan(report, name, written_at, cutoff, now,
                              lambda n=name: self.storage.remove_leftover(n), repair)
        return report

    def _files_without_rows(self, batch: int = 500):
        keys = iter(self.storage.keys())
        while chunk := list(itertools.islice(keys, batch)):
            present = document_data.blobs_present(chunk)
            for key in chunk:
                if key not in present:
                    try:
                        yield key, self.storage.written_at(key)
                    except BlobMissing:
                        continue  # removed meanwhile

    @staticmethod
    def _sort_orphan(report: FsckReport, name: str, written_at: float, cutoff: float, now: float,
                     remove, repair: bool) -> None:
        age = max(0.0, now - written_at)
        if written_at > cutoff:
            report.young.append((name, age))
        elif repair and remove():
            report.removed.append((name, age))
        elif repair:
            report.young.append((name, 0.0))  # touched by an upload while we looked: in use again
        else:
            report.orphans.append((name, age))


@dataclass
class FsckReport:
    """What `DocumentStore.fsck` found. Rows without their file or with other bytes: `problems`, as
    (missing or damaged, "document" or "blob", its id). Files without a row, as (name, age in seconds):
    `orphans` older than ORPHAN_GRACE, `young` ones (perhaps an upload in flight), and those `removed`."""

    problems: list[tuple[str, str, str]] = field(default_factory=list)
    orphans: list[tuple[str, float]] = field(default_factory=list)
    young: list[tuple[str, float]] = field(default_factory=list)
    removed: list[tuple[str, float]] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems and not self.orphans


def can_read(person: Person | None, document: Document) -> bool:
    """Owner, a member of the owning organisation, or staff of an agency handling a submitted
    application that uses the document. Deny by default (callers answer 404)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    if document.owner_person_id is not None and document.owner_person_id == person.id:
        return True
    if document.owner_organisation_id is not None and document_data.is_member(person, document.owner_organisation_id):
        return True
    # A cashier takes payments and reads no applicant's documents.
    staff_agencies = {role.agency.slug for role in getattr(person, "staff_roles", ()) if role.role != "cashier"}
    return bool(staff_agencies and staff_agencies & document_data.handled_by_agencies(document))

