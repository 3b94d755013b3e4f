"""What the applicant reads about money, dates and documents on their own application (issue 12,
points 3 and 7): waived fees, computed values, the expected decision date, years, conditional
documents and the way on from the documents page."""

from __future__ import annotations

import pytest

from portal.data.db import db
from tests import docfiles, journey
from tests.integration.test_required_zero import address, citizen, submit_with_documents  # noqa: F401


@pytest.fixture
def en(client, citizen):  # noqa: F811
    """A signed-in citizen who reads English."""
    citizen.locale = "en"
    db.session.commit()
    client.expected_lang = "en"
    return client


RESIDENCE_STEPS = {
    "person": {},
    "residence": {**address("address"), "years": "១២", "book_type": "family_book", "book_number": "០២០៣១០-១២៣"},
    "purpose": {"purpose": "bank", "equity_card": "yes"},
    "declaration": {"declaration": "y"},
}


VEHICLE_STEPS = {
    "owner": {"owner_type": "person", "owner_name_km": "សុខ ចាន់ធី", "owner_name_latin": "Sok Chanthy",
              "owner_national_id": "012345678", **address("owner_address")},
    "vehicle": {"vehicle_type": "motorcycle", "make": "Honda", "model": "Dream 125", "year": "2025",
                "colour": "red", "fuel": "petrol", "engine_cc": "125", "seats": "2"},
    "numbers": {"chassis_number": "MH1JF5133RK123456", "engine_number": "JF51E-1234567"},
    "origin": {"customs_document_number": "KH-2025/0012345", "purchase_date": "2025-11-02"},
    "declaration": {"declaration": "y"},
}


def waived_residence_application(client) -> str:
    end = journey.fill_steps(client, journey.start(client, "residence-certificate"), RESIDENCE_STEPS)
    return submit_with_documents(client, end, ["id_card", "household_book", "equity_card_copy"])


def test_a_waived_fee_reads_as_waived_not_as_owed(en):
    url = waived_residence_application(en)
    page = en.get(url).get_data(as_text=True)
    assert "Nothing to pay: the fees are waived." in page
    assert "Not paid yet" not in page


def tax_steps(month: str = "10", year: str = "2026") -> dict:
    return {
        "taxpayer": {},
        "period": {"month": month, "year": year},
        "figures": {"turnover-amount": "45000000", "turnover-currency": "KHR",
                    "purchases-amount": "30000000", "purchases-currency": "KHR",
                    "credit_brought_forward-amount": "0", "credit_brought_forward-currency": "KHR"},
        "declaration": {"declaration": "y"},
    }


@pytest.fixture
def shop(citizen, factories):  # noqa: F811
    return factories.business(owner=citizen, name_km="ហាងលក់គ្រឿងទេសស្រីស្រស់", name_en="Srey Sros Spice Shop",
                              tax_id="K001-901234567")


def tax_return_filled(client, shop, **period) -> str:
    """A tax return with every step answered; where the steps end (the documents page)."""
    return journey.fill_steps(client, journey.start(client, "tax-filing", applicant=shop.public_id),
                              tax_steps(**period))


def test_a_year_is_written_without_a_thousands_separator(client, shop):
    end = tax_return_filled(client, shop)
    review = client.get(end.removesuffix("/documents") + "/review").get_data(as_text=True)
    assert "២០២៦" in review
    assert "២,០២៦" not in review


def test_a_year_out_of_range_is_named_without_a_separator(en, shop):
    first = journey.start(en, "tax-filing", applicant=shop.public_id)
    period = first.replace("/steps/taxpayer", "/steps/period")
    response = en.submit(en.get(period), {"month": "10", "year": "2040"}, selector="main form[enctype]")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "2035" in text and "2,035" not in text


def test_who_looked_is_one_line_per_person_however_often_they_looked(en, factories):
    from portal.domain import audit

    url = waived_residence_application(en)
    application = journey.application_for(url)
    clerk = factories.staff(application.current_agency, "clerk", name_latin="Chea Dara", name_km="ជា ដារា")
    chief = factories.staff(application.current_agency, "supervisor", name_latin="Keo Sophal", name_km="កែវ សុផល")
    for _ in range(40):
        audit.record_staff_view(clerk, application)
    audit.record_staff_view(chief, application)
    db.session.commit()
    page = en.get(url).get_data(as_text=True)
    assert page.count("Chea Dara") == 1
    assert "Opened the application 40 times" in page
    assert page.count("Keo Sophal") == 1
    assert "Opened the application once" in page


