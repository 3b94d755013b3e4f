"""Reprinting a receipt at the centre's view (issue 14): the reference is posted, a code goes by SMS to the
applicant's phone, and once typed back the operator sees that application's kiosk receipt for a few minutes.
An unknown reference answers as a wrong code does; an applicant with no phone is said to be one."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from portal.data import people
from portal.data.db import db
from portal.data.models import AuditEntry
from portal.domain import assisted, audit
from portal.domain.identity.throttle import REPRINT_CODES_PER_REFERENCE
from tests import journey
from tests.integration import test_assisted_service as assisted_tests
from tests.messages import six_digit_codes, texts_to
from tests.sessions import sign_in_as

services, operator, citizen = assisted_tests.services, assisted_tests.operator, assisted_tests.citizen  # fixtures
PHONE = assisted_tests.PHONE


@pytest.fixture(autouse=True)
def _no_old_messages(app):
    shutil.rmtree(app.config["PORTAL_SETTINGS"].instance_path / "sms", ignore_errors=True)


@pytest.fixture
def filed(app, services, citizen):
    """An application the citizen filed on their own phone (not at the centre)."""
    own = app.test_client()
    sign_in_as(own, citizen)
    own.expected_lang = None
    url = assisted_tests.draft_for_citizen(own)
    journey.submit(own, url)
    return journey.application_for(url)


def sms(app) -> list[str]:
    return texts_to(app.config["PORTAL_SETTINGS"].instance_path, PHONE)


def ask(client, reference: str):
    page = client.get("/kiosk/assist/filings")
    assert page.status_code == 200
    return client.submit(page, {"reference": reference}, selector="main form[action$='/assist/reprint']")


def type_code(client, code: str):
    return client.submit(client.get("/kiosk/assist/reprint/code"), {"code": code})


def error_of(response) -> str:
    return response.soup.select_one(".error-summary").get_text(" ", strip=True)


def other_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_the_applicant_code_opens_that_receipt_only_for_a_short_time(app, client, operator, filed):
    assert client.get(f"/kiosk/applications/{filed.public_id}/receipt").status_code == 404  # not theirs
    asked = ask(client, filed.reference.lower().replace("-", " "))  # as a person may type it
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/kiosk/assist/reprint/code")
    assert filed.reference not in asked.headers["Location"]
    [message] = sms(app)
    assert filed.reference in message
    [code] = six_digit_codes(message.split(filed.reference)[1])
    wrong = type_code(client, other_code(code))
    assert wrong.status_code == 400
    shown = type_code(client, code)
    assert shown.status_code == 302 and shown.headers["Location"].endswith(f"/kiosk/applications/{filed.public_id}"
                                                                           "/receipt")
    receipt = client.get(shown.headers["Location"])
    assert receipt.status_code == 200
    assert receipt.soup.select_one("[data-reference]").get_text(strip=True) == filed.reference
    assert receipt.soup.select_one("form[action$='/receipt/khqr']") is None  # reprinting makes no payment code
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == audit.RECEIPT_REPRINTED))
    assert entry.actor_id == operator.id and entry.application_id == filed.id and entry.actor_role == "operator"
    # The grant names this application only: the applicant's other one is still not the operator's.
    own = app.test_client()
    sign_in_as(own, citizen_of(filed))
    own.expected_lang = None
    other_url = assisted_tests.draft_for_citizen(own)
    journey.submit(own, other_url)
    assert client.get(f"/kiosk/applications/{journey.application_for(other_url).public_id}/receipt").status_code == 404
    # The code works once; the grant lasts a few minutes.
    used = client.get("/kiosk/assist/reprint/code")
    assert used.status_code == 302 and used.headers["Location"].endswith("/kiosk/assist/filings")
    with client.session_transaction() as session:
        session["_reprint"]["until"] = 0
    assert client.get(f"/kiosk/applications/{filed.public_id}/receipt").status_code == 404


def test_an_unknown_reference_answers_as_a_wrong_code(app, client, operator, filed):
    from portal.domain.applications.reference import check_character

    body = "2345678"
    unknown = f"MS-{body[:4]}-{body[4:]}{check_character(body)}"
    assert unknown != filed.reference
    asked = ask(client, unknown)
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/kiosk/assist/reprint/code")
    assert sms(app) == []
    unknown_answer = type_code(client, "123456")
    ask(client, filed.reference)
    [code] = six_digit_codes(sms(app)[-1].split(filed.reference)[1])
    wrong_answer = type_code(client, other_code(code))
    assert unknown_answer.status_code == wrong_answer.status_code == 400
    assert error_of(unknown_answer) == error_of(wrong_answer)
    # Not a reference at all (its check character is wrong): said so, nothing sent.
    refused = ask(client, filed.reference[:-1] + ("A" if filed.reference[-1] != "A" else "B"))
    assert refused.status_code == 400 and "មិនមែនជាលេខយោង" in error_of(refused)  # "not a reference"


def test_sends_and_wrong_codes_are_limited(app, client, operator, filed):
    for _ in range(REPRINT_CODES_PER_REFERENCE):
        assert ask(client, filed.reference).status_code == 302
    assert ask(client, filed.reference).status_code == 429
    assert len(sms(app)) == REPRINT_CODES_PER_REFERENCE
    [code] = six_digit_codes(sms(app)[-1].split(filed.reference)[1])
    for _ in range(assisted.REPRINT_WRONG_CODES - 1):
        assert type_code(client, other_code(code)).status_code == 400
    assert type_code(client, other_code(code)).status_code == 429
    assert type_code(client, code).status_code == 429  # even the right code, now
    assert client.get(f"/kiosk/applications/{filed.public_id}/receipt").status_code == 404


@pytest.mark.parametrize("kind", ["email_only", "guest"])
def test_an_applicant_without_a_phone_cannot_be_reprinted_for_and_is_told(app, client, operator, filed, kind):
    if kind == "guest":
        other = people.create(password_hash="!", is_guest=True)
    else:
        other = people.create(password_hash="!", email="member@business.example")
    filed.applicant_person_id = other.id
    db.session.commit()
    refused = ask(client, filed.reference)
    assert refused.status_code == 400 and "គ្មានលេខទូរស័ព្ទចល័ត" in error_of(refused)  # "has no mobile number", in Khmer
    assert sms(app) == []


def test_the_reprint_pages_need_an_operator_on_their_kiosk_and_csrf(app, client, factories, operator, filed):
    token = client.get("/kiosk/assist/filings").soup.select_one("input[name=csrf_token]")["value"]
    assert client.post("/kiosk/assist/reprint", data={"reference": filed.reference}).status_code == 400
    assert sms(app) == []
    other = app.test_client()  # not a kiosk
    sign_in_as(other, operator)
    assert other.post("/kiosk/assist/reprint", data={"csrf_token": token, "reference": filed.reference}
                      ).status_code in (400, 404)
    assert other.get("/kiosk/assist/reprint/code").status_code == 404
    assert sms(app) == []


def citizen_of(application):
    return people.get_by_id(application.applicant_person_id)
