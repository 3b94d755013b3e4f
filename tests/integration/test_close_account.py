"""Closing an account (issue 18): with the password and a tick, a person closes their account; sign-in stops
at once, what no retention rule keeps (drafts, unused documents, inbox, archives, memberships and their
tokens, the profile's details) goes at once, and submitted applications stay for their retention, where staff
see "account closed". Staff cannot close their own account, nor the last owner of a business with members."""

from __future__ import annotations

from sqlalchemy import select

from portal.data import applications as application_data
from portal.data.db import db
from portal.data.models import (
    ApiToken,
    Application,
    AuditEntry,
    DataExport,
    Document,
    Notification,
    OrganisationInvitation,
    OrganisationMember,
    Person,
)
from portal.domain import api_tokens
from portal.domain.documents import get_document_store
from portal.domain.identity.contacts import Contact
from portal.domain.organisations import invitations
from portal.domain.personal_data import exports
from tests import docfiles, journey
from tests import factories as factory_module
from tests.retention_cases import (  # noqa: F401 - the fixtures
    SLUG,
    age_every_file,
    documents_of,
    file_as,
    filed,
    own_store_fixture,
    services_fixture,
)
from tests.sessions import sign_in_as


def test_closing_removes_at_once_what_nothing_keeps_and_keeps_the_submitted_case(app, client, factories, services):
    submitted = filed(client, factories, "+85512400001", docfiles.png((60, 60)))
    submitted_id = submitted.id
    person = db.session.get(Person, submitted.applicant_person_id)
    person_id, phone = person.id, person.phone
    draft = file_as(client, person, docfiles.png((61, 61)), submit=False)
    draft_id = draft.id
    draft_files = {d.sha256 for d in _documents(draft_id)}
    library = get_document_store().add_upload(docfiles.pdf("my own copy"), "copy.pdf", created_by=person,
                                              owner_person=person, max_bytes=10**6)
    library_id, library_sha = library.id, library.sha256
    business = factories.business(person)
    token = api_tokens.make(business, person, "accounting", ["read"], 30).token
    # A draft for the business is the business's; an invitation into it would make a member of nobody's business.
    business_draft = application_data.create(
        service_version_id=submitted.service_version_id, service_slug=SLUG, applicant_person_id=person.id,
        organisation_id=business.id, state="draft", answers={"stall_number": "D4"})
    invitation = invitations.invite(business, person, Contact("email", "friend@example.org"), "member")
    business_draft_id, invitation_id = business_draft.id, invitation.id
    exports.request(person)
    db.session.commit()
    journey.run_jobs(app)  # the receipt, and the data archive (a file, and a message in the inbox)
    archive_file = exports.directory() / db.session.scalar(select(DataExport.file_name))
    assert archive_file.is_file()
    age_every_file()
    audit_before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))

    sign_in_as(client, person)
    client.expected_lang = "en"
    page = client.get("/account/close")
    wrong = client.submit(page, {"password": "not-my-password", "understood": "y"})
    assert wrong.status_code == 400 and "That is not your password" in wrong.get_data(as_text=True)
    untick = client.submit(page, {"password": factory_module.PASSWORD, "understood": None})
    assert untick.status_code == 400
    assert db.session.get(Person, person_id).closed_at is None

    closed = client.submit(page, {"password": factory_module.PASSWORD, "understood": "y"})
    assert closed.status_code == 302
    assert client.get("/account").status_code == 302  # signed out, and the session is gone

    db.session.expire_all()
    person = db.session.get(Person, person_id)
    assert person.closed_at is not None and not person.is_active
    assert (person.email, person.phone, person.name_latin, person.national_id) == (None, None, None, None)
    assert db.session.get(Application, draft_id) is None
    assert db.session.get(Document, library_id) is None
    storage = get_document_store().storage
    assert not any(storage.exists(sha) for sha in draft_files | {library_sha})
    assert not archive_file.exists() and db.session.scalar(select(DataExport)) is None
    assert not db.session.scalars(select(Notification).where(Notification.person_id == person_id)).all()
    assert not db.session.scalars(select(OrganisationMember).where(OrganisationMember.person_id == person_id)).all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert db.session.get(Application, business_draft_id) is not None
    assert db.session.get(OrganisationInvitation, invitation_id).status != "pending"
    kept = db.session.get(Application, submitted_id)
    assert kept.answers["stall_number"] == "B12" and _documents(kept.id)  # the office's record, for its retention
    assert get_document_store().fsck().healthy
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account_closed",
                                                       AuditEntry.id > audit_before))
    assert entry.subject_id == person.public_id and phone not in str(entry.details)

    # Nobody signs in with it again; the contact is free for a new account.
    client.delete_cookie("session")
    client.expected_lang = None
    sign_in = client.get("/sign-in")
    refused = client.submit(sign_in, {"contact": phone, "password": factory_module.PASSWORD})
    assert refused.status_code != 302

    clerk = factories.staff("phnom-penh-capital", "clerk", locale="en")
    sign_in_as(client, clerk)
    client.expected_lang = "en"
    case = client.get(f"/staff/cases/{kept.public_id}")
    assert "Account closed" in case.soup.select_one("[data-account-closed]").get_text()


def test_staff_and_the_last_owner_of_a_business_with_members_cannot_close_their_account(app, client, factories):
    clerk = factories.staff("moc", "clerk", locale="en")
    sign_in_as(client, clerk)
    client.expected_lang = "en"
    page = client.get("/account/close")
    assert page.soup.select("[data-close-obstacles]") and not page.soup.select("main form.stack")
    token = client.csrf_token()
    refused = client.post("/account/close", data={"password": factory_module.PASSWORD, "understood": "y",
                                                  "csrf_token": token})
    assert refused.status_code == 409 and db.session.get(Person, clerk.id).closed_at is None

    owner, member = factories.person(locale="en"), factories.person()
    business = factories.business(owner)
    db.session.add(OrganisationMember(organisation_id=business.id, person_id=member.id, role="member"))
    db.session.commit()
    sign_in_as(client, owner)
    page = client.get("/account/close")
    assert business.name_km in page.soup.select_one("[data-close-obstacles]").get_text()


def _documents(application_id: int) -> list[Document]:
    return documents_of(application_id)
