"""Changing the password or the authenticator app ends the person's other sessions (and a half-finished
sign-in) and tells them; a signed-in person can change their password, staff can replace their app."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select

from portal.data import notifications
from portal.data.db import db
from portal.data.models import AuditEntry
from portal.domain import staff_accounts
from portal.domain.identity import totp
from portal.domain.identity.password_reset import make_token
from portal.domain.identity.passwords import verify_password
from tests.client import PortalClient
from tests.factories import PASSWORD, totp_for
from tests.sessions import sign_in_as, sign_in_through_form

NEW_PASSWORD = "ទឹកដោះគោ-milk-tea-7"


@pytest.fixture
def make_client(app):
    """Another browser: each has its own session cookie."""
    app.test_client_class = PortalClient

    def make():
        browser = app.test_client()
        browser.expected_lang = "en"
        browser.get("/?lang=en")
        return browser
    return make


def is_signed_in(client) -> bool:
    return client.get("/").soup.select_one("form[action='/sign-out']") is not None


def sign_in_staff(client, member, code_at: float | None = None):
    """Through the form, password then code, as the staff member would; returns the code's response."""
    client.delete_cookie("session")
    response = client.submit(client.get("/sign-in"), {"contact": member.email, "password": PASSWORD})
    assert response.headers["Location"] == "/sign-in/code"
    code = totp_for(member).at(code_at or time.time())
    return client.submit(client.get("/sign-in/code"), {"code": code})


def reset_password(client, app, person, password: str = NEW_PASSWORD):
    opened = client.submit(client.get("/password/reset"), {"link": make_token(app.config["SECRET_KEY"], person)})
    assert opened.headers["Location"] == "/password/new"
    response = client.submit(client.get("/password/new"), {"password": password, "confirm": password})
    assert response.status_code == 302, response.status_code
    return response


def change_password(client, current: str = PASSWORD, new: str = NEW_PASSWORD):
    return client.submit(client.get("/account/password"), {"current": current, "password": new, "confirm": new})


def signed_out_for_a_change(client) -> bool:
    response = client.get("/account")
    if response.status_code != 302 or not response.headers["Location"].startswith("/sign-in"):
        return False
    return "because the password or authenticator app of your account was changed" in \
        client.get("/sign-in").get_data(as_text=True)


def account_changes(person) -> list[dict]:
    db.session.expire_all()
    return [e.details for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "account_change", AuditEntry.subject_id == person.public_id)
        .order_by(AuditEntry.seq))]


def told(person) -> list[str]:
    return [n.message for n in notifications.inbox(person.id)]


