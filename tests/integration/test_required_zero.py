"""A required number answered 0 is an answer, on the residence certificate walked through the web. (Every
service is walked with its own sample answers by tests/integration/test_every_service.py.)"""

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
