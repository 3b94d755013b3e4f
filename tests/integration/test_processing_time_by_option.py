"""Processing time per option of a choice (tests/fixtures/services/trade-licence): the service page shows the
range, and after submitting, the applicant's expected decision date counts the days of the option answered."""

from __future__ import annotations

from datetime import UTC

import pytest
from babel.dates import format_date

from portal.domain.applications.decision_date import expected_decision
from portal.domain.catalogue import get_catalogue
from portal.domain.workflow.calendar import load_calendar
from tests import docfiles, journey
from tests.service_roots import FIXTURE_ROOT, services_root
from tests.sessions import sign_in_as


@pytest.fixture
def fixture_services(app):
    with services_root(app, FIXTURE_ROOT, sync_agencies=True):
        yield


def _submitted(client, kind):
    first_step = journey.start(client, "trade-licence")
    documents_url = journey.fill_steps(client, first_step, {"trader": {}, "trade": {"business_kind": kind}})
    journey.attach(client, documents_url, "id_card", docfiles.jpeg(), "id.jpg")
    url = documents_url.removesuffix("/documents")
    journey.submit(client, url)
    return url, journey.application_for(url)


@pytest.mark.parametrize(("kind", "days"), [("guesthouse_rooms", 28), ("barber", 7), ("grocery", 7)])
def test_the_expected_decision_counts_the_days_of_the_option_answered(app, client, factories, fixture_services,
                                                                       kind, days):
    trader = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                              national_id="012345678", phone="+85512777889")
    sign_in_as(client, trader)
    client.expected_lang = "en"
    service_page = client.get("/services/trade-licence").soup
    processing = next(div for div in service_page.select(".facts div") if "Processing time" in div.get_text())
    assert processing.dd.get_text(strip=True) == "7 to 28 working days"

    url, application = _submitted(client, kind)
    facts = client.get(url).soup.select_one(".facts").get_text(" ", strip=True)
    assert f"({days} working days)" in facts
    submitted = application.submitted_at.replace(tzinfo=UTC)
    expected = expected_decision(get_catalogue().get("trade-licence"), application)
    assert expected == load_calendar().add_working_days(submitted, days)
    assert format_date(expected, "long", locale="en") in facts


def test_the_service_page_says_the_range_in_khmer(client, fixture_services):
    client.expected_lang = "km"
    page = client.get("/services/trade-licence?lang=km").get_data(as_text=True)
    assert "៧ ដល់ ២៨ ថ្ងៃធ្វើការ" in page
