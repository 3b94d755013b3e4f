"""A fee worked out from what staff enter on the case (issue 15, item 4: "fees that depend on staff-entered
data"): the signboard permit charged per square metre the inspector measured. Until the inspection is saved the
fee is "to be assessed" (nothing charged for it, the case not paid); saving the staff step assesses it, the
amount due follows, and approval waits for the payment."""

from __future__ import annotations

import pytest

from portal.data.db import db
from portal.domain.applications import case_records, transitions
from portal.domain.catalogue import get_catalogue
from portal.domain.workflow import engine
from portal.payments import account, counter
from tests import journey
from tests.integration.test_staff_steps import AGENCY, SLUG, case_page, fill, submitted
from tests.service_roots import copy_of_fixture, edit_service, services_root

SIGN_TAX = {"id": "sign_tax", "label": {"km": "ពន្ធស្លាកយីហោ", "en": "Signboard tax"},
            "rate": {"KHR": 5000}, "per": "measured_area", "unit": {"km": "ម៉ែត្រការ៉េ", "en": "m²"},
            "round_to": 100, "minimum": {"KHR": 20000}}
MEASURED = {"id": "measured_area", "type": "number", "required": True, "min": 0.1, "max": 100,
            "label": {"km": "ផ្ទៃក្រឡាដែលបានវាស់ (ម៉ែត្រការ៉េ)", "en": "Area measured (m²)"}}


def charged_on_the_measured_area(data) -> None:
    data["fees"] = [SIGN_TAX]
    data["staff_steps"][0]["fields"].insert(0, MEASURED)
    data["workflow"]["transitions"][0]["guards"].insert(0, "paid")


@pytest.fixture
def taxed(app, tmp_path):
    root = copy_of_fixture(tmp_path)
    with services_root(app, root, sync_agencies=True):
        edit_service(app, root, SLUG, charged_on_the_measured_area)
        yield


def test_the_fee_is_assessed_when_staff_enter_the_measured_area(app, client, factories, taxed):
    owner, application = submitted(client, factories)
    service = get_catalogue().get(SLUG)
    before = account.account(service, application)
    assert before.assessment.to_be_assessed and before.due == {} and not application.paid

    clerk = factories.staff(AGENCY, "clerk", locale="en")
    saved = fill(client, case_page(client, clerk, application), measured_area="6.37", register_number="R-7",
                 inspection_result="passed")
    assert saved.status_code == 303, saved.get_data(as_text=True)[-1500:]
    application = journey.application_for(f"/applications/{application.public_id}")
    after = account.account(service, application)
    # 5,000 riel x 6.37 m² = 31,850, rounded to the nearest 100 riel.
    assert not after.assessment.to_be_assessed and after.due == {"KHR": 31900} and not application.paid
    assert any(e.action == case_records.REASSESSED for e in application.events)
    page = case_page(client, clerk, application)
    assert "6.37 m²" in page.soup.get_text(" ", strip=True)  # the line explained to staff

    actor = transitions.actor_for(clerk, False)
    blocked = {b.action: b for b in engine.blocked_actions(service, transitions.snapshot(service, application), actor)}
    assert "paid" in blocked["approve"].guards  # not paid yet
    counter.record(service, application, clerk, amount_minor=31900, currency="KHR", method="counter_cash",
                   receipt_number="R-31900")
    db.session.commit()
    assert application.paid
    journey.staff_act(application, clerk, "approve")
    assert application.state == "approved"
