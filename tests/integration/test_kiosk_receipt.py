"""The receipt printed at a kiosk (portal/web/kiosk/receipt.py): only on an enrolled kiosk and only for the
person's own application; the stylesheet of the kiosk's printer kind; the KHQR code for exactly what is due,
made by a POST; nothing about payment for a free service; elsewhere, the application page."""

from __future__ import annotations

import pytest

from portal.data import payment_requests as request_data
from portal.data.db import db
from portal.domain import kiosks
from portal.domain.applications.versions import definition_for
from portal.payments import account, khqr, khqr_image
from tests.integration.test_case_names_records_and_hand_over import apply_on_the_web
from tests.integration.test_kiosks import PLACE
from tests.sessions import sign_in_as
from tests.staff_cases import services_fixture  # noqa: F401 - the `services` fixture


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")


def enrol(client, factories, printer_kind: str = "a4"):
    admin = factories.admin()
    centre = kiosks.create_centre(admin, slug="ctc-print", name_km="មជ្ឈមណ្ឌលបោះពុម្ព", name_en="Print centre",
                                  kind="tech_center", **PLACE)
    kiosk, secret = kiosks.register_kiosk(admin, centre=centre, name="Kiosk P", printer_kind=printer_kind, **PLACE)
    db.session.commit()
    assert client.get(f"/kiosk/enrol/{secret}").status_code == 302
    return kiosk


def receipt_url(application) -> str:
    return f"/kiosk/applications/{application.public_id}/receipt"


def requests_of(application):
    db.session.expire_all()
    return request_data.for_application(application.id)


def text_of(page) -> str:
    return page.soup.select_one("main").get_text(" ", strip=True)


@pytest.mark.parametrize("kind", ["a4", "thermal80"])
def test_the_receipt_on_a_kiosk_has_the_reference_and_the_printer_kinds_layout(client, factories, applicant,
                                                                               services, kind):
    application = apply_on_the_web(client, applicant)
    enrol(client, factories, kind)
    detail = client.get(f"/applications/{application.public_id}")
    link = detail.soup.select_one("main a.kiosk-print-receipt")
    assert link is not None and link["href"] == receipt_url(application)

    page = client.get(receipt_url(application))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    sheets = [tag["href"] for tag in page.soup.select("link[rel=stylesheet]")]
    assert f"/static/css/receipt-{kind}.css" in " ".join(sheets)
    other = "thermal80" if kind == "a4" else "a4"
    assert f"receipt-{other}.css" not in " ".join(sheets)
    assert page.soup.select_one("[data-reference]").get_text(strip=True) == application.reference
    assert page.soup.select_one("button[data-print]") is not None
    assert not page.soup.select("script:not([src])")  # no inline script (CSP)
    follow = page.soup.select_one(".receipt-link").get_text(strip=True)
    assert follow.endswith(f"/applications/{application.public_id}") and follow.startswith("http")


def test_the_khqr_on_the_receipt_asks_for_what_is_due_and_is_made_by_a_post(client, factories, applicant, services):
    application = apply_on_the_web(client, applicant)  # 320,000 riel owed
    enrol(client, factories)
    page = client.get(receipt_url(application))
    assert requests_of(application) == [] and not page.soup.select(".receipt-khqr")  # GET changes nothing
    assert "320,000" in text_of(page)

    posted = client.submit(page, selector="main form[action$='/receipt/khqr']")
    assert posted.status_code == 303 and posted.headers["Location"].endswith(receipt_url(application))
    [request] = requests_of(application)
    due = account.account(definition_for(application), application).due
    assert request.amount_minor == due["KHR"] == 320_000
    page = client.get(receipt_url(application))
    [code] = page.soup.select(".receipt-khqr img")
    assert code["src"] == khqr_image.svg_data_uri(request.khqr)
    decoded = khqr.decode(request.khqr)
    assert decoded.amount == 320_000 and decoded.currency == "KHR" and decoded.bill_number == application.reference
    assert "Code valid until" in text_of(page) and not page.soup.select("main form[action$='/receipt/khqr']")

    token = client.csrf_token()
    assert client.post(receipt_url(application) + "/khqr", data={"csrf_token": token}).status_code == 303
    assert client.post(receipt_url(application) + "/khqr", data={}).status_code == 400  # no CSRF token
    assert len(requests_of(application)) == 1  # pressed twice (or reprinted): the same open code


def test_a_free_service_shows_nothing_about_payment(client, factories, applicant, services):
    services.edit(lambda d: d.update(fees=[], waivers=[]))
    application = apply_on_the_web(client, applicant)
    enrol(client, factories)
    page = client.get(receipt_url(application))
    assert page.status_code == 200
    # The printed follow-up link carries the application's random public id, which may spell "pay" or "Fee".
    words = text_of(page).replace(application.public_id, "")
    assert "KHQR" not in words and "Fee" not in words and "pay" not in words.lower().replace("display", "")
    assert not page.soup.select(".receipt-payment")
    token = client.csrf_token()
    assert client.post(receipt_url(application) + "/khqr", data={"csrf_token": token}).status_code == 404
    assert requests_of(application) == []


def test_not_on_a_kiosk_the_receipt_sends_to_the_application_page(client, applicant, services):
    application = apply_on_the_web(client, applicant)
    detail = client.get(f"/applications/{application.public_id}")
    assert detail.soup.select_one("a.kiosk-print-receipt") is None
    response = client.get(receipt_url(application))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/applications/{application.public_id}")
    # Making the code off a kiosk (a receipt page left open after the kiosk was revoked) is the payment page's.
    token = client.csrf_token()
    posted = client.post(receipt_url(application) + "/khqr", data={"csrf_token": token})
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith(f"/applications/{application.public_id}/pay")
    assert len(requests_of(application)) == 1


def test_on_a_kiosk_someone_elses_application_is_not_found(client, factories, applicant, services):
    application = apply_on_the_web(client, applicant)
    enrol(client, factories)
    client.delete_cookie("session")
    assert client.get(receipt_url(application)).status_code in (302, 303)  # signed out: sign in first
    sign_in_as(client, factories.person(locale="en"))
    client.expected_lang = "en"
    assert client.get(receipt_url(application)).status_code == 404
    token = client.csrf_token()
    assert client.post(receipt_url(application) + "/khqr", data={"csrf_token": token}).status_code == 404
    assert client.get("/kiosk/applications/nothing-here/receipt").status_code == 404
    assert requests_of(application) == []
