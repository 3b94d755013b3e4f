"""A fifth service written only in YAML (tests/fixtures/services/market-stall-permit) works end to
end with no Python change: catalogue, journey, submission, approval, issued permit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.data.db import db
from portal.data.models import Document
from tests import docfiles, journey
from tests.service_roots import FIXTURE_ROOT, services_root
from tests.sessions import sign_in_as


@pytest.fixture
def fixture_services(app):
    with services_root(app, FIXTURE_ROOT, sync_agencies=True):
        yield


def test_a_service_written_only_in_yaml_works_end_to_end(app, client, factories, fixture_services):
    trader = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                              national_id="012345678", phone="+85512777888")
    clerk = factories.staff("phnom-penh-capital", "clerk")
    sign_in_as(client, trader)
    client.expected_lang = "en"

    assert "Market stall permit" in client.get("/").get_data(as_text=True)
    first_step = journey.start(client, "market-stall-permit")
    documents_url = journey.fill_steps(client, first_step, {
        "trader": {},  # everything prefilled from the profile
        "stall": {"market": "olympic", "stall_number": "B12", "goods": "ក្រណាត់ និងសម្លៀកបំពាក់",
                  "months": "៣", "equity_card": "no"},
        "declaration": {"declaration": "y"},
    })
    assert documents_url.endswith("/documents")
    journey.attach(client, documents_url, "id_card", docfiles.jpeg(), "id.jpg")
    application_url = documents_url.removesuffix("/documents")
    journey.submit(client, application_url)

    application = journey.application_for(application_url)
    assert application.state == "submitted"
    assert application.reference.startswith("MS-")
    assert application.answers["name_km"] == "សុខ ចាន់ធី" and application.answers["months"] == 3
    page = client.get(application_url)
    assert application.reference in page.get_data(as_text=True)
    assert "Submitted" in page.soup.select_one(".facts").get_text()

    journey.run_jobs(app)  # the receipt and the "received" message
    receipt = db.session.scalar(select(Document).where(Document.application_id == application.id))
    assert receipt.kind == "receipt" and receipt.owner_person_id == trader.id
    assert "We received your application" in client.get("/inbox").get_data(as_text=True)

    journey.staff_act(application, clerk, "approve")
    journey.run_jobs(app)
    permit = db.session.scalar(select(Document).where(Document.application_id == application.id,
                                                      Document.kind == "issued"))
    assert permit is not None and permit.kind == "issued"
    assert permit.title_en == "Market stall permit"
    page = client.get(application_url)
    assert "Approved" in page.soup.select_one(".facts").get_text()
    links = [a.get_text(strip=True) for a in page.soup.select("main a[download]")]
    assert links == ["Application receipt", "Market stall permit"]
    download = client.get(page.soup.select("main a[download]")[1]["href"])
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
