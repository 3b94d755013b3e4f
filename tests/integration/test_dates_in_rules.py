"""Dates in a definition written only in YAML (tests/fixtures/services/night-market-licence): a trader under 18
is refused by the step rule `age(date_of_birth) >= 18`, a first day sooner than 5 Cambodian working days by
`start_date >= add_working_days(today, 5)`, and the licence issued is valid until `add_months(start_date,
months)`: its expiry date is stored, printed, signed into the QR code and shown on /verify. A validity that is
already past when the document is issued issues nothing."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from portal.data.db import db
from portal.data.models import Document, DocumentRequest
from portal.domain import clock, definition_dates
from portal.domain.catalogue import validity
from portal.domain.documents import get_document_store
from portal.domain.i18n import formatting
from portal.domain.rendering import signing
from portal.domain.rendering.documents import get_keyring
from portal.domain.workflow.calendar import load_calendar
from tests import docfiles, journey
from tests.integration.test_signed_documents import pdf_text
from tests.service_roots import FIXTURE_ROOT, services_root
from tests.sessions import sign_in_as

SLUG = "night-market-licence"


@pytest.fixture
def fixture_services(app):
    with services_root(app, FIXTURE_ROOT, sync_agencies=True):
        yield


def _years_ago(years: int, today: date) -> date:
    return date.fromisoformat(definition_dates.add_years(today.isoformat(), -years))


def _step(client, url, answers):
    return client.submit(client.get(url), answers, selector="main form[enctype]")


def _submitted(client, factories, months=6):
    today = clock.today()
    trader = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                              date_of_birth=_years_ago(18, today) + (date.resolution * 1))  # 18 tomorrow
    clerk = factories.staff("phnom-penh-capital", "clerk")
    sign_in_as(client, trader)
    client.expected_lang = "en"
    trader_step = journey.start(client, SLUG)

    under_18 = _step(client, trader_step, {})  # the prefilled date of birth: 17 until tomorrow
    assert under_18.status_code == 400
    assert "This licence is only for traders aged 18 or over" in under_18.soup.select_one(".error-summary").get_text()
    licence_step = _step(client, trader_step, {"date_of_birth": _years_ago(18, today).isoformat()})
    assert licence_step.status_code == 302, "18 today is old enough"
    licence_step = licence_step.headers["Location"]

    fifth = definition_dates.add_working_days(today.isoformat(), 5, load_calendar())
    too_soon = _step(client, licence_step, {"start_date": definition_dates.add_days(fifth, -1), "months": "6"})
    assert too_soon.status_code == 400
    assert "at least 5 working days from today" in too_soon.soup.select_one(".error-summary").get_text()
    documents = _step(client, licence_step, {"start_date": fifth, "months": str(months)})
    assert documents.status_code == 302
    documents_url = documents.headers["Location"]
    journey.attach(client, documents_url, "id_card", docfiles.jpeg(), "id.jpg")
    application_url = documents_url.removesuffix("/documents")
    journey.submit(client, application_url)
    last_day = definition_dates.add_months(fifth, months)
    assert formatting.date(date.fromisoformat(last_day), "long", "en") in client.get(application_url).get_data(
        as_text=True), "the applicant sees until when the licence will be valid"
    return journey.application_for(application_url), clerk, date.fromisoformat(fifth)


def test_the_licence_is_valid_for_the_months_asked_from_the_first_day(app, client, factories, fixture_services,
                                                                       tmp_path):
    application, clerk, first_day = _submitted(client, factories, months=6)
    journey.staff_act(application, clerk, "approve")
    journey.run_jobs(app)

    licence = db.session.scalar(select(Document).where(Document.application_id == application.id,
                                                       Document.kind == "issued"))
    expected = date.fromisoformat(definition_dates.add_months(first_day.isoformat(), 6))
    assert licence is not None and licence.issued_on == clock.today()
    assert licence.expires_on == expected
    with app.app_context():
        assert signing.verify(licence.verification_token, get_keyring().public_keys()).expires == expected
    printed = " ".join(pdf_text(get_document_store().read(licence), tmp_path).split())
    assert f"Valid until {formatting.date(expected, 'long', 'en')}" in printed
    client.expected_lang = None
    page = client.get(f"/verify/{licence.verification_token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Genuine and valid" in text
    assert formatting.date(expected, "long", "en") in text and formatting.date(expected, "long", "km") in text


def test_a_validity_already_past_at_issue_issues_nothing_and_says_why(app, client, factories, fixture_services,
                                                                      caplog):
    application, clerk, _first_day = _submitted(client, factories, months=1)
    # The answer as an older definition let it through (or as a clerk corrected it): two months ago.
    application.answers["start_date"] = definition_dates.add_months(clock.today().isoformat(), -2)
    flag_modified(application, "answers")
    db.session.commit()
    journey.staff_act(application, clerk, "approve")
    with caplog.at_level(logging.ERROR, logger=validity.__name__):
        journey.run_jobs(app)

    request = db.session.scalar(select(DocumentRequest).where(DocumentRequest.application_id == application.id,
                                                              DocumentRequest.output_id == "licence"))
    assert request is not None and request.document_id is None
    assert db.session.scalar(select(Document).where(Document.application_id == application.id,
                                                    Document.kind == "issued")) is None
    assert any("valid_until gives" in r.getMessage() and "nothing was issued" in r.getMessage()
               for r in caplog.records)
