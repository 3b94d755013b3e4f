"""Staff steps (tests/fixtures/services/signboard-permit): the clerk fills the inspection on the case page,
approval waits for it, the permit number is taken at approval without gaps and printed on the permit, and
the applicant sees only what the definition shows them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.data import document_requests
from portal.data.db import db
from portal.data.models import Document, NumberSequence
from portal.domain import clock
from portal.domain.applications import actions, staff_data, versions
from portal.domain.workflow import engine
from tests import audit_log, docfiles, journey
from tests.service_roots import FIXTURE_ROOT, services_root
from tests.sessions import sign_in_as

SLUG = "signboard-permit"
AGENCY = "phnom-penh-capital"


@pytest.fixture
def fixture_services(app):
    with services_root(app, FIXTURE_ROOT, sync_agencies=True):
        yield


def submitted(client, factories):
    owner = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")
    sign_in_as(client, owner)
    client.expected_lang = "en"
    end = journey.fill_steps(client, journey.start(client, SLUG), {
        "owner": {}, "sign": {"sign_text": "ហាងកាហ្វេ", "area": "2.5"}})
    journey.attach(client, end, "sign_design", docfiles.jpeg(), "sign.jpg")
    url = end.removesuffix("/documents")
    journey.submit(client, url)
    return owner, journey.application_for(url)


def case_page(client, clerk, application, lang="en"):
    sign_in_as(client, clerk)
    client.expected_lang = lang
    return client.get(f"/staff/cases/{application.public_id}")


def fill(client, page, **values):
    return client.submit(page, values, selector="#staff-step-form-inspection")


def this_year() -> int:
    return clock.now().astimezone(clock.CAMBODIA).year


def test_the_clerk_fills_the_inspection_then_approves_and_the_permit_carries_the_number(
        app, client, factories, fixture_services):
    owner, application = submitted(client, factories)
    clerk = factories.staff(AGENCY, "clerk", locale="en")

    page = case_page(client, clerk, application)
    assert page.soup.select_one("#staff-step-form-inspection") is not None
    blocked = page.soup.select_one(".case-actions").get_text(" ", strip=True)
    assert "Approve and issue the permit: fill in “Site inspection” first" in blocked
    with pytest.raises(engine.NotAllowed) as refused:
        journey.staff_act(application, clerk, "approve")
    assert refused.value.code == "guard_failed" and "inspection" in refused.value.guards
    db.session.rollback()
    sign_in_as(client, clerk)  # the session row, written in the test's transaction, went with the rollback

    saved = fill(client, page, register_number="R-0042", inspection_result="passed", inspector_note="Sign is safe")
    assert saved.status_code == 303, saved.get_data(as_text=True)[-1500:]
    application = journey.application_for(f"/applications/{application.public_id}")
    assert application.staff_data == {"register_number": "R-0042", "inspection_result": "passed",
                                      "inspector_note": "Sign is safe"}
    record = [e for e in application.events if e.action == staff_data.SAVED]
    assert len(record) == 1 and record[0].details == {"step": "inspection"} and record[0].actor_id == clerk.id
    entry = audit_log.entries()[-1]
    assert "R-0042" not in json.dumps(entry.details, ensure_ascii=False) and entry.details["step"] == "inspection"
    timeline = " ".join(client.get(f"/staff/cases/{application.public_id}").soup.select_one(".timeline")
                        .get_text().split())
    assert "Staff step saved: Site inspection" in timeline

    journey.staff_act(application, clerk, "approve")
    number = f"SIGN/{this_year()}/000001"
    assert application.staff_data["permit_number"] == number
    journey.run_jobs(app)
    permit = db.session.scalar(select(Document).where(Document.application_id == application.id,
                                                      Document.kind == "issued"))
    context = document_requests.issuing(permit.id).context
    assert context["permit_number"] == number and context["register_number"] == "R-0042"

    sign_in_as(client, owner)
    client.expected_lang = "en"
    shown = client.get(f"/applications/{application.public_id}").soup.select_one(".from-office").get_text(" ")
    assert "Register entry number" in shown and "R-0042" in shown
    assert "Permit number" in shown and number in shown
    assert "Inspection result" not in shown and "Sign is safe" not in shown
    owner.locale = "km"
    db.session.commit()
    client.expected_lang = "km"
    shown = client.get(f"/applications/{application.public_id}").soup.select_one(".from-office").get_text(" ")
    assert "លេខចុះបញ្ជី" in shown and "លេខលិខិតអនុញ្ញាត" in shown and number in shown
    assert "លទ្ធផលត្រួតពិនិត្យ" not in shown


def test_bad_input_comes_back_with_the_messages_and_nothing_is_written(app, client, factories, fixture_services):
    _owner, application = submitted(client, factories)
    clerk = factories.staff(AGENCY, "clerk", locale="km")
    page = case_page(client, clerk, application, lang="km")
    refused = fill(client, page, register_number="", inspection_result="maybe")
    assert refused.status_code == 400
    summary = refused.soup.select_one(".error-summary").get_text(" ")
    assert "លេខចុះបញ្ជី" in summary
    application = journey.application_for(f"/applications/{application.public_id}")
    assert application.staff_data == {} and application.staff_data_version == 0
    assert not [e for e in application.events if e.action == staff_data.SAVED]


def test_a_stale_form_is_a_conflict(app, client, factories, fixture_services):
    _owner, application = submitted(client, factories)
    clerk, other = factories.staff(AGENCY, "clerk", locale="en"), factories.staff(AGENCY, "supervisor", locale="en")
    stale = case_page(client, clerk, application)
    first = case_page(client, other, application)
    assert fill(client, first, register_number="R-1", inspection_result="passed").status_code == 303
    sign_in_as(client, clerk)
    assert fill(client, stale, register_number="R-2", inspection_result="failed").status_code == 409
    assert journey.application_for(f"/applications/{application.public_id}").staff_data["register_number"] == "R-1"


def test_only_staff_of_the_step_role_in_its_states_may_fill_it(app, client, factories, fixture_services):
    owner, application = submitted(client, factories)
    clerk = factories.staff(AGENCY, "clerk", locale="en")
    page = case_page(client, clerk, application)
    action = page.soup.select_one("#staff-step-form-inspection")["action"]
    outsider = factories.staff("moc", "clerk", locale="en")
    sign_in_as(client, outsider)
    assert client.post(action, data={"csrf_token": client.csrf_token()}).status_code == 404
    sign_in_as(client, owner)
    assert client.post(action, data={"csrf_token": client.csrf_token()}).status_code in (403, 404)

    assert fill(client, case_page(client, clerk, application), register_number="R-1",
                inspection_result="passed").status_code == 303
    journey.staff_act(application, clerk, "approve")
    page = case_page(client, clerk, application)
    assert page.soup.select_one("#staff-step-form-inspection") is None  # approved: nothing can change
    sign_in_as(client, clerk)
    forged = client.post(action, data={"csrf_token": client.csrf_token(), "seen_state": "approved",
                                       "seen_version": str(application.staff_data_version),
                                       "register_number": "R-9", "inspection_result": "passed"})
    assert forged.status_code == 403
    assert journey.application_for(f"/applications/{application.public_id}").staff_data["register_number"] == "R-1"


def test_a_rolled_back_decision_leaves_no_gap(app, client, factories, fixture_services):
    clerk = factories.staff(AGENCY, "clerk", locale="en")
    cases = [submitted(client, factories)[1] for _ in range(2)]
    for application in cases:
        application.staff_data = {"register_number": "R-1", "inspection_result": "passed"}
    db.session.commit()
    first, second = cases
    service = versions.definition_for(first)
    actions.take_step(service, first, clerk, "approve", as_applicant=False)
    assert first.staff_data["permit_number"].endswith("/000001")
    db.session.rollback()  # the decision failed after the number was taken: it is given back
    db.session.refresh(first)
    assert first.state == "submitted" and "permit_number" not in first.staff_data

    journey.staff_act(second, clerk, "approve")
    journey.staff_act(first, clerk, "approve")
    assert second.staff_data["permit_number"] == f"SIGN/{this_year()}/000001"
    assert first.staff_data["permit_number"] == f"SIGN/{this_year()}/000002"
    counter = db.session.scalar(select(NumberSequence).where(NumberSequence.name == "SIGN/",
                                                             NumberSequence.agency == AGENCY))
    assert counter.last_number == 2 and counter.year == this_year()