class TestAResetEndsOtherSessions:
    def test_a_reset_signs_out_a_session_open_in_another_browser(self, app, make_client, factories):
        person = factories.person(email="dara@example.com", locale="en")
        elsewhere, here = make_client(), make_client()
        sign_in_through_form(elsewhere, person)
        assert is_signed_in(elsewhere)
        reset_password(here, app, person)
        assert signed_out_for_a_change(elsewhere)
        assert not is_signed_in(elsewhere) and not is_signed_in(here)
        assert "password_changed" in told(person)

    def test_a_reset_ends_a_sign_in_waiting_for_its_code(self, app, make_client, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        attacker, owner = make_client(), make_client()
        halfway = attacker.submit(attacker.get("/sign-in"), {"contact": member.email, "password": PASSWORD})
        assert halfway.headers["Location"] == "/sign-in/code"
        page = attacker.get("/sign-in/code")
        reset_password(owner, app, member)
        response = attacker.submit(page, {"code": factories.totp_for(member).now()})
        assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
        assert not is_signed_in(attacker)

    def test_a_session_from_before_an_administrator_deactivated_the_account_stays_ended_after_reactivation(
            self, client, factories):
        clerk, admin = factories.staff(locale="en"), factories.admin()
        sign_in_as(client, clerk)
        staff_accounts.deactivate(clerk, by=admin)
        staff_accounts.reactivate(clerk)
        db.session.commit()
        assert not is_signed_in(client)


class TestChangingThePassword:
    def test_the_change_keeps_this_session_and_ends_the_others(self, make_client, factories):
        person = factories.person(email="dara@example.com", locale="en")
        here, elsewhere = make_client(), make_client()
        sign_in_through_form(here, person)
        sign_in_through_form(elsewhere, person)
        before = here.get_cookie("session").value
        response = change_password(here)
        assert response.status_code == 302 and response.headers["Location"] == "/account"
        assert "Your password was changed" in here.get("/account").get_data(as_text=True)
        assert is_signed_in(here)
        assert here.get_cookie("session").value != before  # a new session id after the change
        assert signed_out_for_a_change(elsewhere)
        assert verify_password(person.password_hash, NEW_PASSWORD)

    def test_the_person_is_told_and_the_change_is_audited_by_ids_only(self, make_client, factories):
        person = factories.person(email="dara@example.com", locale="en")
        here = make_client()
        sign_in_through_form(here, person)
        change_password(here)
        assert told(person) == ["password_changed"]
        assert account_changes(person) == [{"change": "password_changed"}]

    def test_the_page_links_from_my_account_and_uses_the_right_autocomplete_hints(self, client, factories):
        sign_in_as(client, factories.person(locale="en"))
        client.expected_lang = "en"
        assert client.get("/account").soup.select_one("a[href='/account/password']") is not None
        page = client.get("/account/password")
        assert [i["autocomplete"] for i in page.soup.select("main form input[type=password]")] == \
            ["current-password", "new-password", "new-password"]

    @pytest.mark.parametrize(("current", "new", "confirm", "message"), [
        ("a wrong password", NEW_PASSWORD, NEW_PASSWORD, "That is not your current password"),
        ("", NEW_PASSWORD, NEW_PASSWORD, "Enter your current password"),
        (PASSWORD, "password1", "password1", "too common"),
        (PASSWORD, "ab3$", "ab3$", "at least 8 characters"),
        (PASSWORD, NEW_PASSWORD, "🙂", "The passwords do not match"),
    ])
    def test_a_wrong_current_password_or_a_bad_new_one_changes_nothing(self, client, factories, current, new,
                                                                       confirm, message):
        person = factories.person(locale="en")
        sign_in_as(client, person)
        client.expected_lang = "en"
        response = client.submit(client.get("/account/password"),
                                 {"current": current, "password": new, "confirm": confirm})
        assert response.status_code == 400
        assert message in response.soup.select_one(".error-summary").get_text()
        assert verify_password(person.password_hash, PASSWORD) and told(person) == []

    def test_guessing_the_current_password_is_throttled_like_signing_in(self, client, factories):
        person = factories.person(locale="en")
        sign_in_as(client, person)
        for _ in range(5):
            assert change_password(client, current="a wrong password").status_code == 400
        response = change_password(client)
        assert response.status_code == 429
        assert verify_password(person.password_hash, PASSWORD)

    def test_a_change_without_its_csrf_token_is_refused(self, client, factories):
        person = factories.person(locale="en")
        sign_in_as(client, person)
        response = client.post("/account/password",
                               data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 400
        assert verify_password(person.password_hash, PASSWORD)

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        response = client.get("/account/password")
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def replace_form(client):
    page = client.get("/account/authenticator")
    assert page.status_code == 200
    return page, page.soup.select_one("code.secret").get_text().replace(" ", "")


class TestReplacingTheAuthenticator:
    def test_staff_set_up_a_new_app_with_a_code_from_the_current_one(self, make_client, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        here, elsewhere = make_client(), make_client()
        assert sign_in_staff(here, member).status_code == 302
        assert sign_in_staff(elsewhere, member, code_at=time.time() + 30).status_code == 302
        page, new_secret = replace_form(here)
        assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
        assert page.soup.select_one(".qr-code img")["src"].startswith("data:image/svg+xml;base64,")
        old_code = factories.totp_for(member).at(time.time() - 30)  # the two sign-ins used the others
        response = here.submit(page, {"current_code": old_code, "new_code": pyotp.TOTP(new_secret).now()})
        assert response.status_code == 302 and response.headers["Location"] == "/account"
        assert is_signed_in(here)
        assert signed_out_for_a_change(elsewhere)
        assert totp.secret_of(member) == new_secret
        assert told(member) == ["authenticator_changed"]
        assert account_changes(member) == [{"change": "authenticator_replaced"}]

    def test_a_wrong_current_code_changes_nothing_and_counts_as_a_failed_sign_in(self, client, factories):
        member = factories.staff(locale="en")
        sign_in_as(client, member)
        client.expected_lang = "en"
        before = totp.secret_of(member)
        page, new_secret = replace_form(client)
        wrong = f"{(int(factories.totp_for(member).now()) + 500_000) % 1_000_000:06d}"
        response = client.submit(page, {"current_code": wrong, "new_code": pyotp.TOTP(new_secret).now()})
        assert response.status_code == 400
        assert "Enter the code your current app shows now" in response.get_data(as_text=True)
        assert totp.secret_of(member) == before

    def test_a_wrong_new_code_does_not_use_up_the_current_code(self, client, factories):
        member = factories.staff(locale="en")
        sign_in_as(client, member)
        client.expected_lang = "en"
        page, new_secret = replace_form(client)
        current = factories.totp_for(member).now()
        wrong = f"{(int(pyotp.TOTP(new_secret).now()) + 500_000) % 1_000_000:06d}"
        response = client.submit(page, {"current_code": current, "new_code": wrong})
        assert response.status_code == 400
        assert "That code is not from the new app" in response.get_data(as_text=True)
        page, same_secret = replace_form(client)
        assert same_secret == new_secret  # the same QR code while the person tries
        response = client.submit(page, {"current_code": current, "new_code": pyotp.TOTP(new_secret).now()})
        assert response.status_code == 302
        assert totp.secret_of(member) == new_secret

    def test_citizens_have_no_authenticator_page(self, client, factories):
        citizen = factories.person(locale="en")
        sign_in_as(client, citizen)
        assert client.get("/account/authenticator").status_code == 404
        assert client.get("/account").soup.select_one("a[href='/account/authenticator']") is None
