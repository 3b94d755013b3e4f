"""A service charged per m² with a minimum and by tiers of floor area (the YAML-only fixture
tests/fixtures/services/small-building-permit): the fees explained line by line in Khmer on the review page,
frozen with their explanation at submission, described on the service page, shown to staff, paid in the test
bank by KHQR, and the permit issued. A fee whose inputs are not known is "to be assessed": never charged as 0,
and the application is not paid until it is worked out and paid."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.data import payments as payment_data
from portal.data.db import db
from portal.data.models import Document, DocumentRequest
from portal.domain.applications.versions import definition_for
from portal.payments import account, assessments, counter
from tests import docfiles, journey
from tests.integration.test_case_names_records_and_hand_over import reload
from tests.integration.test_khqr_confirmation import ask
from tests.integration.test_khqr_dev_bank import pay_in_the_bank, served_portal  # noqa: F401 - the fixture
from tests.service_roots import FIXTURE_ROOT, copy_of_fixture, edit_service, services_root
from tests.sessions import sign_in_as

SLUG = "small-building-permit"


@pytest.fixture
def fixture_services(app):
    with services_root(app, FIXTURE_ROOT, sync_agencies=True):
        yield


@pytest.fixture
def owner(factories):
    return factories.person(locale="km", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")


def apply(client, person, area: str | None) -> str:
    sign_in_as(client, person)
    client.expected_lang = None  # a redirect is Werkzeug's own little page, in English
    building = {"floor_area": area} if area is not None else {}
    end = journey.fill_steps(client, journey.start(client, SLUG), {"owner": {}, "building": building})
    assert end.endswith("/documents"), end
    journey.attach(client, end, "plans", docfiles.pdf("plans"), "plans.pdf")
    client.expected_lang = person.locale  # the pages in the person's language
    return end.removesuffix("/documents")


def fee_text(page) -> str:
    return page.soup.select_one("main ul.fee-lines").get_text(" ", strip=True)


def test_a_fee_per_m2_with_a_minimum_is_explained_in_khmer_paid_and_the_permit_issued(
        app, client, factories, fixture_services, owner, served_portal):  # noqa: F811 - the fixture
    service_page = client.get(f"/services/{SLUG}?lang=en")
    assert "2,000 ៛ per m², rounded to a multiple of 100 ៛, at least 50,000 ៛, at most 10,000,000 ៛" \
        in service_page.soup.select_one("main table.fees").get_text(" ", strip=True)

    url = apply(client, owner, "២០.៥")
    review = fee_text(client.get(url + "/review"))
    assert "២,០០០ ៛ × ២០.៥ ម² = ៤១,០០០ ៛" in review  # Khmer digits, the decimal area exactly
    assert "អនុវត្តចំនួនអប្បបរមា ៥០,០០០ ៛" in review  # the minimum applies
    assert "២០.៥ ម² មិនលើសពី ១០០ ម²៖ ១០០,០០០ ៛" in review  # the first band
    client.expected_lang = None
    journey.submit(client, url)
    client.expected_lang = "km"

    application = journey.application_for(url)
    frozen = payment_data.latest_assessment(application.id)
    assert frozen.totals == {"KHR": 150000}
    assert frozen.lines[0]["explanation"][1] == {"km": "អនុវត្តចំនួនអប្បបរមា ៥០,០០០ ៛",
                                                  "en": "the minimum of 50,000 ៛ applies"}
    detail = client.get(url)
    assert "អនុវត្តចំនួនអប្បបរមា ៥០,០០០ ៛" in fee_text(detail) and not application.paid

    clerk = factories.staff("phnom-penh-capital", "clerk", locale="en")
    sign_in_as(client, clerk)
    client.expected_lang = "en"
    case = client.get(f"/staff/cases/{application.public_id}?lang=en")
    assert "2,000 ៛ × 20.5 m² = 41,000 ៛ the minimum of 50,000 ៛ applies" in fee_text(case)

    request = ask(application)
    assert request.amount_minor == 150000 and request.currency == "KHR"
    pay_in_the_bank(client, request)
    journey.run_jobs(app)  # the bank's signed callback
    application = reload(application)
    assert application.paid

    journey.staff_act(application, clerk, "approve")
    journey.run_jobs(app)
    permit = db.session.scalar(select(Document).where(Document.application_id == application.id,
                                                      Document.kind == "issued"))
    assert permit is not None and permit.title_en == "Construction permit"


def test_a_fee_whose_input_is_unknown_is_to_be_assessed_and_the_application_is_not_paid_until_it_is(
        app, client, factories, tmp_path, owner):
    root = copy_of_fixture(tmp_path)

    def change(data):  # the area optional, and a fixed fee beside the computed ones
        data["steps"][1]["fields"][0]["required"] = False
        data["fees"].append({"id": "filing", "label": {"km": "កម្រៃដាក់ពាក្យ", "en": "Filing fee"},
                             "amount": {"KHR": 10000}})
    edit_service(app, root, SLUG, change)
    with services_root(app, root, sync_agencies=True):
        owner.locale = "en"
        url = apply(client, owner, None)
        assert "Construction permit fee: To be assessed" in fee_text(client.get(url + "/review"))
        client.expected_lang = None
        journey.submit(client, url)
        client.expected_lang = "en"
        application = journey.application_for(url)
        service = definition_for(application)
        owed = assessments.owed(service, application)
        assert owed.totals == {"KHR": 10000}  # never 0 for the fees not worked out, nor counted
        assert [line.fee for line in owed.to_be_assessed] == ["permit", "inspection"]

        clerk = factories.staff("phnom-penh-capital", "clerk", locale="en")
        payment, _ = counter.record(service, application, clerk, amount_minor=10000, currency="KHR",
                                    method="counter_cash", receipt_number="R-1")
        db.session.commit()
        receipt = db.session.get(DocumentRequest, payment.receipt_request_id).context
        assert not receipt["paid_in_full"] and receipt["to_be_assessed"]
        assert receipt["announcement"]["params"]["balance"]["en"] == "Other fees are still to be assessed."
        pay_page = client.get(f"/applications/{application.public_id}/pay").soup.select_one("main")
        assert "Fees still to be assessed" in pay_page.get_text() and "Paid, thank you" not in pay_page.get_text()
        application = reload(application)
        found = account.account(service, application)
        assert found.due == {} and not found.settled and not application.paid  # paid towards it, not paid
        text = client.get(url).soup.select_one("main").get_text(" ", strip=True)
        assert "Fees still to be assessed" in text and "Paid in full" not in text

        # The value becomes known (here an answer; a value staff enter goes through the same assessment).
        application.answers = {**application.answers, "floor_area": "120.5"}
        new = assessments.reassess(service, application, clerk)
        account.sync_paid(service, application)
        db.session.commit()
        assert new.totals == {"KHR": 10000 + 241000 + 400000} and not new.to_be_assessed
        application = reload(application)
        assert account.account(service, application).due == {"KHR": 641000} and not application.paid
