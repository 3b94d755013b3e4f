"""Roles an office declares (tests/fixtures/services/agencies.yaml: every district office has a technical
officer acting as a clerk and a governor acting as a supervisor), walked with the guesthouse licence: only
the technical officer inspects, only the governor decides, and nobody of another district sees the case.
The staff admin grants such a role, named in the admin's language, only where the office has it."""

from __future__ import annotations

import pytest

from portal.data import staff as staff_data
from portal.domain.catalogue import get_catalogue
from portal.domain.catalogue.samples import load_samples
from portal.domain.workflow.engine import NotAllowed
from tests import docfiles, journey
from tests.service_roots import FIXTURE_ROOT, services_root
from tests.sessions import sign_in_as

SIEM_REAP, KAMPOT = "district-1710", "district-0708"  # municipal offices, generated from the address data


@pytest.fixture
def fixture_services(app):
    with services_root(app, FIXTURE_ROOT, sync_agencies=True):
        yield


def _submitted(client, factories):
    owner = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                             national_id="012345678", phone="+85512777890")
    sign_in_as(client, owner)
    client.expected_lang = "en"
    samples = load_samples(FIXTURE_ROOT, get_catalogue().get("guesthouse-licence"))  # a site in Siem Reap
    documents_url = journey.fill_steps(client, journey.start(client, "guesthouse-licence"), samples.steps)
    journey.attach(client, documents_url, "id_card", docfiles.jpeg(), "id.jpg")
    url = documents_url.removesuffix("/documents")
    journey.submit(client, url)
    application = journey.application_for(url)
    assert application.current_agency == SIEM_REAP
    return application


def _as(client, person):
    sign_in_as(client, person)
    client.expected_lang = "en"


def test_only_the_technical_officer_inspects_and_the_governor_decides(client, factories, fixture_services):
    application = _submitted(client, factories)
    clerk = factories.staff(SIEM_REAP, "clerk", locale="en")
    supervisor = factories.staff(SIEM_REAP, "supervisor", locale="en")
    officer = factories.staff(SIEM_REAP, "technical_officer", locale="en")
    governor = factories.staff(SIEM_REAP, "governor", locale="en")
    other_officer = factories.staff(KAMPOT, "technical_officer", locale="en")
    case_url = f"/staff/cases/{application.public_id}"

    # The technical officer acts as a clerk: the clerk's step is theirs too, and the case is in their queue.
    _as(client, officer)
    assert application.reference in client.get("/staff/queue").get_data(as_text=True)
    journey.staff_act(application, officer, "send_to_inspection")

    # The inspection is the technical officer's alone: not a clerk's, not a supervisor's.
    for member in (clerk, supervisor):
        _as(client, member)
        assert client.get(case_url).soup.select_one("#staff-step-form-inspection") is None
        with pytest.raises(NotAllowed):
            journey.staff_act(application, member, "inspected")

    # A technical officer of another district never sees the case (DESIGN.md §8: per record).
    _as(client, other_officer)
    assert client.get(case_url).status_code == 404
    assert application.reference not in client.get("/staff/queue").get_data(as_text=True)
    with pytest.raises(NotAllowed):
        journey.staff_act(application, other_officer, "inspected")

    _as(client, officer)
    saved = client.submit(client.get(case_url), {"inspection_result": "fit"}, selector="#staff-step-form-inspection")
    assert saved.status_code == 303
    journey.staff_act(application, officer, "inspected")

    # The decision is the governor's: a supervisor may not take it, the governor (a supervisor too) does.
    with pytest.raises(NotAllowed):
        journey.staff_act(application, supervisor, "approve")
    with pytest.raises(NotAllowed):
        journey.staff_act(application, officer, "approve")
    _as(client, governor)
    board = client.get("/staff/dashboard")  # acts as a supervisor: has the dashboard, and its link
    assert board.status_code == 200 and board.soup.select_one(".site-nav a[href='/staff/dashboard']")
    journey.staff_act(application, governor, "approve")
    assert journey.application_for(f"/applications/{application.public_id}").state == "approved"

    _as(client, officer)
    assert client.get("/staff/dashboard").status_code == 404  # acts as a clerk: no dashboard, but the queue
    nav = client.get("/staff/queue").soup.select_one(".site-nav")
    assert nav.select_one("a[href='/staff/queue']") and not nav.select_one("a[href='/staff/dashboard']")


@pytest.fixture
def admin_client(client, factories):
    client.admin = factories.admin(name_latin="Tep Sotheany", locale="en")
    sign_in_as(client, client.admin)
    client.expected_lang = "en"
    return client


def test_the_admin_grants_a_declared_role_named_in_their_language(admin_client, factories, fixture_services):
    clerk = factories.staff(SIEM_REAP, "clerk")
    page = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=en")
    options = page.soup.select("form[action$='/roles'] select[name=role] option")
    choices = {o["value"]: o.get_text(strip=True) for o in options}
    assert choices["technical_officer"] == "Technical officer" and choices["governor"] == "Governor"
    response = admin_client.submit(page, {"agency": SIEM_REAP, "role": "technical_officer"},
                                   selector="form[action$='/roles']")
    assert response.status_code == 302
    assert {(r.agency.slug, r.role) for r in staff_data.roles_of(clerk)} == {
        (SIEM_REAP, "clerk"), (SIEM_REAP, "technical_officer")}
    detail = admin_client.get(response.headers["Location"]).soup
    assert "Technical officer" in detail.select_one("main table").get_text()

    admin_client.expected_lang = "km"
    khmer = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=km").soup
    assert "មន្ត្រីបច្ចេកទេស" in khmer.select_one("main table").get_text()
    options = [o.get_text(strip=True) for o in khmer.select("form[action$='/roles'] select[name=role] option")]
    assert "អភិបាល" in options


def test_a_role_the_office_does_not_declare_is_refused(admin_client, factories, fixture_services):
    clerk = factories.staff(SIEM_REAP, "clerk")
    page = admin_client.get(f"/admin/staff/{clerk.public_id}?lang=en")
    response = admin_client.submit(page, {"agency": "phnom-penh-capital", "role": "governor"},
                                   selector="form[action$='/roles']")
    assert response.status_code == 400
    assert "The chosen office has no such role" in response.soup.select_one(".error-summary").get_text()
    assert {(r.agency.slug, r.role) for r in staff_data.roles_of(clerk)} == {(SIEM_REAP, "clerk")}