def test_the_documents_page_lists_only_what_the_answers_call_for_and_leads_on(client, shop):
    end = journey.fill_steps(client, journey.start(client, "tax-filing", applicant=shop.public_id), {
        **tax_steps(), "figures": {"turnover-amount": "45000000", "turnover-currency": "KHR",
                                   "purchases-amount": "0", "purchases-currency": "KHR",
                                   "credit_brought_forward-amount": "0", "credit_brought_forward-currency": "KHR"}})
    page = client.get(end).soup
    requirements = [li["id"] for li in page.select("li.requirement")]
    assert requirements == ["requirement-sales_journal"]  # no purchases: no purchase journal
    choices = [o["value"] for o in page.select("select[name=requirement] option")]
    assert choices == ["sales_journal"]
    onward = page.select_one(f"main a.button[href='{end.removesuffix('/documents')}/review']")
    assert onward is not None
    journey.attach(client, end, "sales_journal", docfiles.pdf("sales"), "sales.pdf")
    journey.submit(client, end.removesuffix("/documents"))
    assert journey.application_for(end).state == "submitted"


def test_the_expected_decision_date_counts_the_advertised_working_days(en):
    from datetime import UTC

    from portal.domain.catalogue import get_catalogue
    from portal.domain.i18n.formatting import date
    from portal.domain.workflow.calendar import load_calendar

    end = journey.fill_steps(en, journey.start(en, "vehicle-registration"), VEHICLE_STEPS)
    url = submit_with_documents(en, end, ["customs_clearance", "purchase_invoice", "owner_id"])
    application = journey.application_for(url)
    service = get_catalogue().get("vehicle-registration")
    first_sla = service.workflow.states[application.state].sla_working_days
    calendar = load_calendar()
    submitted = application.submitted_at.replace(tzinfo=UTC)
    advertised = date(calendar.add_working_days(submitted, service.processing_working_days), "long", "en")
    public = en.get("/services/vehicle-registration").soup.get_text(" ", strip=True)
    assert f"{service.processing_working_days} working days" in public
    shown = en.get(url).soup.select_one("dl.facts").get_text(" ", strip=True)
    assert f"Expected decision by {advertised}" in shown
    if first_sla != service.processing_working_days:
        assert date(calendar.add_working_days(submitted, first_sla), "long", "en") not in shown


def test_every_computed_value_is_shown_on_the_review_and_the_application(en, shop):
    from portal.domain.catalogue import get_catalogue

    end = tax_return_filled(en, shop)
    url = end.removesuffix("/documents")
    service = get_catalogue().get("tax-filing")
    review = en.get(url + "/review").soup.select_one(".computed-values").get_text(" ", strip=True)
    for computed in service.computed:
        assert computed.label["en"] in review
    # 45,000,000 of sales and 30,000,000 of purchases: 4,500,000 - 3,000,000 of VAT, plus 1 % prepayment.
    assert "Total tax due 1,950,000" in review
    docs = ["sales_journal", "purchase_journal"]
    submit_with_documents(en, end, docs, pdfs=tuple(docs))
    page = en.get(url).soup.select_one(".computed-values").get_text(" ", strip=True)
    assert "Total tax due 1,950,000" in page




def filed_return(client, shop, month: str = "10", year: str = "2026") -> str:
    end = tax_return_filled(client, shop, month=month, year=year)
    docs = ["sales_journal", "purchase_journal"]
    return submit_with_documents(client, end, docs, pdfs=tuple(docs))


@pytest.mark.parametrize("language, words", [
    ("en", "This business has already filed a return for this month"),
    ("km", "អាជីវកម្មនេះបានដាក់លិខិតប្រកាសពន្ធសម្រាប់ខែនេះរួចហើយ"),
])
def test_the_same_tax_month_cannot_be_filed_twice(client, citizen, shop, language, words):  # noqa: F811
    citizen.locale = language
    db.session.commit()
    first = journey.application_for(filed_return(client, shop))
    second = journey.start(client, "tax-filing", applicant=shop.public_id)
    response = client.submit(client.get(second), {}, selector="main form[enctype]")
    period = response.headers["Location"]
    response = client.submit(client.get(period), {"month": "10", "year": "2026"}, selector="main form[enctype]")
    assert response.status_code == 400
    message = response.soup.select_one("main").get_text(" ", strip=True)
    assert words in message and first.reference in message
    # Another month is fine.
    response = client.submit(client.get(period), {"month": "09", "year": "2026"}, selector="main form[enctype]")
    assert response.status_code == 302


def test_a_return_refused_by_the_office_may_be_filed_again(client, shop, factories):
    application = journey.application_for(filed_return(client, shop))
    chief = factories.staff("gdt", "supervisor")
    journey.staff_act(application, chief, "reject", reason_id="tin_mismatch")
    filed_return(client, shop)  # the same month, accepted


def test_a_month_that_has_not_ended_cannot_be_filed(en, shop):
    from datetime import date

    from portal.domain import clock
    from portal.domain.i18n.formatting import date as format_date

    today = clock.today()
    second = journey.start(en, "tax-filing", applicant=shop.public_id)
    period = en.submit(en.get(second), {}, selector="main form[enctype]").headers["Location"]
    response = en.submit(en.get(period), {"month": f"{today.month:02d}", "year": str(today.year)},
                         selector="main form[enctype]")
    assert response.status_code == 400
    next_month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    expected = f"This period has not ended yet: you can apply for it from {format_date(next_month, 'long', 'en')}."
    assert expected in response.soup.select_one("main").get_text(" ", strip=True)
