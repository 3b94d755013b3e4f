"""The "download my data" archive: `data.json` (the layout in docs/retention.md, "Your data") and every
document's file under `files/`. Only what is the person's: their profile, the applications they made, the
documents they own, uploaded or were issued, their inbox, and who in government looked at their applications.
Never an internal note, nor what the office records only for itself."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from portal.data import case_notes, organisations, personal_data
from portal.data import payments as payment_data
from portal.domain import audit, clock
from portal.domain.applications import case_records, labels, staff_data, versions
from portal.domain.documents import get_document_store
from portal.domain.documents.storage import BlobMissing
from portal.domain.documents.store import BlobDamaged
from portal.domain.geo import places

FORMAT = "one-window/personal-data/1"
# Everyone who looked: the page shows the last ten, the archive all of them.
ALL_LOOKS = 10_000


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def profile(person) -> dict:
    address = places.chain(person.province_code, person.district_code, person.commune_code, person.village_code)
    return {
        "id": person.public_id, "email": person.email, "phone": person.phone,
        "name_km": person.name_km, "name_latin": person.name_latin, "national_id": person.national_id,
        "date_of_birth": _when(person.date_of_birth), "street": person.street,
        "address": [{"code": place.code, "km": place.name("km"), "en": place.name("en")} for place in address],
        "language": person.locale, "created_at": _when(person.created_at),
        "last_sign_in_at": _when(person.last_sign_in_at),
    }


def _application(application, locale: str) -> dict:
    service = versions.definition_for(application)
    looked = audit.staff_access(application, limit=ALL_LOOKS).shown
    return {
        "id": application.public_id, "reference": application.reference,
        "service": {"slug": service.slug, "title": dict(service.title)},
        "for_business": _business_id(application.organisation_id),
        "state": {"id": application.state, "label": dict(labels.state_label(service, application.state))},
        "created_at": _when(application.created_at), "submitted_at": _when(application.submitted_at),
        "closed_at": _when(application.closed_at), "reduced_at": _when(application.reduced_at),
        "answers": application.answers or {},
        "recorded_by_office": [{"label": dict(row.label), "value": row.value} for row in
                               staff_data.rows(service, application.staff_data, locale, applicant=True)],
        # The workflow's steps as the applicant's page shows them (staff's own records are not theirs).
        "history": [{"at": _when(e.at), "action": e.action, "from": e.from_state, "to": e.to_state,
                     "note": e.note, "by": e.actor_role} for e in application.events
                    if not case_records.is_record(e)],
        "messages_from_office": [{"at": _when(n.at), "office": n.author_agency, "body": n.body}
                                 for n in case_notes.messages_for_applicant(application.id)],
        "attached_documents": [{"requirement": a.requirement_id, "document": a.document.public_id}
                               for a in application.attachments],
        "payments": [{"amount_minor": p.amount_minor, "currency": p.currency, "method": p.method,
                      "receipt_number": p.receipt_number, "recorded_at": _when(p.recorded_at),
                      "reversed_at": _when(p.reversed_at)} for p in payment_data.for_application(application.id)],
        "looked_at_by": [{"action": look.action, "name": look.name, "role": look.role, "office": look.agency,
                          "first_at": _when(look.first_at), "last_at": _when(look.last_at), "times": look.count}
                         for look in looked],
    }


def _business_id(organisation_id: int | None) -> str | None:
    business = organisations.get_by_id(organisation_id) if organisation_id else None
    return business.public_id if business is not None else None


def _document(document, path: str | None, problem: str | None) -> dict:
    return {
        "id": document.public_id, "kind": document.kind, "status": document.status, "name": document.original_name,
        "media_type": document.blob.media_type, "size": document.blob.size, "sha256": document.sha256,
        "created_at": _when(document.created_at),
        "title": {"km": document.title_km, "en": document.title_en} if document.title_km or document.title_en else None,
        "issued_on": _when(document.issued_on), "expires_on": _when(document.expires_on),
        "file": path, "file_problem": problem,
    }


def write(person, target: Path) -> None:
    """Write the person's archive to `target` (a ZIP file)."""
    store = get_document_store()
    locale = person.locale or "km"
    documents, listed = [], []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in personal_data.documents_of(person):
            path, problem = f"files/{document.public_id}/{document.original_name}", None
            try:
                archive.writestr(path, store.read(document))
            except BlobMissing:
                path, problem = None, "missing"  # said in the archive, and fsck reports it to the operators
            except BlobDamaged:
                path, problem = None, "damaged"
            documents.append(_document(document, path, problem))
            listed.append(document.public_id)
        data = {
            "format": FORMAT, "generated_at": _when(clock.now().astimezone(UTC).replace(tzinfo=None)),
            "profile": profile(person),
            "businesses": [{"id": b.public_id, "name_km": b.name_km} for b in organisations.for_member(person)],
            "applications": [_application(a, locale) for a in personal_data.applications_of(person)],
            "documents": documents,
            "inbox": [{"at": _when(n.created_at), "message": n.message, "params": n.params, "link": n.link,
                       "read_at": _when(n.read_at)} for n in personal_data.inbox_of(person)],
        }
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        archive.writestr("README.txt", README)


README = """One Window: your data
=====================

data.json     everything One Window holds about you, in the layout described in the portal's documentation
              (docs/retention.md, "Your data"): your profile, your businesses, the applications you made with
              their answers, history, messages from the offices, payments and who in government looked at
              them, your documents, and your inbox.
files/        the file of each of your documents, in a folder named by the document's id.

ច្រកចេញចូលតែមួយ៖ ទិន្នន័យរបស់អ្នក។ data.json មានទិន្នន័យទាំងអស់ដែលប្រព័ន្ធរក្សាទុកអំពីអ្នក ហើយ files/ មានឯកសាររបស់អ្នក។
"""
