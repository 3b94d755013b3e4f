"""Each of the four real services, walked from the service page to submission through the web,
with realistic Khmer answers."""

from __future__ import annotations

import pytest

from tests import docfiles, journey
from tests.sessions import sign_in_as

BATTAMBANG = {"province": "02", "district": "0203", "commune": "020310", "village": "02031001",
              "street": "ផ្ទះលេខ ១២ ផ្លូវលេខ ៣"}


def address(field: str) -> dict:
    return {f"{field}-{key}": value for key, value in BATTAMBANG.items()}


@pytest.fixture
def citizen(client, factories):
    person = factories.person(
        email="chanthy@example.com", phone="+85512345601", locale="km", name_km="សុខ ចាន់ធី",
        name_latin="Sok Chanthy", national_id="012345678", date_of_birth=__import__("datetime").date(1990, 4, 13),
        province_code="02", district_code="0203", commune_code="020310", village_code="02031001",
        street="ផ្ទះលេខ ១២ ផ្លូវលេខ ៣",
    )
    sign_in_as(client, person)
    return person


def submit_with_documents(client, steps_end: str, documents: list[str], pdfs: tuple[str, ...] = ()) -> str:
    assert steps_end.endswith("/documents"), steps_end
    for requirement in documents:
        if requirement in pdfs:
            journey.attach(client, steps_end, requirement, docfiles.pdf(requirement), f"{requirement}.pdf")
        else:
            journey.attach(client, steps_end, requirement, docfiles.jpeg(), f"{requirement}.jpg")
    url = steps_end.removesuffix("/documents")
    journey.submit(client, url)
    return url


def assert_submitted(url: str, prefix: str):
    application = journey.application_for(url)
    assert application.state not in ("draft", "withdrawn")
    assert application.reference.startswith(prefix + "-")
    assert application.due_at is not None
    return application


def test_residence_certificate(client, citizen):
    first = journey.start(client, "residence-certificate")
    end = journey.fill_steps(client, first, {
        "person": {},  # prefilled from the profile
        "residence": {**address("address"), "years": "១២", "book_type": "family_book", "book_number": "០២០៣១០-១២៣"},
        "purpose": {"purpose": "other", "purpose_other": "ដាក់ពាក្យសុំអាហារូបករណ៍", "equity_card": "no"},
        "declaration": {"declaration": "y"},
    })
    application = assert_submitted(submit_with_documents(client, end, ["id_card", "household_book"]), "RC")
    assert application.routed_agency == "sangkat-svay-por"
    assert application.answers["purpose_other"] == "ដាក់ពាក្យសុំអាហារូបករណ៍"


def test_vehicle_registration(client, citizen):
    first = journey.start(client, "vehicle-registration")
    end = journey.fill_steps(client, first, {
        "owner": {"owner_type": "person", "owner_name_km": "សុខ ចាន់ធី", "owner_name_latin": "Sok Chanthy",
                  "owner_national_id": "012345678", **address("owner_address")},
        "vehicle": {"vehicle_type": "motorcycle", "make": "Honda", "model": "Dream 125", "year": "២០២៥",
                    "colour": "red", "fuel": "petrol", "engine_cc": "125", "seats": "2"},
        "numbers": {"chassis_number": "MH1JF5133RK123456", "engine_number": "JF51E-1234567"},
        "origin": {"customs_document_number": "KH-2025/0012345", "purchase_date": "2025-11-02"},
        "declaration": {"declaration": "y"},
    })
    assert_submitted(submit_with_documents(client, end, ["customs_clearance", "purchase_invoice", "owner_id"]), "VR")


def test_business_registration(client, citizen, factories):
    shop = factories.business(owner=citizen, name_km="ហាងលក់គ្រឿងទេសស្រីស្រស់", name_en="Srey Sros Spice Shop")
    first = journey.start(client, "business-registration", applicant=shop.public_id)
    end = journey.fill_steps(client, first, {
        "business": {"business_name_km": "ហាងលក់គ្រឿងទេសស្រីស្រស់", "business_name_en": "Srey Sros Spice Shop",
                     "business_type": "private_limited", "sectors": "trade",
                     "main_activity_km": "លក់ដុំ និងលក់រាយគ្រឿងទេស", "main_activity_en": "Wholesale and retail of spices"},
        "premises": {**address("registered_address"), "premises_tenure": "rented"},
        "capital": {"capital-amount": "40000000", "capital-currency": "KHR", "employees": "៦"},
        "owners": {"owners-0-nationality": "kh", "owners-0-name_km": "សុខ ចាន់ធី", "owners-0-name_latin": "Sok Chanthy",
                   "owners-0-national_id": "012345678", "owners-0-share": "100"},
        "contact": {},
        "declaration": {"declaration": "y"},
    })
    application = assert_submitted(
        submit_with_documents(client, end, ["owner_ids", "articles", "proof_of_address", "premises_photo"],
                              pdfs=("articles",)), "BR")
    assert application.organisation_id == shop.id
    assert application.current_agency == "moc"


def test_tax_filing(client, citizen, factories):
    shop = factories.business(owner=citizen, name_km="ហាងលក់គ្រឿងទេសស្រីស្រស់", name_en="Srey Sros Spice Shop",
                              tax_id="K001-901234567")
    first = journey.start(client, "tax-filing", applicant=shop.public_id)
    end = journey.fill_steps(client, first, {
        "taxpayer": {},
        "period": {"month": "10", "year": "2026"},
        "figures": {"turnover-amount": "៤៥,០០០,០០០", "turnover-currency": "KHR",
                    "purchases-amount": "30000000", "purchases-currency": "KHR",
                    "credit_brought_forward-amount": "0", "credit_brought_forward-currency": "KHR"},
        "declaration": {"declaration": "y"},
    })
    docs = ["sales_journal", "purchase_journal"]
    assert_submitted(submit_with_documents(client, end, docs, pdfs=tuple(docs)), "TF")


@pytest.mark.parametrize("years", ["0", "០"])
def test_a_required_number_answered_zero_is_an_answer(client, citizen, years):
    # The residence certificate's hint says to write 0 for less than a year: 0 is not "missing"
    # (0 == False in Python, and the check of what is missing took it for an unticked box).
    first = journey.start(client, "residence-certificate")
    end = journey.fill_steps(client, first, {
        "person": {},
        "residence": {**address("address"), "years": years, "book_type": "family_book", "book_number": "០២០៣១០-១២៣"},
        "purpose": {"purpose": "other", "purpose_other": "ដាក់ពាក្យសុំអាហារូបករណ៍", "equity_card": "no"},
        "declaration": {"declaration": "y"},
    })
    application = assert_submitted(submit_with_documents(client, end, ["id_card", "household_book"]), "RC")
    assert application.answers["years"] == 0
