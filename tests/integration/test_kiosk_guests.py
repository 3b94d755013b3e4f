"""Applying without an account at a kiosk (portal/web/kiosk/guests.py, portal/domain/guests.py,
portal/web/public/track.py): offered only on an enrolled kiosk and only for services whose definition says
`without_account: true` (the fixture service is made to say so here: no test pins which real services do);
the guest's pages; the tracking secret at submission, on the confirmation and the receipt; /track; the
loader's checks; a guest never signs in."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.data.db import db
from portal.data.models import Person
from portal.domain import guests
from portal.domain.catalogue.loader import DefinitionError
from portal.domain.identity.passwords import UNUSABLE_HASH
from tests import docfiles, journey
from tests.audit_log import entries
from tests.integration import test_kiosk_handoff as handoff_tests
from tests.integration.test_case_names_records_and_hand_over import STALL, TRADER, case_url
from tests.integration.test_kiosk_receipt import enrol
from tests.service_roots import edit_service
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, SLUG, services_fixture  # noqa: F401 - the `services` fixture

pytestmark = pytest.mark.usefixtures("services")
made, make_link = handoff_tests.made, handoff_tests.make_link  # the secrets of the links made, as there
SECRET_SHAPE = re.compile(r"^[%s]{4}-[%s]{4}-[%s]{4}$" % ((guests.ALPHABET,) * 3))


def allow_guests(data):
    data["without_account"] = True


@pytest.fixture
def guest_service(app, services):
    edit_service(app, services.root, SLUG, allow_guests)
    return SLUG


def guest_button(page, slug: str = SLUG):
    return page.soup.select_one(f"main form[action='/kiosk/guest/{slug}']")


def start_as_guest(client, slug: str = SLUG):
    home = client.get("/kiosk")
    assert home.status_code == 200 and guest_button(home, slug) is not None
    response = client.submit(home, selector=f"main form[action='/kiosk/guest/{slug}']")
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    return response.headers["Location"]


def guest_of(client) -> Person:
    with client.session_transaction() as session:
        public_id = session["_user_id"]
    db.session.expire_all()
    return db.session.scalar(select(Person).where(Person.public_id == public_id))


def fill_and_submit(client, first_step: str):
    documents = journey.fill_steps(client, first_step, {
        "trader": {**TRADER, "phone": "+85512777889"}, "stall": STALL, "declaration": {"declaration": "y"}})
    journey.attach(client, documents, "id_card", docfiles.png(), "id.png")
    url = documents.removesuffix("/documents")
    response = journey.submit(client, url)
    return url, response


# --- offering and starting -------------------------------------------------------------------------

def test_a_guest_starts_on_an_enrolled_kiosk_with_the_sign_in_pages_session_and_the_ordinary_journey(
        client, factories, guest_service):
    kiosk = enrol(client, factories)
    first_step = start_as_guest(client)
    assert "/applications/" in first_step and "/steps/" in first_step
    guest = guest_of(client)
    assert guest.is_guest and guest.email is None and guest.phone is None
    assert guest.password_hash == UNUSABLE_HASH and guest.locale == "km"  # the kiosk's default language
    application = journey.application_for(first_step)
    assert application.applicant_person_id == guest.id and application.state == "draft"
    with client.session_transaction() as session:
        assert "_started" in session and "_stamp" in session  # timeouts.start, from start_session
    [started] = entries("guest_started")
    assert started.actor_id == guest.id and started.subject_id == kiosk.public_id
    # Nothing prefilled from the (empty) profile: the guest types the answers.
    page = client.get(first_step)
    assert page.status_code == 200
    assert all(not (i.get("value") or "") for i in page.soup.select("main input[name=name_km], main input[name=phone]"))


def test_not_offered_off_a_kiosk_nor_for_a_service_without_the_key(client, factories, services, app):
    # The fixture service without the key: not offered, and refused when forged.
    enrol(client, factories)
    home = client.get("/kiosk")
    assert guest_button(home) is None
    token = client.csrf_token()
    assert client.post(f"/kiosk/guest/{SLUG}", data={"csrf_token": token}).status_code == 404
    # With the key, off a kiosk (a fresh browser): 404, and no guest made.
    edit_service(app, services.root, SLUG, allow_guests)
    assert guest_button(client.get("/kiosk")) is not None
    other = app.test_client()  # not a kiosk, with a good CSRF token
    token = other.get("/track").soup.select_one("input[name=csrf_token]")["value"]
    assert other.post(f"/kiosk/guest/{SLUG}", data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(select(Person).where(Person.is_guest)) is None


def test_the_start_needs_the_csrf_token(client, factories, guest_service):
    enrol(client, factories)
    client.get("/kiosk")
    assert client.post(f"/kiosk/guest/{SLUG}", data={}).status_code == 400
    assert db.session.scalar(select(Person).where(Person.is_guest)) is None


# --- what a guest may open ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/account", "/documents", "/applications", "/inbox", "/account/businesses/new",
                                  "/staff/queue", "/admin/kiosks", "/account/password", "/kiosk/assist"])
def test_the_guard_refuses_everything_else(client, factories, guest_service, path):
    enrol(client, factories)
    start_as_guest(client)
    assert client.get(path).status_code == 404


def test_a_guest_opens_only_services_that_allow_guests_and_only_its_own_applications(
        client, factories, guest_service, app, services):
    enrol(client, factories)
    first_step = start_as_guest(client)
    assert client.get(f"/services/{SLUG}").status_code == 200
    assert client.get(f"/services/{SLUG}/start").status_code == 200
    # The portal's home is the kiosk home for a guest on a kiosk.
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/kiosk")
    # Someone else's application: 404 (the ordinary routes' own check).
    other = factories.person(locale="en")
    sign_in_as(client_b := app.test_client(), other)
    their = journey.application_for(journey.start(client_b, SLUG))
    assert client.get(f"/applications/{their.public_id}").status_code == 404
    assert client.get(first_step).status_code == 200
    # The service stops allowing guests: its pages close for the guest.
    edit_service(app, services.root, SLUG, lambda data: data.pop("without_account"))
    assert client.get(f"/services/{SLUG}").status_code == 404
    assert client.get(f"/services/{SLUG}/start").status_code == 404


# --- submission, the tracking secret, the receipt ---------------------------------------------------

def test_submitting_makes_a_tracking_secret_shown_on_the_confirmation_and_the_receipt_only_in_this_session(
        client, factories, guest_service, app):
    enrol(client, factories)
    url, response = fill_and_submit(client, start_as_guest(client))
    application = journey.application_for(url)
    assert application.reference and application.tracking_digest and len(application.tracking_digest) == 64
    assert response.headers["Location"].endswith(url)
    assert "secret" not in response.headers["Location"].lower()

    confirmation = client.get(url)
    secret = confirmation.soup.select_one("[data-tracking-secret]").get_text(strip=True)
    assert SECRET_SHAPE.match(secret)
    assert secret.replace("-", "") not in application.tracking_digest  # only its HMAC is kept
    assert guests.tracked(application.reference, secret, app.config["SECRET_KEY"]).id == application.id

    receipt = client.get(f"/kiosk/applications/{application.public_id}/receipt")
    assert receipt.status_code == 200
    assert receipt.soup.select_one("[data-reference]").get_text(strip=True) == application.reference
    assert receipt.soup.select_one("[data-tracking-secret]").get_text(strip=True) == secret
    assert not receipt.soup.select("script:not([src])")
    follow = receipt.soup.select_one(".receipt-link").get_text(strip=True)
    assert follow.endswith("/track") and secret not in follow  # the printed address carries no secret
    # The receipt's QR is the /track link with reference and secret in the fragment only.
    link = guests_track_link(client, application)
    parts = urlsplit(link)
    assert parts.path == "/track" and not parts.query
    fragment = parse_qs(parts.fragment)
    assert fragment == {"ref": [application.reference], "secret": [secret]}

    # Finishing ends it: a new guest (or anyone) never sees that secret again.
    client.post("/kiosk/finish", headers={"Sec-Fetch-Site": "same-origin"})
    assert client.get(f"/kiosk/applications/{application.public_id}/receipt").status_code in (302, 404)


def guests_track_link(client, application) -> str:
    """The link the receipt's QR code carries, as the receipt made it in this session."""
    from portal.web.kiosk import guests as web_guests

    with client.application.test_request_context():
        from flask import session

        with client.session_transaction() as stored:
            kept = dict(stored.get(web_guests.TRACKING) or {})
        session[web_guests.TRACKING] = kept
        return web_guests.track_url(application, kept[application.public_id])


