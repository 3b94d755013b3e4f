"""Payment receipts (portal.payments.receipts): a payment recorded at the counter or by KHQR asks once for a
bilingual receipt PDF, which a worker issues into the document store with a QR code that verifies at /verify;
the applicant is told by inbox, email and SMS; a reversal revokes the receipt, or cancels one not issued yet."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.data import document_requests
from portal.data import payments as payment_data
from portal.data.db import db
from portal.data.models import Document, DocumentRequest, Notification, OutboxMessage
from portal.domain.documents import get_document_store
from portal.extensions import redis_connection
from tests import journey
from tests.integration.test_case_names_records_and_hand_over import apply_on_the_web, case_url, reload, signed_in
from tests.integration.test_khqr_requests import ask, confirm
from tests.integration.test_payments import PAYMENT_FORM, fill_residence_certificate, pay
from tests.integration.test_verify import scan_qr
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, services_fixture  # noqa: F401 - the `services` fixture


@pytest.fixture(autouse=True)
def _empty_queues(app):
    redis_connection.client.flushdb()


def files(app, kind: str) -> set[Path]:
    folder = Path(app.instance_path) / kind
    return set(folder.glob("*")) if folder.exists() else set()


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def receipt_of(payment):
    """The payment's receipt request and its document (None until a worker issued it)."""
    db.session.expire_all()
    payment = db.session.get(type(payment), payment.id)
    request = db.session.get(DocumentRequest, payment.receipt_request_id) if payment.receipt_request_id else None
    return request, (db.session.get(Document, request.document_id) if request and request.document_id else None)


def verdict(client, document) -> str:
    client.expected_lang = None
    page = client.get(f"/verify/{document.verification_token}")
    assert page.status_code == 200
    return page.soup.select_one(".verdict [lang=en]").get_text(" ", strip=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_residence_certificate_paid_at_the_counter_gets_a_receipt_that_verifies(app, client, factories, tmp_path):
    citizen = factories.person(
        locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy", national_id="012345678",
        email="chanthy@example.com", phone="+85512345699", date_of_birth=date(1990, 4, 13),
        province_code="02", district_code="0203", commune_code="020310", village_code="02031001",
        street="ផ្ទះលេខ ១២")
    url = fill_residence_certificate(client, citizen)
    journey.submit(client, url)
    application = journey.application_for(url)
    journey.run_jobs(app)  # the application receipt, and its messages, out of the way
    mails, texts = files(app, "mail"), files(app, "sms")

    signed_in(client, factories.staff(application.current_agency, "clerk", locale="en"))
    page = client.get(case_url(application))
    assert client.submit(page, {"receipt_number": "SP-000123"}, selector=PAYMENT_FORM).status_code == 303
    payment, = payment_data.for_application(application.id)
    request, document = receipt_of(payment)
    assert request is not None and document is None  # asked in the payment's transaction, issued by a worker
    assert (request.kind, request.title_km, request.title_en, request.owner_person_id) == (
        "receipt", "បង្កាន់ដៃបង់ប្រាក់", "Payment receipt", citizen.id)
    # A double click: the same form, as it was, sent again (the page now offers no form: nothing is due).
    again = client.submit(page, {"amount": "10000", "receipt_number": "SP-000123"}, selector=PAYMENT_FORM)
    assert again.status_code == 303
    assert count(DocumentRequest) == 2  # the application receipt and one payment receipt

    journey.run_jobs(app)
    _request, document = receipt_of(payment)
    assert document.kind == "receipt" and document.status == "active" and document.application_id == application.id
    pdf = get_document_store().read(document)
    text = pdf_text(pdf, tmp_path)
    for expected in (application.reference, "10,000", "១០,០០០", "SP-000123", payment.public_id, "Paid in full",
                     "Cash at the counter", "សុខ ចាន់ធី"):
        assert expected in text, expected
    assert scan_qr(pdf, tmp_path) == f"http://portal.test/verify/{document.verification_token}"
    page = client.get(f"/verify/{document.verification_token}")
    assert "Genuine and valid" in page.soup.select_one(".verdict").get_text()
    shown = page.soup.select_one(".facts-table").get_text(" ", strip=True)
    office = db.session.get(Document, document.id).issuing_agency
    assert office.slug == application.current_agency and office.name_en in shown
    assert "Payment receipt" in shown and "បង្កាន់ដៃបង់ប្រាក់" in shown

    told, = db.session.scalars(select(Notification).where(Notification.person_id == citizen.id,
                                                          Notification.message == "payment_received"))
    assert told.link == f"/applications/{application.public_id}"
    assert sorted(d.channel for d in told.deliveries) == ["email", "sms"]
    journey.run_jobs(app)  # the deliveries the issuing job scheduled
    told = db.session.get(Notification, told.id)
    assert all(d.status == "sent" for d in told.deliveries)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.person_id == citizen.id, Notification.message == "document_issued",
        Notification.created_at >= told.created_at)) == 0  # not also the generic "document issued"
    subject = "Payment received for your application " + application.reference
    assert len([m for m in files(app, "mail") - mails if subject in m.read_text(errors="ignore")]) == 1
    sms, = [t for t in files(app, "sms") - texts if "we received" in t.read_text()]
    assert "we received 10,000" in sms.read_text() and application.reference in sms.read_text()

    # The payment row links to its receipt, for the applicant and for staff.
    link = f"/documents/{document.public_id}/download"
    assert client.get(case_url(application)).soup.select_one(f"#payment .payments a[href='{link}']")
    sign_in_as(client, citizen)
    assert client.get(url).soup.select_one(f"#payment a[href='{link}']")
    assert client.get(link).status_code == 200
    signed_in(client, factories.person(locale="en"))
    assert client.get(link).status_code == 404  # someone else's receipt does not exist for them


