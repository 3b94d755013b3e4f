"""Done means for the back office: a business registration from submission, through review at the
Ministry of Commerce, a request for more information the applicant answers, approval and forwarding
to the tax department, approval there, to the issued certificate verifying at /verify. Every step
is a page and a form, as the people involved use them; only the TOTP sign-in is skipped."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.data import document_requests
from portal.data.db import db
from portal.data.models import Application, Document
from portal.domain.documents import get_document_store
from tests import docfiles, journey
from tests.integration.test_required_zero import address, submit_with_documents
from tests.integration.test_verify import scan_qr
from tests.sessions import sign_in_as

NAME_KM, NAME_EN = "ហាងលក់គ្រឿងទេសស្រីស្រស់", "Srey Sros Spice Shop"
ASK = "សូមភ្ជាប់ភស្តុតាងទីតាំងដែលមានហត្ថលេខាម្ចាស់ផ្ទះ និងបញ្ជាក់ចំនួនបុគ្គលិក។"


def staff_client(app, person):
    client = app.test_client()
    client.expected_lang = "en"
    sign_in_as(client, person)
    return client


def case(client, application, expect: int = 200):
    page = client.get(f"/staff/cases/{application.public_id}?lang=en")
    assert page.status_code == expect
    return page


def act(client, application, action: str, data: dict | None = None):
    # {"confirm": "1"}: yes to the confirmation a decision that issues a certificate asks for.
    response = client.submit(case(client, application), {"confirm": "1", **(data or {})},
                             selector=f"main form[action$='/act/{action}']")
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return reload(application)


def mark(client, application, fact: str):
    response = client.submit(case(client, application), selector=f"main form[action$='/facts/{fact}']")
    assert response.status_code == 303


def reload(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def queue_references(client) -> list[str]:
    page = client.get("/staff/queue?lang=en")
    return [a.get_text(strip=True) for a in page.soup.select("main tbody th a.reference")]


def actions_offered(page) -> list[str]:
    return [form["action"].rsplit("/", 1)[-1] for form in page.soup.select("main form[action*='/act/']")]


@pytest.fixture
def citizen(client, factories):
    person = factories.person(email="chanthy@example.com", phone="+85512345601", locale="km",
                              name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy", national_id="012345678")
    sign_in_as(client, person)
    return person


def submitted_registration(client, citizen, factories) -> Application:
    shop = factories.business(owner=citizen, name_km=NAME_KM, name_en=NAME_EN)
    first = journey.start(client, "business-registration", applicant=shop.public_id)
    end = journey.fill_steps(client, first, {
        "business": {"business_name_km": NAME_KM, "business_name_en": NAME_EN,
                     "business_type": "private_limited", "sectors": "trade",
                     "main_activity_km": "លក់ដុំ និងលក់រាយគ្រឿងទេស", "main_activity_en": "Wholesale and retail of spices"},
        "premises": {**address("registered_address"), "premises_tenure": "rented"},
        "capital": {"capital-amount": "40000000", "capital-currency": "KHR", "employees": "៦"},
        "owners": {"owners-0-nationality": "kh", "owners-0-name_km": "សុខ ចាន់ធី", "owners-0-name_latin": "Sok Chanthy",
                   "owners-0-national_id": "012345678", "owners-0-share": "100"},
        "contact": {},
        "declaration": {"declaration": "y"},
    })
    url = submit_with_documents(client, end, ["owner_ids", "articles", "proof_of_address", "premises_photo"],
                                pdfs=("articles",))
    return journey.application_for(url)


def test_a_business_registration_goes_from_commerce_to_taxation_and_its_certificate_verifies(
        app, client, citizen, factories, tmp_path):
    application = submitted_registration(client, citizen, factories)
    assert application.state == "submitted" and application.current_agency == "moc"
    own_url = f"/applications/{application.public_id}"

    # The Ministry of Commerce clerk finds it in the queue, claims it and asks for more information.
    moc_clerk = staff_client(app, factories.staff("moc", "clerk", name_latin="Keo Sophea", locale="en"))
    assert application.reference in queue_references(moc_clerk)
    assert moc_clerk.submit(case(moc_clerk, application),
                            selector="main form[action$='/assignment/claim']").status_code == 303
    application = act(moc_clerk, application, "request_info", {
        "reason": "unreadable_document", "editable": ["employees", "proof_of_address"], "message": ASK})
    assert application.state == "more_info" and application.current_agency is None
    assert sorted(application.editable) == ["employees", "proof_of_address"]

    # The applicant reads the request on their application, changes what was opened, and sends it back.
    client.expected_lang = "en"
    page = client.get(own_url + "?lang=en")
    assert ASK in page.get_data(as_text=True) and "A document cannot be read" in page.get_data(as_text=True)
    assert client.get(own_url + "/steps/business?lang=en").status_code == 404  # not opened by the clerk
    capital = client.get(own_url + "/steps/capital?lang=en")
    answered = client.submit(capital, {"employees": "8"}, selector="main form[enctype]")
    assert answered.status_code == 302
    journey.attach(client, own_url + "/documents?lang=en", "proof_of_address",
                   docfiles.pdf("signed lease"), "signed-lease.pdf")
    review = client.get(own_url + "/review?lang=en")
    assert client.submit(review, selector="main form[action$='/act/resubmit']").status_code == 302
    application = reload(application)
    assert application.state == "submitted" and application.answers["employees"] == 8
    assert application.current_agency == "moc"

    # Back at the Ministry: a note for colleagues, payment and documents checked, recommended.
    note = moc_clerk.submit(case(moc_clerk, application), {"body": "Lease now signed by the owner; checked."},
                            selector="main form[action$='/notes/internal']")
    assert note.status_code == 303
    assert "approve" not in actions_offered(case(moc_clerk, application))  # the supervisor's decision
    page = case(moc_clerk, application)
    assert "documents not checked" in page.soup.get_text(" ", strip=True)
    mark(moc_clerk, application, "documents_checked")
    # Paid at the counter: the form offers what is due; the cashier writes the receipt number.
    paid = moc_clerk.submit(case(moc_clerk, application), {"receipt_number": "MOC-0001"},
                            selector="main form[action$='/payments']")
    assert paid.status_code == 303 and reload(application).paid
    application = act(moc_clerk, application, "recommend")
    assert application.state == "moc_decision"

    # The supervisor approves, which forwards the case to the tax department's queue.
    moc_boss = factories.staff("moc", "supervisor", locale="en", name_km="ជា ដារ៉ា", name_latin="Chea Dara")
    moc_supervisor = staff_client(app, moc_boss)
    assert application.reference in queue_references(moc_supervisor)
    application = act(moc_supervisor, application, "approve")
    assert application.state == "tax_registration" and application.current_agency == "gdt"
    assert application.due_at is not None
    # The Ministry can still read the case it handled, but has nothing left to decide on it.
    assert actions_offered(case(moc_clerk, application)) == []
    assert application.reference not in queue_references(moc_clerk)

    # The tax department's clerk sees it, with the Ministry's note, and registers it for tax.
    gdt_clerk = staff_client(app, factories.staff("gdt", "clerk", locale="en"))
    assert application.reference in queue_references(gdt_clerk)
    gdt_page = case(gdt_clerk, application)
    assert "Lease now signed by the owner; checked." in gdt_page.soup.select_one("#notes").get_text()
    assert sorted(actions_offered(gdt_page)) == ["register_tax", "tax_request_info"]
    application = act(gdt_clerk, application, "register_tax")
    assert application.state == "approved" and application.current_agency is None

    # The worker issues the certificate; the applicant downloads it; its QR code verifies.
    journey.run_jobs(app)
    certificate = db.session.scalar(select(Document).where(
        Document.kind == "issued", Document.application_id == application.id))
    assert certificate is not None and certificate.title_en == "Certificate of commercial registration"
    documents = client.get("/documents?lang=en")
    link = documents.soup.select_one(f"a[href='/documents/{certificate.public_id}/download']")
    assert link is not None
    download = client.get(link["href"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.get_data() == get_document_store().read(certificate)
    verify_url = scan_qr(download.get_data(), tmp_path)
    assert verify_url == f"http://portal.test/verify/{certificate.verification_token}"
    client.expected_lang = None  # the verification page speaks both languages
    verdict = client.get(verify_url.removeprefix("http://portal.test"))
    assert "Genuine and valid" in verdict.soup.select_one(".verdict").get_text()
    assert NAME_KM in verdict.soup.select_one(".facts-table").get_text(" ", strip=True)
    # Issued by the Ministry whose supervisor approved (`issued_by: moc`), not by the tax department whose
    # clerk took the last step; the Ministry's supervisor signs it.
    facts = verdict.soup.select_one(".facts-table").get_text(" ", strip=True)
    assert "Ministry of Commerce" in facts and "Taxation" not in facts
    assert certificate.issuing_agency.slug == "moc"
    signer = document_requests.issuing(certificate.id).context
    assert (signer["signer_name_km"], signer["signer_name_latin"]) == ("ជា ដារ៉ា", "Chea Dara")

    # The applicant's page tells the whole story, and who in government opened the file.
    client.expected_lang = "en"
    story = client.get(own_url + "?lang=en").soup.get_text(" ", strip=True)
    for seen in ("More information needed", "Being registered for tax", "Registered", "Keo Sophea"):
        assert seen in story, seen
    assert "Lease now signed by the owner" not in story  # internal notes never reach the applicant
