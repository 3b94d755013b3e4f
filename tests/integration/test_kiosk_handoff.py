""""Continue on my phone" (issue 14, portal/web/kiosk/handoff.py): a kiosk shows a QR code of a short-lived,
single-use link; the draft's owner opens it on their phone, confirms, and the draft is there while the kiosk's
session ends server-side. Made, redeemed, expired, cancelled, reused; the wrong person; a guest's draft; two
redemptions at once; not off a kiosk, not while an operator assists, not someone else's draft."""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select, text

from portal.data import applications as application_data
from portal.data.db import db, utcnow
from portal.data.models import (
    Application,
    AuditEntry,
    Centre,
    HandoffLink,
    Kiosk,
    Person,
    ServiceVersion,
    WebSession,
)
from portal.domain import audit, handoff, links
from portal.domain.applications import journey as journeys
from portal.domain.applications import versions
from portal.domain.catalogue import get_catalogue
from portal.payments import khqr_image
from portal.web.security.sessions import digest
from tests import factories as factory_functions
from tests import journey
from tests.audit_log import tampering
from tests.integration import test_assisted_service as assisted_tests
from tests.integration.test_application_lifecycle import SLUG, STALL
from tests.integration.test_kiosks import enrolled
from tests.service_roots import edit_service
from tests.sessions import session_is_stored, sign_in_as

SECRET_SHAPE = 43
# The assisted-service tests' fixtures: a copy of the fixture services, a citizen (English), an operator signed in
# on an enrolled kiosk (the client).
services, citizen, operator = assisted_tests.services, assisted_tests.citizen, assisted_tests.operator
start_session, consent_by_code = assisted_tests.start_session, assisted_tests.consent_by_code


@pytest.fixture
def made(monkeypatch):
    """The secrets of the links made (the page shows them only as a QR code, compared below)."""
    found: list[str] = []
    real = handoff.secrets.token_urlsafe

    def token_urlsafe(n):
        value = real(n)
        found.append(value)
        return value

    monkeypatch.setattr(handoff, "secrets", SimpleNamespace(token_urlsafe=token_urlsafe))
    return found


def draft_on_kiosk(client, factories, person):
    """An enrolled kiosk (the client), `person` signed in there, a draft of theirs with the stall step answered."""
    enrolled(client, factories)
    sign_in_as(client, person)
    client.expected_lang = None
    first = journey.start(client, SLUG)
    application = journey.application_for(first)
    step = client.get(f"/applications/{application.public_id}/steps/stall")
    assert step.status_code == 200
    saved = client.submit(step, {**STALL, "save_draft": "1"}, selector="main form[enctype]")
    assert saved.status_code == 302
    return application


def make_link(client, application, made):
    page = client.get(f"/applications/{application.public_id}")
    assert page.soup.select_one("main form.handoff-offer") is not None
    shown = client.submit(page, selector="main form.handoff-offer")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    secret = made[-1]
    with client.application.app_context():
        url = links.external_url("handoff.confirm", secret=secret)
    assert url.endswith(f"/continue/{secret}") and len(secret) == SECRET_SHAPE
    # The QR code is of exactly that link.
    assert shown.soup.select_one("img.handoff-qr")["src"] == khqr_image.svg_data_uri(url)
    assert secret not in shown.get_data(as_text=True)
    return secret, shown


def the_link(secret: str) -> HandoffLink:
    db.session.expire_all()
    return db.session.scalar(select(HandoffLink).where(HandoffLink.token_digest == handoff.digest(secret)))


def kiosk_session_id(client) -> str:
    return client.get_cookie("session").value


def handoff_entries() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == audit.KIOSK_HANDOFF)
                                   .order_by(AuditEntry.seq)))


def phone_of(app, person=None):
    phone = app.test_client()
    phone.expected_lang = None
    if person is not None:
        sign_in_as(phone, person)
    return phone


