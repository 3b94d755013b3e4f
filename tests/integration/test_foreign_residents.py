"""A service for foreign residents whose choices come from the shipped lists (the YAML-only fixture
tests/fixtures/services/foreign-trader-permit: `audience: [foreign_resident]`, `options_from: nationalities`
and `options_from: countries`): found with the home page's filter, applied for in Khmer by a person with no
Khmer national ID, the 249 countries a select sorted by their Khmer names (not tiles on a kiosk), the answers
shown by their Khmer labels to the applicant and the clerk, and the permit written with them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.data.db import db
from portal.data.models import Document
from tests import docfiles, journey
from tests.integration.test_kiosks import enrolled
from tests.service_roots import FIXTURE_ROOT, services_root
from tests.sessions import sign_in_as

SLUG = "foreign-trader-permit"
FORM = "main form[enctype]"


@pytest.fixture
def fixture_services(app):
    with services_root(app, FIXTURE_ROOT, sync_agencies=True):
        yield


@pytest.fixture
def resident(client, factories):
    """A Japanese trader living in Phnom Penh: a phone number and a Latin name, no national ID."""
    person = factories.person(locale="km", name_latin="Tanaka Hiroshi", phone="+85512345001")
    assert person.national_id is None
    sign_in_as(client, person)
    client.expected_lang = None  # Werkzeug's redirect pages say "en"; the pages' language is checked below
    return person


def test_the_home_page_filters_services_by_who_they_are_for(client, fixture_services):
    client.expected_lang = None  # the page says "km"; checked below
    everything = client.get("/")
    assert everything.soup.html["lang"] == "km"
    links = {a.get_text(strip=True): a for a in everything.soup.select(".audience-filter a")}
    assert links["សម្រាប់ជនបរទេសដែលរស់នៅកម្ពុជា"]["href"].endswith("?audience=foreign_resident")
    assert links["សេវាទាំងអស់"].get("aria-current") == "page"
    assert "លិខិតអនុញ្ញាតលក់ដូរសម្រាប់ជនបរទេស" in everything.get_data(as_text=True)

    foreigners = client.get("/?audience=foreign_resident").get_data(as_text=True)
    assert "លិខិតអនុញ្ញាតលក់ដូរសម្រាប់ជនបរទេស" in foreigners and "លិខិតអនុញ្ញាតតូបលក់ដូរក្នុងផ្សារ" not in foreigners
    citizens = client.get("/?audience=citizen").get_data(as_text=True)
    assert "លិខិតអនុញ្ញាតតូបលក់ដូរក្នុងផ្សារ" in citizens and "លិខិតអនុញ្ញាតលក់ដូរសម្រាប់ជនបរទេស" not in citizens
    english = client.get("/?audience=foreign_resident&lang=en")
    assert english.soup.select_one(".audience-filter a[aria-current=page]").get_text(strip=True) == \
        "For foreign residents"
    assert "Trading permit for a foreign resident" in english.get_data(as_text=True)

    service = client.get(f"/services/{SLUG}?lang=km").get_data(as_text=True)
    assert "ជនបរទេសដែលរស់នៅកម្ពុជា" in service


def test_a_foreign_resident_applies_in_khmer_choosing_from_the_lists(app, client, factories, fixture_services,
                                                                     resident):
    start = client.get(f"/services/{SLUG}/start")
    assert [o["value"] for o in start.soup.select("[name=applicant] option, input[name=applicant]")] == ["me"]
    first = journey.start(client, SLUG)
    page = client.get(first)
    assert page.soup.html["lang"] == "km"

    countries = page.soup.select("select[name=previous_country] option")
    assert countries[0]["value"] == "" and len(countries) == 1 + 249
    names = [o.get_text() for o in countries[1:]]
    assert names == sorted(names, key=str.casefold)  # by the Khmer names the page shows, not by code
    assert page.soup.select_one("select[name=previous_country] option[value=th]").get_text() == "ថៃ"
    assert page.soup.select_one("select[name=nationality] option[value=jp]").get_text() == "សញ្ជាតិជប៉ុន"
    # The passport number is asked unless the person is stateless: a condition on a list's value, in the browser.
    assert "stateless" in page.soup.select_one("[data-show-when]")["data-show-when"]

    documents_url = journey.fill_steps(client, first, {
        "trader": {"nationality": "jp", "passport_number": "TZ1234567", "previous_country": "th"},
        "declaration": {"declaration": "y"},
    })
    journey.attach(client, documents_url, "passport", docfiles.jpeg(), "passport.jpg")
    application_url = documents_url.removesuffix("/documents")
    review = client.get(application_url + "/review").get_data(as_text=True)
    assert "សញ្ជាតិជប៉ុន" in review and "ថៃ" in review
    journey.submit(client, application_url)

    application = journey.application_for(application_url)
    assert application.state == "submitted" and application.reference.startswith("FT-")
    assert application.organisation_id is None and application.applicant_person_id == resident.id
    assert application.answers["nationality"] == "jp" and application.answers["previous_country"] == "th"

    clerk = factories.staff("phnom-penh-capital", "clerk", locale="km")
    sign_in_as(client, clerk)
    case = client.get(f"/staff/cases/{application.public_id}").get_data(as_text=True)
    assert "សញ្ជាតិជប៉ុន" in case and "ថៃ" in case

    journey.staff_act(application, clerk, "approve")
    journey.run_jobs(app)
    permit = db.session.scalar(select(Document).where(Document.application_id == application.id,
                                                      Document.kind == "issued"))
    assert permit is not None and permit.title_en == "Trading permit"


def test_a_stateless_resident_gives_no_passport_number(client, fixture_services, resident):
    documents_url = journey.fill_steps(client, journey.start(client, SLUG), {
        "trader": {"nationality": "stateless", "previous_country": "th"},
        "declaration": {"declaration": "y"},
    })
    assert documents_url.endswith("/documents")
    application = journey.application_for(documents_url)
    assert application.answers["nationality"] == "stateless" and not application.answers.get("passport_number")


def test_on_a_kiosk_the_countries_stay_a_select_and_a_short_list_is_tiles(client, factories, fixture_services):
    enrolled(client, factories)
    person = factories.person(locale="km", name_latin="Tanaka Hiroshi", phone="+85512345002")
    sign_in_as(client, person)
    client.expected_lang = None
    page = client.get(journey.start(client, SLUG))
    assert page.soup.select_one("select[name=previous_country]") is not None
    assert page.soup.select_one("fieldset#previous_country .tiles") is None
    assert len(page.soup.select("input[type=radio][name=previous_country]")) == 0
