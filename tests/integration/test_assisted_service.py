"""Assisted service at a kiosk (issue 14): an operator of the kiosk's centre files for a citizen, only with
the citizen's recorded consent (a code by SMS, or a signed paper form), only while the session lasts, and
the application belongs to the citizen and says who helped."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal.data.db import db
from portal.data.models import AssistedSession, AuditEntry, Kiosk, Person
from portal.domain import assisted, audit
from portal.domain.identity import totp
from tests import docfiles, journey
from tests.integration.test_application_lifecycle import SLUG, STALL
from tests.integration.test_kiosks import enrolled
from tests.messages import six_digit_codes, texts_to
from tests.service_roots import copy_of_fixture, services_root
from tests.sessions import sign_in_as

PHONE = "+85512777889"


@pytest.fixture
def services(app, tmp_path):
    with services_root(app, copy_of_fixture(tmp_path), sync_agencies=True) as root:
        yield root


@pytest.fixture
def citizen(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy", national_id="012345678",
                            phone=PHONE)


@pytest.fixture
def operator(client, factories):
    """An operator of the kiosk's centre, signed in on the enrolled kiosk (the client)."""
    kiosk, _secret, _response = enrolled(client, factories)
    person = factories.person(email="operator@ctc.test", name_km="ដារា", name_latin="Dara Operator")
    totp.store(person, totp.new_secret())
    assisted.make_operator(person, db.session.get(Kiosk, kiosk.id).centre)
    db.session.commit()
    sign_in_as(client, person)
    client.expected_lang = None
    return person


def start_session(client, phone: str = PHONE):
    page = client.get("/kiosk/assist")
    assert page.status_code == 200
    response = client.submit(page, {"phone": phone})
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk/assist/consent")
    return client.get("/kiosk/assist/consent")


def consent_by_code(app, client, consent_page):
    sent = client.submit(consent_page, selector="main form[action$='/consent/send']")
    assert sent.status_code == 302
    sms = texts_to(app.config["PORTAL_SETTINGS"].instance_path, PHONE)[-1]  # the newest: the folder is shared
    [code] = six_digit_codes(sms)
    page = client.get("/kiosk/assist/consent")
    confirmed = client.submit(page, {"code": code}, selector="main form[action$='/consent/code']")
    assert confirmed.status_code == 302


def draft_for_citizen(client) -> str:
    first = journey.start(client, SLUG)
    documents = journey.fill_steps(client, first, {"stall": STALL, "declaration": {"declaration": "y"}})
    journey.attach(client, documents, "id_card", docfiles.png(), "id.png")
    return documents.removesuffix("/documents")


def the_session() -> AssistedSession:
    db.session.expire_all()
    return db.session.scalar(select(AssistedSession))


def test_submitting_without_recorded_consent_is_refused(app, client, services, operator, citizen):
    start_session(client)
    consent_by_code(app, client, client.get("/kiosk/assist/consent"))
    url = draft_for_citizen(client)
    # Consent is withdrawn behind the page's back (as if never recorded): the submission itself refuses.
    row = the_session()
    row.consent_method, row.consent_recorded_at = None, None
    db.session.commit()
    with client.session_transaction() as session:
        assert session["_assisted"] == row.public_id
    application = journey.application_for(url)
    # The operator is no longer the citizen: the page is not theirs (404) ...
    assert client.get(url + "/review").status_code == 404
    # ... and the submission itself refuses, whatever route calls it: even the citizen's own, on their phone.
    with pytest.raises(assisted.NoConsent):
        assisted.check_may_file(application)
    own = app.test_client()
    sign_in_as(own, citizen)
    own.expected_lang = None
    review = own.get(url + "/review")
    refused = own.submit(review, {"declaration": "y"}, selector="main form[action$='/submit']")
    assert refused.status_code == 403 and "consent was not recorded" in refused.get_data(as_text=True)
    assert journey.application_for(url).state == "draft"


def test_consent_by_code_then_a_filing_that_belongs_to_the_citizen(app, client, services, operator, citizen,
                                                                   factories):
    start_session(client)
    consent_by_code(app, client, client.get("/kiosk/assist/consent"))
    url = draft_for_citizen(client)
    journey.submit(client, url)
    application = journey.application_for(url)
    assert application.state == "submitted" and application.applicant_person_id == citizen.id
    assert application.assisted_session.operator.person_id == operator.id
    page = client.get(url).get_data(as_text=True)
    assert "Dara" in page or "ដារា" in page
    row = the_session()
    assert row.consent_method == "code" and row.consent_recorded_at is not None and row.code_digest is None
    changes = [e.details["change"] for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == audit.ASSISTED_SESSION).order_by(AuditEntry.seq))]
    assert changes == ["started", "consent_code_sent", "consent_recorded"]
    [filing] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == audit.ASSISTED_FILING))
    assert filing.actor_id == operator.id and filing.application_id == application.id
    # The citizen, on their own phone, sees who helped, in their language.
    phone_client = app.test_client()
    sign_in_as(phone_client, citizen)
    shown = phone_client.get(url)
    assert shown.status_code == 200
    helped = shown.soup.select_one("[data-helped-by]").get_text(" ", strip=True)
    assert "Filed with help by" in helped and "ដារា" in helped and "Kiosk 1" in helped and "Test centre" in helped
    # The clerk of the office whose queue it is in, in Khmer.
    clerk_client = app.test_client()
    sign_in_as(clerk_client, factories.staff(application.current_agency, "clerk"))
    case = clerk_client.get(f"/staff/cases/{application.public_id}")
    assert case.status_code == 200
    helped = case.soup.select_one("[data-helped-by]").get_text(" ", strip=True)
    assert "ដាក់ពាក្យដោយមានជំនួយពី ដារា" in helped and "មជ្ឈមណ្ឌលសាកល្បង" in helped