def status_of(client, shown) -> str:
    response = client.get(shown.soup.select_one("[data-handoff-status]")["data-handoff-status"])
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    return response.get_json()["state"]


def test_the_draft_moves_to_the_owners_phone_and_the_kiosk_session_ends(app, client, factories, services, citizen,
                                                                          made):
    application = draft_on_kiosk(client, factories, citizen)
    for page in ("", "/steps/stall", "/review"):  # offered on the draft's pages
        shown = client.get(f"/applications/{application.public_id}{page}")
        assert shown.soup.select_one(f"main form.handoff-offer[action='/kiosk/applications/{application.public_id}"
                                     "/handoff'] button") is not None, page
    sid = kiosk_session_id(client)
    secret, shown = make_link(client, application, made)
    link = the_link(secret)
    assert link.application_id == application.id and link.person_id == citizen.id
    assert link.kiosk_session_digest == digest(sid) and link.used_at is None
    assert timedelta(minutes=9) < link.expires_at - utcnow() <= timedelta(minutes=10)
    assert status_of(client, shown) == "open"

    phone = phone_of(app)
    url = f"/continue/{secret}"
    first = phone.get(url)  # not signed in: sign in first, then back here
    assert first.status_code == 302
    assert first.headers["Location"].startswith("/sign-in?next=") and "continue" in first.headers["Location"]
    sign_in_as(phone, citizen)
    page = phone.get(url)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert page.soup.select_one("main form button") is not None
    assert the_link(secret).used_at is None  # GET (a link previewer) uses nothing
    assert session_is_stored(sid)

    used = phone.submit(page)
    assert used.status_code == 303 and used.headers["Location"].endswith(f"/applications/{application.public_id}")
    assert the_link(secret).used_at is not None
    assert not session_is_stored(sid)  # the kiosk's session ended server-side at once
    answer = phone.get(f"/applications/{application.public_id}/steps/stall")
    assert answer.soup.select_one("input[name=stall_number]")["value"] == STALL["stall_number"]

    # The kiosk: signed out, its page learns the link was used, and finishing clears the dead cookie.
    assert status_of(client, shown) == "used"
    assert client.get(f"/applications/{application.public_id}").status_code == 302
    finished = client.post("/kiosk/finish", headers={"Sec-Fetch-Site": "same-origin"})
    assert finished.status_code == 303 and client.get_cookie("session") is None

    made_entry, used_entry = handoff_entries()
    assert made_entry.details["change"] == "link_made" and used_entry.details["change"] == "link_used"
    assert used_entry.actor_id == citizen.id and used_entry.application_id == application.id
    assert all(secret not in str(e.details) and handoff.digest(secret) not in str(e.details)
               for e in (made_entry, used_entry))

    # Used once: never again.
    for method in ("get", "post"):
        again = getattr(phone, method)(url, data={"csrf_token": phone.csrf_token()} if method == "post" else None)
        assert again.status_code == 410


@pytest.mark.parametrize("case", ["expired", "cancelled", "unknown", "malformed"])
def test_an_expired_cancelled_or_unknown_link_is_gone_in_the_persons_language(app, client, factories, services,
                                                                              citizen, made, case):
    application = draft_on_kiosk(client, factories, citizen)
    secret, shown = make_link(client, application, made)
    if case == "expired":
        link = the_link(secret)
        link.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    elif case == "cancelled":
        cancelled = client.submit(shown, selector="main form[action$='/cancel']")
        assert cancelled.status_code == 303
        assert cancelled.headers["Location"].endswith(f"/applications/{application.public_id}")
        assert the_link(secret).cancelled_at is not None
        assert status_of(client, shown) == "cancelled"
        assert session_is_stored(kiosk_session_id(client))  # cancelling keeps the person at the kiosk
    elif case == "unknown":
        secret = "A" * SECRET_SHAPE
    else:
        secret = "not-a-secret"
    phone = phone_of(app)  # a phone nobody signed in on: Khmer, the default
    page = phone.get(f"/continue/{secret}")
    assert page.status_code == 410 and page.soup.html["lang"] == "km"
    assert "តំណភ្ជាប់នេះប្រើមិនបានទេ" in page.soup.select_one("main").get_text()
    english = phone_of(app, citizen)  # the citizen chose English
    page = english.get(f"/continue/{secret}")
    assert page.status_code == 410 and page.soup.html["lang"] == "en"
    assert "This link does not work" in page.soup.select_one("main").get_text()
    if case in ("expired", "cancelled"):
        assert the_link(secret).used_at is None