def test_a_guest_applicant_has_no_notifications_and_the_case_page_says_how_they_applied(
        client, factories, guest_service, app):
    enrol(client, factories)
    url, _ = fill_and_submit(client, start_as_guest(client))
    application = journey.application_for(url)
    from portal.data.models import Notification

    assert db.session.scalars(select(Notification).where(
        Notification.person_id == application.applicant_person_id)).all() == []
    clerk = factories.staff(AGENCY, "clerk", locale="en")
    staff = app.test_client()
    sign_in_as(staff, clerk)
    case = staff.get(case_url(application))
    assert case.status_code == 200
    assert case.soup.select_one("[data-guest-applicant]") is not None
    assert "without an account" in case.soup.select_one("[data-guest-applicant]").get_text()
    queue = staff.get("/staff/queue?lang=en")
    assert queue.status_code == 200 and application.reference in queue.get_data(as_text=True)


# --- /track --------------------------------------------------------------------------------------

def submitted_by_a_guest(client, factories, app):
    enrol(client, factories)
    url, _ = fill_and_submit(client, start_as_guest(client))
    application = journey.application_for(url)
    secret = client.get(url).soup.select_one("[data-tracking-secret]").get_text(strip=True)
    return application, secret


def test_track_with_the_right_secret_shows_the_state_office_and_what_is_due_off_a_kiosk(
        client, factories, guest_service, app):
    application, secret = submitted_by_a_guest(client, factories, app)
    phone = app.test_client()
    page = phone.get("/track?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert not page.soup.select("script:not([src])")
    assert page.soup.select_one("input[name=secret]")["autocomplete"] == "off"
    token = page.soup.select_one("input[name=csrf_token]")["value"]
    shown = phone.post("/track?lang=en", data={"csrf_token": token, "reference": application.reference.lower(),
                                               "secret": secret.replace("-", " ")})
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    text = shown.get_data(as_text=True)
    result = shown.soup.select_one("[data-track-result]").get_text(" ", strip=True)
    assert application.reference in result and "Submitted" in result and "Office" in result
    assert "Expected decision by" in result
    assert "320,000" in text  # what is still due (the fixture's fee for two months)


def test_track_without_csrf_is_refused(client, factories, guest_service, app):
    application, secret = submitted_by_a_guest(client, factories, app)
    phone = app.test_client()
    assert phone.post("/track", data={"reference": application.reference, "secret": secret}).status_code == 400


def test_a_wrong_reference_or_secret_gets_one_and_the_same_message_and_tries_are_throttled(
        client, factories, guest_service, app):
    application, secret = submitted_by_a_guest(client, factories, app)
    phone = app.test_client()

    def attempt(reference, typed):
        page = phone.get("/track?lang=en")
        token = page.soup.select_one("input[name=csrf_token]")["value"]
        return phone.post("/track?lang=en", data={"csrf_token": token, "reference": reference, "secret": typed})

    wrong_secret = attempt(application.reference, "AAAA-AAAA-AAAA")
    wrong_reference = attempt("RC-0000-0000", secret)
    assert wrong_secret.status_code == wrong_reference.status_code == 400

    def message(page):
        return page.soup.select_one("main .error-summary, main [role=alert]").get_text(" ", strip=True)

    assert message(wrong_secret) == message(wrong_reference) and "do not match" in message(wrong_secret)
    assert wrong_secret.soup.select_one("[data-track-result]") is None
    for _ in range(8):
        assert attempt(application.reference, "CCCC-CCCC-CCCC").status_code == 400
    blocked = attempt(application.reference, secret)  # the 11th: even the right secret waits
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert "wait" in blocked.get_data(as_text=True)


def test_a_guest_cannot_sign_in(client, factories, guest_service, app):
    from portal.domain.identity import authentication
    from portal.domain.identity.authentication import Outcome
    from portal.domain.identity.contacts import Contact
    from portal.domain.identity.passwords import verify_password

    enrol(client, factories)
    start_as_guest(client)
    guest = guest_of(client)
    assert not verify_password(guest.password_hash, "")
    assert not verify_password(guest.password_hash, UNUSABLE_HASH)
    # Even a guest row given a contact and a real hash by mistake is refused.
    from portal.domain.identity.passwords import hash_password

    guest.phone, guest.password_hash = "+85512999111", hash_password("correct horse battery")
    db.session.flush()
    result = authentication.check_password(Contact("phone", "+85512999111"), "correct horse battery")
    assert result.outcome is Outcome.FAILED


# --- the loader ------------------------------------------------------------------------------------

def test_the_loader_checks_without_account(app, services):
    with pytest.raises(DefinitionError, match=r"service.yaml: without_account: expected true or false"):
        edit_service(app, services.root, SLUG, lambda data: data.update(without_account="yes"))
        _reload(app)
    with pytest.raises(DefinitionError, match=r"service.yaml: without_account: only a service for citizens"):
        edit_service(app, services.root, SLUG,
                     lambda data: data.update(without_account=True, audience=["business"]))
        _reload(app)


def _reload(app):
    from portal.domain.catalogue import get_catalogue

    return get_catalogue()


def test_track_serves_the_issued_documents_only_to_the_session_that_gave_the_secret(
        client, factories, guest_service, app):
    from portal.data import documents as document_data

    application, secret = submitted_by_a_guest(client, factories, app)
    journey.run_jobs(app)  # the receipt is rendered by a job
    db.session.expire_all()
    issued = document_data.for_application(application.id)
    assert issued, "the submission receipt is issued for the application"
    phone, stranger = app.test_client(), app.test_client()
    url = f"/track/documents/{issued[0].public_id}"
    assert phone.get(url).status_code == 404  # before the secret
    page = phone.get("/track?lang=en")
    token = page.soup.select_one("input[name=csrf_token]")["value"]
    shown = phone.post("/track?lang=en", data={"csrf_token": token, "reference": application.reference,
                                               "secret": secret})
    assert shown.soup.select_one(f"main a[href='{url}']") is not None
    download = phone.get(url)
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert stranger.get(url).status_code == 404


@pytest.mark.parametrize("reference", ["RC-\x00", "' OR 1=1 --", "x" * 200, "ឡ" * 10])
def test_track_answers_strange_references_with_the_same_400(client, reference):
    page = client.get("/track?lang=en")
    token = page.soup.select_one("input[name=csrf_token]")["value"]
    client.expected_lang = "en"
    answer = client.post("/track?lang=en", data={"csrf_token": token, "reference": reference,
                                                 "secret": "AAAA-AAAA-AAAA\x00"})
    assert answer.status_code == 400
    assert client.get("/track/documents/%00").status_code == 404


# --- a guest's draft continued on a phone -------------------------------------------------------------

def test_a_guest_moves_the_draft_to_a_phone_and_submits_there_with_its_tracking_secret(
        client, factories, guest_service, app, made):
    # The guest's guard (keyed on is_guest, whatever started the session) lets the kiosk make the link and
    # the phone's guest session open, fill and submit its own draft; the kiosk's session ends.
    enrol(client, factories)
    first_step = start_as_guest(client)
    application = journey.application_for(first_step)
    secret, _shown = make_link(client, application, made)

    phone = app.test_client()
    phone.expected_lang = None
    confirm = phone.get(f"/continue/{secret}")
    assert confirm.status_code == 200
    moved = phone.submit(confirm, selector="main form")
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/applications/{application.public_id}")
    assert client.get(first_step).status_code in (302, 404)  # the kiosk's session is gone

    url, response = fill_and_submit(phone, first_step)
    assert response.status_code == 302
    db.session.expire_all()
    submitted = journey.application_for(url)
    assert submitted.reference and submitted.tracking_digest
    shown = phone.get(url).soup.select_one("[data-tracking-secret]").get_text(strip=True)
    assert guests.tracked(submitted.reference, shown, app.config["SECRET_KEY"]).id == submitted.id
    assert phone.get("/profile").status_code == 404  # still a guest: only its own application's pages