def test_a_wrong_code_records_nothing(app, client, services, operator, citizen):
    page = start_session(client)
    client.submit(page, selector="main form[action$='/consent/send']")
    wrong = client.submit(client.get("/kiosk/assist/consent"), {"code": "000000"},
                          selector="main form[action$='/consent/code']")
    assert wrong.status_code == 400
    assert the_session().consent_recorded_at is None and the_session().wrong_codes == 1


def test_the_operator_cannot_open_other_applications_nor_this_one_after_the_session(
        app, client, services, operator, citizen, factories):
    # The citizen's own earlier draft, not made in this session.
    own_client = app.test_client()
    sign_in_as(own_client, citizen)
    own_client.expected_lang = None
    earlier = journey.start(own_client, SLUG).split("/steps/")[0]
    start_session(client)
    consent_by_code(app, client, client.get("/kiosk/assist/consent"))
    assert client.get(earlier).status_code == 404
    assert client.get("/applications").status_code == 404  # the citizen's list is not open either
    assert client.get("/profile").status_code == 404
    url = draft_for_citizen(client)
    journey.submit(client, url)
    assert client.get(url).status_code == 200
    ended = client.post("/kiosk/assist/end", data={"csrf_token": csrf_of(client)})
    assert ended.status_code == 302
    assert the_session().ended_at is not None
    assert client.get(url).status_code == 404
    assert client.get(earlier).status_code == 404


def csrf_of(client) -> str:
    page = client.get("/kiosk/assist")
    return page.soup.select_one("input[name=csrf_token]")["value"]


def test_finishing_the_kiosk_ends_the_session(app, client, services, operator, citizen):
    start_session(client)
    consent_by_code(app, client, client.get("/kiosk/assist/consent"))
    client.post("/kiosk/finish")
    assert the_session().ended_at is not None


def test_paper_consent_through_the_upload_checks(app, client, services, operator, citizen):
    page = start_session(client)
    refused = client.submit(page, {"file": (io.BytesIO(b"not an image"), "form.png")},
                            selector="main form[action$='/consent/paper']", content_type="multipart/form-data")
    assert refused.status_code in (400, 422) and the_session().consent_recorded_at is None
    page = client.get("/kiosk/assist/consent")
    done = client.submit(page, {"file": (io.BytesIO(docfiles.png()), "form.png")},
                         selector="main form[action$='/consent/paper']", content_type="multipart/form-data")
    assert done.status_code == 302
    row = the_session()
    assert row.consent_method == "paper" and row.consent_document_id is not None
    url = draft_for_citizen(client)
    journey.submit(client, url)
    assert journey.application_for(url).applicant_person_id == citizen.id


def test_an_operator_of_another_centre_or_off_the_kiosk_gets_404(app, client, factories, citizen):
    person = factories.person(email="other@ctc.test", name_latin="Other")
    totp.store(person, totp.new_secret())
    db.session.commit()
    sign_in_as(client, person)
    assert client.get("/kiosk/assist").status_code == 404  # not a kiosk, not an operator


def test_an_operator_of_another_centre_gets_404_at_this_kiosk(app, client, factories, operator):
    from portal.domain import kiosks

    elsewhere = kiosks.create_centre(factories.admin(), slug="ctc-other", name_km="ផ្សេង", name_en="Other",
                                     kind="post_office", province="02", district="0201", commune="020101")
    stranger = factories.person(email="stranger@ctc.test", name_latin="Stranger")
    totp.store(stranger, totp.new_secret())
    assisted.make_operator(stranger, elsewhere)
    db.session.commit()
    sign_in_as(client, stranger)
    assert client.get("/kiosk/assist").status_code == 404


def test_consent_codes_are_limited_per_session_and_per_citizen(app, client, services, operator, citizen):
    page = start_session(client)
    for _ in range(assisted.MAX_CODES):
        assert client.submit(page, selector="main form[action$='/consent/send']").status_code == 302
    assert client.submit(page, selector="main form[action$='/consent/send']").status_code == 429
    # A new session for the same citizen: three more, then the hourly limit per citizen.
    page = start_session(client)
    for _ in range(assisted.MAX_CODES_PER_CITIZEN_HOUR - assisted.MAX_CODES):
        assert client.submit(page, selector="main form[action$='/consent/send']").status_code == 302
    page = start_session(client)
    assert client.submit(page, selector="main form[action$='/consent/send']").status_code == 429
    sent = texts_to(app.config["PORTAL_SETTINGS"].instance_path, PHONE)
    assert len([t for t in sent if "ដារា" in t or "Dara" in t]) >= assisted.MAX_CODES_PER_CITIZEN_HOUR


def test_the_address_pickers_lists_open_while_assisting(app, client, services, operator, citizen):
    start_session(client)
    consent_by_code(app, client, client.get("/kiosk/assist/consent"))
    lists = client.get("/geo/children?level=district&parent=02")
    assert lists.status_code == 200 and lists.get_json()["items"]


def test_an_operator_removed_mid_session_no_longer_acts_for_the_citizen(
        app, client, services, operator, citizen):
    start_session(client)
    consent_by_code(app, client, client.get("/kiosk/assist/consent"))
    url = draft_for_citizen(client)
    assert client.get(url).status_code == 200
    assisted.remove_operator(None, db.session.get(Person, the_session().operator.person_id))
    db.session.commit()
    assert the_session().ended_at is not None
    assert client.get(url).status_code == 404  # the citizen's draft is theirs alone again
    assert client.get("/kiosk/assist").status_code == 404  # and no assisting any more