def test_a_new_link_cancels_the_drafts_earlier_one(client, factories, services, citizen, made):
    application = draft_on_kiosk(client, factories, citizen)
    first, _ = make_link(client, application, made)
    second, _ = make_link(client, application, made)
    assert the_link(first).cancelled_at is not None and the_link(second).cancelled_at is None


@pytest.fixture
def guests_allowed(app, services):
    """The fixture service says `without_account: true` (a guest may open only such services' pages)."""
    edit_service(app, services, SLUG, lambda data: data.update(without_account=True))


@pytest.mark.usefixtures("guests_allowed")
def test_finishing_at_the_kiosk_cancels_a_guests_link_and_keeps_an_account_holders(app, client, factories, services,
                                                                                    citizen, made):
    guest = guest_person()
    guests = draft_on_kiosk(client, factories, guest)
    guest_secret, _shown = make_link(client, guests, made)
    assert client.post("/kiosk/finish", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 303
    assert the_link(guest_secret).cancelled_at is not None
    assert phone_of(app).get(f"/continue/{guest_secret}").status_code == 410

    sign_in_as(client, citizen)
    first = journey.start(client, SLUG)
    application = journey.application_for(first)
    secret, _shown = make_link(client, application, made)
    kiosk_sid = kiosk_session_id(client)
    assert client.post("/kiosk/finish", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 303
    # Still signing in on the phone while the kiosk cleared itself: the link still works, for the owner only.
    assert the_link(secret).cancelled_at is None and not session_is_stored(kiosk_sid)
    phone = phone_of(app, citizen)
    assert phone.submit(phone.get(f"/continue/{secret}")).status_code == 303


def test_someone_else_signed_in_on_the_phone_is_refused_and_the_link_stays(app, client, factories, services, citizen,
                                                                          made):
    application = draft_on_kiosk(client, factories, citizen)
    secret, _shown = make_link(client, application, made)
    phone = phone_of(app, factories.person(locale="en"))
    phone.get("/?lang=en")
    page = phone.get(f"/continue/{secret}")
    assert page.status_code == 403 and "This application is not yours" in page.get_data(as_text=True)
    posted = phone.post(f"/continue/{secret}", data={"csrf_token": phone.csrf_token()})
    assert posted.status_code == 403
    assert the_link(secret).used_at is None and session_is_stored(kiosk_session_id(client))


def test_a_post_without_the_csrf_token_uses_nothing(app, client, factories, services, citizen, made):
    application = draft_on_kiosk(client, factories, citizen)
    secret, _shown = make_link(client, application, made)
    phone = phone_of(app, citizen)
    assert phone.post(f"/continue/{secret}").status_code == 400
    assert the_link(secret).used_at is None


def guest_person():
    person = Person(password_hash="!", is_guest=True, locale="km")
    db.session.add(person)
    db.session.commit()
    return person


@pytest.mark.usefixtures("guests_allowed")
def test_a_guests_draft_signs_the_phone_in_as_the_guest(app, client, factories, services, made):
    guest = guest_person()
    application = draft_on_kiosk(client, factories, guest)
    secret, _shown = make_link(client, application, made)
    someone = phone_of(app, factories.person())
    assert someone.get(f"/continue/{secret}").status_code == 403  # signed in with an account: sign out first
    phone = phone_of(app)
    page = phone.get(f"/continue/{secret}")  # no sign-in: a guest has no password
    assert page.status_code == 200
    used = phone.submit(page)
    assert used.status_code == 303 and the_link(secret).used_at is not None
    draft = phone.get(used.headers["Location"])
    assert draft.status_code == 200
    with phone.session_transaction() as session:
        assert session["_user_id"] == guest.public_id
    assert not session_is_stored(kiosk_session_id(client))
    [_made, used_entry] = handoff_entries()
    assert used_entry.actor_role == "guest" and used_entry.actor_id == guest.id


def test_not_offered_off_a_kiosk(client, factories, services, citizen):
    sign_in_as(client, citizen)
    client.expected_lang = None
    application = journey.application_for(journey.start(client, SLUG))
    page = client.get(f"/applications/{application.public_id}")
    assert page.soup.select_one("form.handoff-offer") is None
    posted = client.post(f"/kiosk/applications/{application.public_id}/handoff",
                         data={"csrf_token": client.csrf_token()})
    assert posted.status_code == 404
    assert db.session.scalar(select(HandoffLink)) is None


def test_not_for_someone_elses_draft(client, factories, services, citizen):
    enrolled(client, factories)
    other = factories.person()
    theirs = journeys.start(get_catalogue().get(SLUG), other, None)
    db.session.commit()
    sign_in_as(client, citizen)
    client.expected_lang = None
    posted = client.post(f"/kiosk/applications/{theirs.public_id}/handoff", data={"csrf_token": client.csrf_token()})
    assert posted.status_code == 404
    assert db.session.scalar(select(HandoffLink)) is None


def test_not_while_an_operator_assists(app, client, services, operator, citizen):
    start_session(client)
    consent_by_code(app, client, client.get("/kiosk/assist/consent"))
    application = journey.application_for(journey.start(client, SLUG))
    page = client.get(f"/applications/{application.public_id}")
    assert page.status_code == 200 and page.soup.select_one("form.handoff-offer") is None
    posted = client.post(f"/kiosk/applications/{application.public_id}/handoff",
                         data={"csrf_token": client.csrf_token()})
    assert posted.status_code == 404
    assert db.session.scalar(select(HandoffLink)) is None


def test_the_link_is_refused_on_a_kiosk(app, client, factories, services, citizen, made):
    application = draft_on_kiosk(client, factories, citizen)
    secret, _shown = make_link(client, application, made)
    other_kiosk = phone_of(app)
    enrolled_elsewhere = other_kiosk.get("/kiosk/enrol/x")  # not a kiosk yet
    assert enrolled_elsewhere.status_code == 410
    # The same kiosk (its device cookie) opening the link: refused, and nothing used.
    page = client.get(f"/continue/{secret}")
    assert page.status_code == 403
    assert the_link(secret).used_at is None


def test_status_and_cancel_answer_only_the_kiosk_session_that_made_the_link(app, client, factories, services, citizen,
                                                                            made):
    application = draft_on_kiosk(client, factories, citizen)
    secret, shown = make_link(client, application, made)
    status_url = shown.soup.select_one("[data-handoff-status]")["data-handoff-status"]
    phone = phone_of(app, citizen)
    assert phone.get(status_url).status_code == 404  # not the kiosk
    cancel_url = shown.soup.select_one("main form[action$='/cancel']")["action"]
    assert phone.post(cancel_url, data={"csrf_token": phone.csrf_token()}).status_code == 404
    assert the_link(secret).cancelled_at is None


# --- two redemptions at once --------------------------------------------------------------------


@pytest.mark.no_db_transaction
def test_of_two_redemptions_at_once_exactly_one_wins(app):
    """Committed rows (each thread has its own connection): everything made here is deleted at the end."""
    from tests.integration.test_insert_races import engine_for_threads

    with engine_for_threads(app, threads=2, sqlite_write_lock_first=True) as _engine:
        person = factory_functions.person(locale="en")
        centre = Centre(slug="race-centre", name_km="មជ្ឈមណ្ឌល", name_en="Race centre", kind="tech_center",
                        province_code="02", district_code="0201", commune_code="020101")
        kiosk = Kiosk(centre=centre, name="Race kiosk", printer_kind="a4", province_code="02",
                      district_code="0201", commune_code="020101")
        db.session.add_all([centre, kiosk])
        db.session.flush()
        versions_before = set(db.session.scalars(select(ServiceVersion.id)))
        service = get_catalogue().get("residence-certificate")
        application = application_data.create(service_version_id=versions.pin(service).id, service_slug=service.slug,
                                              applicant_person_id=person.id)
        sid_digest = "d" * 64
        db.session.add(WebSession(id_digest=sid_digest, data="{}", expires_at=utcnow() + timedelta(hours=1)))
        link, secret = handoff.make(application, person, kiosk, sid_digest)
        db.session.commit()
        ids = SimpleNamespace(person=person.id, centre=centre.id, kiosk=kiosk.id, application=application.id,
                              link=link.id)
        db.session.remove()

        start = threading.Barrier(2, timeout=30)
        outcomes: list[str] = []

        def redeem() -> None:
            with app.app_context():
                try:
                    found = handoff.usable(secret)  # both find it open...
                    owner = handoff.owner(found)
                    # ... and end that read (SQLite's writers hold the lock from their first statement).
                    db.session.rollback()
                    start.wait()
                    handoff.redeem(found, owner)
                    db.session.commit()
                    outcomes.append("won")
                except handoff.NotUsable:
                    db.session.rollback()
                    outcomes.append("lost")
                except BaseException as error:  # noqa: BLE001 - reported below
                    db.session.rollback()
                    outcomes.append(repr(error))

        threads = [threading.Thread(target=redeem) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert sorted(outcomes) == ["lost", "won"], outcomes
            assert db.session.get(HandoffLink, ids.link).used_at is not None
            assert db.session.get(WebSession, sid_digest) is None
            used = db.session.scalars(select(AuditEntry).where(AuditEntry.action == audit.KIOSK_HANDOFF,
                                                               AuditEntry.subject_id == link.public_id)).all()
            assert sorted(e.details["change"] for e in used) == ["link_made", "link_used"]
        finally:
            db.session.rollback()
            db.session.execute(delete(HandoffLink).where(HandoffLink.id == ids.link))
            db.session.execute(delete(WebSession).where(WebSession.id_digest == sid_digest))
            db.session.execute(delete(Application).where(Application.id == ids.application))
            db.session.execute(delete(Kiosk).where(Kiosk.id == ids.kiosk))
            db.session.execute(delete(Centre).where(Centre.id == ids.centre))
            db.session.execute(delete(ServiceVersion).where(ServiceVersion.id.not_in(versions_before)))
            with tampering():
                db.session.execute(text("DELETE FROM audit_entries WHERE action = :a"), {"a": audit.KIOSK_HANDOFF})
            db.session.execute(delete(Person).where(Person.id == ids.person))
            db.session.commit()


def test_the_pages_status_check_moves_no_idle_clock(client, factories, services, citizen, made):
    application = draft_on_kiosk(client, factories, citizen)
    _secret, shown = make_link(client, application, made)
    with client.session_transaction() as session:
        session["_kiosk_seen"] -= 40
        session["_seen"] -= 100
        before = session["_kiosk_seen"], session["_seen"]
    assert status_of(client, shown) == "open"
    with client.session_transaction() as session:
        assert (session["_kiosk_seen"], session["_seen"]) == before
    client.get(f"/applications/{application.public_id}")  # a page the person asks for does move them
    with client.session_transaction() as session:
        assert session["_kiosk_seen"] > before[0] and session["_seen"] > before[1]
