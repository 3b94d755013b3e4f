""""Download my data" (issue 18): a person asks, a real worker builds the archive and tells them, and the
archive holds every one of their applications and documents (files included) and who looked at them, and
nothing of anybody else's; the link is theirs alone and lasts a day."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from sqlalchemy import or_, select, update

from portal.data.db import db, utcnow
from portal.data.models import Application, ApplicationDocument, DataExport, Document, Notification
from portal.domain import audit
from portal.domain.documents import get_document_store
from portal.domain.personal_data import exports
from tests import docfiles, journey
from tests.retention_cases import file_as, own_store_fixture, services_fixture  # noqa: F401 - the fixtures
from tests.sessions import sign_in_as


def persons_documents(person) -> set[str]:
    """Worked out apart from the portal's own query: owned, or of their applications."""
    mine = select(Application.id).where(Application.applicant_person_id == person.id)
    attached = select(ApplicationDocument.document_id).where(ApplicationDocument.application_id.in_(mine))
    return set(db.session.scalars(select(Document.public_id).where(or_(
        Document.owner_person_id == person.id, Document.application_id.in_(mine), Document.id.in_(attached)))))


def test_the_archive_holds_all_of_a_persons_data_and_nothing_of_anyone_elses(app, client, factories, services):
    shared = docfiles.png((50, 50))  # both upload the same photo: one stored file, two people's documents
    alice = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy", national_id="012345678",
                             phone="+85512300001")
    bob = factories.person(locale="en", name_km="ចាន់ ដារា", name_latin="Chan Dara", national_id="087654321",
                           phone="+85512300002")
    clerk = factories.staff("phnom-penh-capital", "clerk", name_latin="Keo Sophal", name_km="កែវ សុផល")
    approved = file_as(client, alice, shared)
    journey.staff_act(approved, clerk, "approve")
    audit.record_staff_view(clerk, approved)
    draft = file_as(client, alice, docfiles.png((51, 51)), submit=False)
    bobs = file_as(client, bob, shared)
    # Alice stored Bob's paper, as an operator at a kiosk stores a citizen's signed consent: Bob's, not hers.
    bobs_paper = get_document_store().add_upload(docfiles.pdf("consent"), "consent.pdf", created_by=alice,
                                                 owner_person=bob, max_bytes=10**6)
    journey.run_jobs(app)  # receipts and the permit
    alice_documents, bob_documents = persons_documents(alice), persons_documents(bob)
    assert len(alice_documents) >= 4 and not alice_documents & bob_documents
    assert bobs_paper.public_id in bob_documents

    sign_in_as(client, alice)
    page = client.get("/account/my-data")
    asked = client.submit(page, selector="main form", follow_redirects=True)
    assert asked.soup.select_one("[data-export-state]")["data-export-state"] == "preparing"
    assert not asked.soup.select("main form")  # one at a time
    journey.run_jobs(app)  # a real worker builds it

    assert db.session.scalar(select(Notification).where(Notification.person_id == alice.id,
                                                        Notification.message == "data_export_ready"))
    ready = client.get("/account/my-data")
    link = ready.soup.select_one("[data-export-state=ready] a[download]")["href"]
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()  # the file the portal sent
    data = json.loads(archive.read("data.json"))

    assert data["profile"]["national_id"] == "012345678" and data["profile"]["name_latin"] == "Sok Chanthy"
    assert {a["id"] for a in data["applications"]} == {approved.public_id, draft.public_id}
    shown = next(a for a in data["applications"] if a["id"] == approved.public_id)
    assert shown["reference"] == approved.reference and shown["answers"]["stall_number"] == "B12"
    assert [h["action"] for h in shown["history"]] == ["submit", "approve"]
    assert [look["name"]["en"] for look in shown["looked_at_by"]] == ["Keo Sophal"]
    assert {d["id"] for d in data["documents"]} == alice_documents
    store = get_document_store()
    for listed in data["documents"]:
        document = db.session.scalar(select(Document).where(Document.public_id == listed["id"]))
        assert archive.read(listed["file"]) == store.read(document)

    everything = b"".join(archive.read(name) for name in archive.namelist())
    for foreign in [bobs.public_id, bobs.reference, "Chan Dara", "087654321", "+85512300002", *bob_documents]:
        assert foreign.encode() not in everything, foreign

    # Bob cannot download Alice's archive; nobody can after a day.
    sign_in_as(client, bob)
    assert client.get(link).status_code == 404
    sign_in_as(client, alice)
    db.session.execute(update(DataExport).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get(link).status_code == 404
    assert client.get("/account/my-data").soup.select_one("[data-export-state]")["data-export-state"] == "expired"
    kept_file = exports.directory() / db.session.scalar(select(DataExport.file_name))
    assert kept_file.is_file()
    assert exports.purge() == 1 and not kept_file.exists()
    assert db.session.scalar(select(DataExport).where(DataExport.person_id == alice.id)) is None