def test_a_reversal_revokes_the_receipt_and_verify_says_so(app, client, factories, services):
    applicant = factories.person(locale="en", phone="+85512345698")
    application = apply_on_the_web(client, applicant)
    signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
    pay(client, application, {"receipt_number": "PP-1"})
    journey.run_jobs(app)
    payment, = payment_data.for_application(application.id)
    _request, document = receipt_of(payment)
    assert "Genuine and valid" in verdict(client, document)

    signed_in(client, factories.staff(AGENCY, "supervisor", locale="en"))
    page = client.get(case_url(application))
    response = client.submit(page, {"reason": "The cashier typed the wrong amount"},
                             selector=f"main form[action$='/payments/{payment.public_id}/reverse']")
    assert response.status_code == 303
    _request, document = receipt_of(payment)
    assert document.status == "revoked" and document.revocation_category == "payment_reversed"
    assert document.revocation_reason == "The cashier typed the wrong amount"
    text = verdict(client, document)
    assert "revoked" in text
    assert "The payment it records was reversed" in client.get(
        f"/verify/{document.verification_token}").soup.get_text(" ", strip=True)
    assert db.session.scalar(select(Notification.message).where(Notification.person_id == applicant.id)
                             .order_by(Notification.id.desc()).limit(1)) == "document_revoked"


def test_a_payment_reversed_before_its_receipt_was_issued_gets_none(app, client, factories, services):
    application = apply_on_the_web(client, factories.person(locale="en"))
    journey.run_jobs(app)
    signed_in(client, factories.staff(AGENCY, "supervisor", locale="en"))
    pay(client, application, {"receipt_number": "PP-2"})
    payment, = payment_data.for_application(application.id)
    request, _document = receipt_of(payment)
    request_id = request.id
    page = client.get(case_url(application))
    client.submit(page, {"reason": "Paid for another case"},
                  selector=f"main form[action$='/payments/{payment.public_id}/reverse']")
    assert receipt_of(payment) == (None, None)
    assert db.session.get(DocumentRequest, request_id) is None
    before = count(Document)
    journey.run_jobs(app)  # its job finds nothing to issue
    assert count(Document) == before
    assert db.session.scalar(select(OutboxMessage.done_at).where(
        OutboxMessage.job_id == f"payment-receipt-{payment.public_id}")) is not None


def test_a_khqr_payment_gets_a_receipt_once(app, client, factories, services, tmp_path):
    applicant = factories.person(locale="en", email="khqr@example.com")
    application = apply_on_the_web(client, applicant)
    request = ask(application)
    assert confirm(application, request, provider_reference="a" * 64).outcome == "accepted"
    assert confirm(application, request, provider_reference="a" * 64).outcome == "duplicate"
    db.session.commit()
    payment, = payment_data.for_application(application.id)
    receipts = db.session.scalars(select(DocumentRequest).where(DocumentRequest.output_id == "payment-receipt"))
    assert [r.id for r in receipts] == [payment.receipt_request_id]
    journey.run_jobs(app)
    _request, document = receipt_of(payment)
    assert "Genuine and valid" in verdict(client, document)
    assert document.issuing_agency.slug == AGENCY
    text = pdf_text(get_document_store().read(document), tmp_path)
    assert "KHQR" in text and "a" * 32 in text.replace("\n", "") and "៣២០,០០០" in text
    told = db.session.scalar(select(Notification).where(Notification.person_id == applicant.id,
                                                        Notification.message == "payment_received"))
    assert told is not None and [d.channel for d in told.deliveries] == ["email"]
    assert document_requests.documents_of([payment.receipt_request_id]) == {payment.receipt_request_id: document}
    assert reload(application).paid

