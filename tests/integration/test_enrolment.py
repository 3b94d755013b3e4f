"""Staff and administrators set up their own password and authenticator app with a one-time enrolment
link sent to their email: the administrator who created the account never sees either."""

from __future__ import annotations

import base64
import shutil
import time
from datetime import timedelta

import pyotp
import pytest

from portal.data import people
from portal.data.db import db, utcnow
from portal.domain import staff_accounts
from portal.domain.identity import enrolment, totp
from portal.domain.identity.passwords import verify_password
from tests.messages import emails_to, link_in, run_jobs
from tests.sessions import sign_in_as

PASSWORD = "ផ្កាឈូក-lotus-pond-7"
EMAIL = "vanna.keo@moc.gov.kh"


@pytest.fixture(autouse=True)
def _empty_mail(settings):
    shutil.rmtree(settings.instance_path / "mail", ignore_errors=True)


@pytest.fixture
def new_clerk():
    """A clerk as an administrator creates one: no credentials, an enrolment link on its way."""
    person = staff_accounts.create_staff(email=EMAIL, name_km="កែវ វណ្ណា", name_latin="Keo Vanna",
                                         roles=[("moc", "clerk")])
    person.locale = "en"
    db.session.commit()
    return person


def emailed_link(app, settings) -> str:
    run_jobs(app)
    [message] = emails_to(settings.instance_path, EMAIL)
    assert message["Subject"] == "Set up your One Window staff account"
    return link_in(message, "/enrol/link#")


def post_link(client, link: str):
    """What a browser does with the link: it asks for the page without the part after '#' (browsers
    never send it), then the page's script posts that part."""
    url, _, token = link.partition("#")
    page = client.get(url.removeprefix("http://portal.test"))
    return client.submit(page, {"link": token}) if page.status_code == 200 else page


def open_link(client, link: str):
    response = post_link(client, link)
    assert response.status_code == 303 and response.headers["Location"] == "/enrol", response.status_code
    return response


def choose_password(client, password: str = PASSWORD):
    return client.submit(client.get("/enrol"), {"password": password, "confirm": password})


def shown_secret(page) -> str:
    return page.soup.select_one("code.secret").get_text().replace(" ", "")


def finish(client, code: str | None = None):
    page = client.get("/enrol/authenticator")
    assert page.status_code == 200
    return client.submit(page, {"code": code or pyotp.TOTP(shown_secret(page)).now()})


def is_signed_in(client) -> bool:
    return client.get("/").soup.select_one("form[action='/sign-out']") is not None


class TestEnrolling:
    def test_the_staff_member_sets_their_own_password_and_authenticator_and_is_signed_in(
            self, app, en, settings, new_clerk):
        path = emailed_link(app, settings)
        opened = open_link(en, path)
        assert opened.headers["Cache-Control"] == "no-store" and opened.headers["Referrer-Policy"] == "no-referrer"

        page = en.get("/enrol")
        assert EMAIL in page.get_data(as_text=True)
        assert [i["autocomplete"] for i in page.soup.select("main form input[type=password]")] == \
            ["new-password", "new-password"]
        chosen = choose_password(en)
        assert chosen.status_code == 302 and chosen.headers["Location"] == "/enrol/authenticator"
        assert new_clerk.password_hash == "!"  # nothing is written until the app is confirmed too

        setup = en.get("/enrol/authenticator")
        assert setup.headers["Cache-Control"] == "no-store" and setup.headers["Referrer-Policy"] == "no-referrer"
        src = setup.soup.select_one(".qr-code img")["src"]
        assert src.startswith("data:image/svg+xml;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"<svg")
        secret = shown_secret(setup)
        done = en.submit(setup, {"code": pyotp.TOTP(secret).now()})
        assert done.status_code == 302 and done.headers["Location"] == "/staff/queue"
        assert is_signed_in(en)

        assert verify_password(new_clerk.password_hash, PASSWORD)
        assert totp.secret_of(new_clerk) == secret
        assert secret not in new_clerk.totp_secret_sealed
        assert not enrolment.is_pending(new_clerk) and new_clerk.enrolment_nonce is None

    def test_the_link_works_only_once(self, app, en, settings, new_clerk):
        path = emailed_link(app, settings)
        open_link(en, path)
        choose_password(en)
        finish(en)
        en.delete_cookie("session")
        again = post_link(en, path)
        assert again.status_code == 400
        assert "This enrolment link does not work" in again.get_data(as_text=True)
        assert again.headers["Referrer-Policy"] == "no-referrer"

    def test_the_account_then_signs_in_with_the_chosen_password_and_the_app(self, app, en, settings, new_clerk):
        open_link(en, emailed_link(app, settings))
        choose_password(en)
        finish(en)
        en.delete_cookie("session")
        response = en.submit(en.get("/sign-in"), {"contact": EMAIL, "password": PASSWORD})
        assert response.headers["Location"] == "/sign-in/code"
        # The code typed to set the app up was used; the app's next code signs in.
        code = pyotp.TOTP(totp.secret_of(new_clerk)).at(time.time() + 30)
        assert en.submit(en.get("/sign-in/code"), {"code": code}).status_code == 302
        assert is_signed_in(en)

    def test_the_token_travels_only_after_the_hash_and_in_a_post(self, app, en, settings, new_clerk):
        link = emailed_link(app, settings)
        url, _, token = link.partition("#")
        assert url == "http://portal.test/enrol/link" and len(token) > 40
        assert open_link(en, link).headers["Location"] == "/enrol"
        for page in (en.get("/enrol"), en.get("/enrol/authenticator")):
            assert token not in page.get_data(as_text=True)

    def test_a_link_expires_after_72_hours(self, app, en, settings, new_clerk):
        path = emailed_link(app, settings)
        assert timedelta(hours=71) < new_clerk.enrolment_expires_at - utcnow() <= timedelta(hours=72)
        new_clerk.enrolment_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        response = post_link(en, path)
        assert response.status_code == 400
        assert "has expired" in response.get_data(as_text=True)

    def test_an_enrolment_that_expires_while_the_person_is_at_it_cannot_finish(self, app, en, settings, new_clerk):
        open_link(en, emailed_link(app, settings))
        choose_password(en)
        page = en.get("/enrol/authenticator")
        new_clerk.enrolment_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        response = en.submit(page, {"code": pyotp.TOTP(shown_secret(page)).now()})
        assert response.status_code == 400
        assert new_clerk.password_hash == "!" and not new_clerk.has_authenticator

    def test_a_new_link_ends_an_enrolment_begun_with_the_old_one(self, app, en, settings, new_clerk):
        open_link(en, emailed_link(app, settings))
        page = en.get("/enrol")
        enrolment.send_link(new_clerk)  # the administrator sends a new link meanwhile
        db.session.commit()
        assert en.submit(page, {"password": PASSWORD, "confirm": PASSWORD}).status_code == 400
        assert en.get("/enrol").status_code == 400
        assert new_clerk.password_hash == "!"

    def test_two_tabs_with_the_same_link_cannot_both_finish(self, app, client, settings, new_clerk):
        path = emailed_link(app, settings)
        first, second = client, app.test_client()
        pages = []
        for tab in (first, second):
            open_link(tab, path)
            choose_password(tab)
            pages.append(tab.get("/enrol/authenticator"))
        assert first.submit(pages[0], {"code": pyotp.TOTP(shown_secret(pages[0])).now()}).status_code == 302
        late = second.submit(pages[1], {"code": pyotp.TOTP(shown_secret(pages[1])).now()})
        assert late.status_code == 400
        assert totp.secret_of(new_clerk) == shown_secret(pages[0])

    def test_a_wrong_code_sets_nothing_and_keeps_the_same_qr_code(self, app, en, settings, new_clerk):
        open_link(en, emailed_link(app, settings))
        choose_password(en)
        page = en.get("/enrol/authenticator")
        wrong = f"{(int(pyotp.TOTP(shown_secret(page)).now()) + 500_000) % 1_000_000:06d}"
        response = en.submit(page, {"code": wrong})
        assert response.status_code == 400
        assert "That code is not right" in response.get_data(as_text=True)
        assert shown_secret(response) == shown_secret(page)
        assert not new_clerk.has_authenticator and not is_signed_in(en)

    def test_a_password_that_breaks_the_policy_is_refused(self, app, en, settings, new_clerk):
        open_link(en, emailed_link(app, settings))
        response = choose_password(en, "password1")
        assert response.status_code == 400
        assert "too common" in response.get_data(as_text=True)
        assert en.get("/enrol/authenticator").headers["Location"] == "/enrol"

    @pytest.mark.parametrize("token", ["forged", "x" * 600, "eyJwIjoiYWJjIn0.abc.def"])
    def test_a_forged_link_does_not_work(self, en, new_clerk, token):
        assert post_link(en, f"http://portal.test/enrol/link#{token}").status_code == 400

    def test_the_pages_without_an_opened_link_say_the_link_does_not_work(self, en):
        for path in ("/enrol", "/enrol/authenticator"):
            response = en.get(path)
            assert response.status_code == 400
            assert "This enrolment link does not work" in response.get_data(as_text=True)

    def test_someone_signed_in_is_asked_to_sign_out_first(self, app, en, settings, factories, new_clerk):
        path = emailed_link(app, settings)
        sign_in_as(en, factories.person(locale="en"))
        response = post_link(en, path)
        assert response.status_code == 409
        assert "Sign out to use this enrolment link" in response.get_data(as_text=True)
        assert enrolment.is_pending(new_clerk)

    def test_a_deactivated_account_cannot_enrol(self, app, en, settings, new_clerk):
        path = emailed_link(app, settings)
        new_clerk.is_active = False
        db.session.commit()
        assert post_link(en, path).status_code == 400


class TestTheEmail:
    def test_goes_out_in_the_staff_member_s_language_khmer_by_default(self, app, settings):
        staff_accounts.create_staff(email=EMAIL, name_km="កែវ វណ្ណា", name_latin="Keo Vanna", roles=[("moc", "clerk")])
        db.session.commit()
        run_jobs(app)
        [message] = emails_to(settings.instance_path, EMAIL)
        assert message["Content-Language"] == "km"
        assert "/enrol/link#" in message.get_body(("plain",)).get_content()

    def test_the_mail_log_names_the_file_but_not_the_address_or_link(self, app, new_clerk, caplog):
        with caplog.at_level("INFO", logger="portal"):
            run_jobs(app)
        logged = " ".join(record.getMessage() for record in caplog.records if record.name.startswith("portal"))
        assert ".eml" in logged
        assert EMAIL not in logged and "/enrol/" not in logged

    def test_no_email_goes_out_once_the_enrolment_is_over(self, app, settings, new_clerk):
        people.claim_enrolment(new_clerk, new_clerk.enrolment_nonce)
        db.session.commit()
        run_jobs(app)
        assert emails_to(settings.instance_path, EMAIL) == []
