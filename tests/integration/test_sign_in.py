"""Signing in and out: the password, the TOTP step for staff, throttling and session ids."""

from __future__ import annotations

import socket
import time

import pytest

from portal.data.db import db
from portal.domain.identity.throttle import account_key, person_account_key
from portal.extensions import redis_connection
from tests.factories import PASSWORD
from tests.sessions import session_is_stored

GENERIC_FAILURE = "The details you entered do not match an account"


@pytest.fixture
def en(client):
    client.expected_lang = "en"
    client.get("/?lang=en")
    return client


def sign_in(client, contact, password=PASSWORD, path="/sign-in"):
    return client.submit(client.get(path), {"contact": contact, "password": password})


def enter_code(client, code):
    return client.submit(client.get("/sign-in/code"), {"code": code})


def is_signed_in(client) -> bool:
    return client.get("/").soup.select_one("form[action='/sign-out']") is not None


def sign_out(client):
    token = client.get("/").soup.select_one("form[action='/sign-out'] input[name=csrf_token]")["value"]
    return client.post("/sign-out", data={"csrf_token": token})


def form_errors(response) -> str:
    return " ".join(li.get_text(" ", strip=True) for li in response.soup.select(".error-summary li"))


class TestSigningIn:
    def test_a_citizen_signs_in_with_a_phone_number_and_lands_on_their_account(self, en, factories):
        person = factories.person(phone="+85512345678", locale="en")
        response = sign_in(en, "012 345 678")
        assert response.status_code == 302 and response.headers["Location"] == "/account"
        assert is_signed_in(en)
        assert person.last_sign_in_at is not None

    def test_an_email_account_signs_in_whatever_the_case_of_the_address(self, en, factories):
        factories.person(email="dara@example.com", locale="en")
        assert sign_in(en, "Dara@EXAMPLE.com").status_code == 302
        assert is_signed_in(en)

    @pytest.mark.parametrize(("contact", "password"), [
        ("012 345 678", "a wrong password"),
        ("097 000 0000", PASSWORD),  # nobody has this number
        ("nobody@example.com", PASSWORD),
    ])
    def test_an_unknown_contact_and_a_wrong_password_get_the_same_answer(self, en, factories, contact, password):
        factories.person(phone="+85512345678", locale="en")
        response = sign_in(en, contact, password)
        assert response.status_code == 400
        assert form_errors(response) == GENERIC_FAILURE
        assert not is_signed_in(en)

    @pytest.mark.parametrize(("contact", "password", "message"), [
        ("", PASSWORD, "Enter your email address or mobile phone number"),
        ("012 345 678", "", "Enter your password"),
        ("ស្រូវ", PASSWORD, "Enter an email address, like"),
        ("🙂", "🙂", "Enter an email address, like"),
        ("012 345 678", "x" * 129, "128 characters or fewer"),
        ("+1 202 555 0143", PASSWORD, "numbers from other countries cannot be used"),
    ])
    def test_bad_input_gets_a_clear_message(self, en, factories, contact, password, message):
        response = sign_in(en, contact, password)
        assert response.status_code == 400
        assert message in form_errors(response)

    def test_the_session_id_changes_at_sign_in(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        page = en.get("/sign-in")
        before = en.get_cookie("session").value
        en.submit(page, {"contact": "012345678", "password": PASSWORD})
        after = en.get_cookie("session").value
        assert after != before
        # The id from before sign-in does not carry the login.
        en.set_cookie("session", before)
        assert not is_signed_in(en)

    def test_a_form_token_from_before_sign_in_does_not_work_after_it(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        page = en.get("/sign-in")
        old_token = page.soup.select_one("input[name=csrf_token]")["value"]
        en.submit(page, {"contact": "012345678", "password": PASSWORD})
        assert en.post("/sign-out", data={"csrf_token": old_token}).status_code == 400
        assert is_signed_in(en)

    def test_a_safe_next_address_is_followed_after_sign_in(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        response = sign_in(en, "012345678", path="/sign-in?next=/services/tax-filing")
        assert response.headers["Location"] == "/services/tax-filing"

    def test_another_site_as_next_address_is_ignored(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        response = sign_in(en, "012345678", path="/sign-in?next=https://evil.example/")
        assert response.headers["Location"] == "/account"

    def test_a_page_that_needs_an_account_sends_people_to_sign_in_and_back(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        redirected = en.get("/account")
        assert redirected.status_code == 302
        assert redirected.headers["Location"].startswith("/sign-in?next=")
        page = en.get(redirected.headers["Location"])
        assert "Please sign in to see this page." in page.get_data(as_text=True)
        response = en.submit(page, {"contact": "012345678", "password": PASSWORD})
        assert response.headers["Location"] == "/account"

    def test_a_closed_account_cannot_sign_in(self, en, factories):
        factories.person(phone="+85512345678", is_active=False, locale="en")
        response = sign_in(en, "012345678")
        assert response.status_code == 403
        assert "This account has been closed" in form_errors(response)
        assert not is_signed_in(en)

    def test_a_closed_account_with_a_wrong_password_learns_nothing(self, en, factories):
        factories.person(phone="+85512345678", is_active=False, locale="en")
        response = sign_in(en, "012345678", "a wrong password")
        assert form_errors(response) == GENERIC_FAILURE

    def test_a_sign_in_without_its_csrf_token_is_refused(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        en.get("/sign-in")
        response = en.post("/sign-in", data={"contact": "012345678", "password": PASSWORD})
        assert response.status_code == 400
        assert "This form has expired" in response.get_data(as_text=True)
        assert not is_signed_in(en)

    def test_the_sign_in_page_uses_the_right_autocomplete_hints_and_no_browser_validation(self, en):
        page = en.get("/sign-in")
        form = page.soup.select_one("main form")
        assert form.has_attr("novalidate")
        assert form.select_one("#contact")["autocomplete"] == "username"
        assert form.select_one("#password")["autocomplete"] == "current-password"
        assert form.select_one("#password")["type"] == "password"
        # Browsers cut at `maxlength` in UTF-16 units, silently shortening a long Khmer or emoji password.
        assert not form.select("input[maxlength]")

    def test_a_khmer_page_answers_a_failed_sign_in_in_khmer(self, client, factories):
        response = sign_in(client, "012345678", "a wrong password")
        assert response.status_code == 400
        assert response.soup.html["lang"] == "km"
        assert response.soup.select_one(".error-summary") is not None


class TestSigningOut:
    def test_signing_out_ends_the_session_and_says_so(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        sign_in(en, "012345678")
        response = sign_out(en)
        assert response.status_code == 302 and response.headers["Location"] == "/"
        home = en.get("/")
        assert "You have signed out" in home.get_data(as_text=True)
        assert not is_signed_in(en)

    def test_the_old_session_cookie_is_useless_after_signing_out(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        sign_in(en, "012345678")
        signed_in_cookie = en.get_cookie("session").value
        sign_out(en)
        assert not session_is_stored(signed_in_cookie)
        en.set_cookie("session", signed_in_cookie)
        assert not is_signed_in(en)
        assert en.get("/account").status_code == 302

    def test_signing_out_needs_a_post(self, en):
        assert en.get("/sign-out").status_code == 405


class TestStaffSecondStep:
    def test_staff_need_a_code_after_the_password_and_are_not_signed_in_before(self, en, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        response = sign_in(en, "clerk@moc.gov.kh")
        assert response.status_code == 302 and response.headers["Location"] == "/sign-in/code"
        assert not is_signed_in(en)
        assert en.get("/account").status_code == 302
        page = en.get("/sign-in/code")
        code_input = page.soup.select_one("#code")
        assert code_input["autocomplete"] == "one-time-code" and code_input["inputmode"] == "numeric"
        done = en.submit(page, {"code": factories.totp_for(member).now()})
        assert done.status_code == 302 and done.headers["Location"] == "/account"
        assert is_signed_in(en)

    def test_the_code_may_be_typed_in_khmer_digits_with_a_space(self, en, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        sign_in(en, "clerk@moc.gov.kh")
        code = factories.totp_for(member).now()
        khmer = (code[:3] + " " + code[3:]).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
        assert enter_code(en, khmer).status_code == 302
        assert is_signed_in(en)

    def test_the_session_id_changes_when_the_code_is_accepted(self, en, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        sign_in(en, "clerk@moc.gov.kh")
        half = en.get_cookie("session").value
        enter_code(en, factories.totp_for(member).now())
        assert en.get_cookie("session").value != half

    @pytest.mark.parametrize(("code", "message"), [
        ("", "Enter the 6-digit code"),
        ("12345", "The code must be 6 digits"),
        ("abcdef", "The code must be 6 digits"),
        ("🙂🙂🙂🙂🙂🙂", "The code must be 6 digits"),
        ("ស្រូវ", "The code must be 6 digits"),
    ])
    def test_a_code_of_the_wrong_shape_gets_a_clear_message(self, en, factories, code, message):
        factories.staff(email="clerk@moc.gov.kh", locale="en")
        sign_in(en, "clerk@moc.gov.kh")
        response = enter_code(en, code)
        assert response.status_code == 400
        assert message in form_errors(response)
        assert not is_signed_in(en)

    def test_a_wrong_code_is_refused(self, en, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        sign_in(en, "clerk@moc.gov.kh")
        wrong = f"{(int(factories.totp_for(member).now()) + 500_000) % 1_000_000:06d}"
        response = enter_code(en, wrong)
        assert response.status_code == 400
        assert "That code is not right" in form_errors(response)
        assert not is_signed_in(en)

    def test_a_code_cannot_be_used_twice(self, en, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        code = factories.totp_for(member).now()
        sign_in(en, "clerk@moc.gov.kh")
        assert enter_code(en, code).status_code == 302
        sign_out(en)
        sign_in(en, "clerk@moc.gov.kh")
        assert enter_code(en, code).status_code == 400

    def test_the_code_page_without_a_password_first_sends_people_to_sign_in(self, en):
        response = en.get("/sign-in/code")
        assert response.status_code == 302 and response.headers["Location"] == "/sign-in"

    def test_the_half_signed_in_state_lasts_five_minutes(self, en, factories):
        factories.staff(email="clerk@moc.gov.kh", locale="en")
        sign_in(en, "clerk@moc.gov.kh")
        with en.session_transaction() as session:
            pending = dict(session["pending_sign_in"])
            assert pending["until"] - time.time() <= 300
            pending["until"] = int(time.time()) - 1
            session["pending_sign_in"] = pending
        code_page = en.get("/sign-in/code")
        assert code_page.status_code == 302 and code_page.headers["Location"] == "/sign-in"
        assert "Your sign-in has timed out" in en.get("/sign-in").get_data(as_text=True)
        assert en.get("/sign-in/code").status_code == 302
        assert not is_signed_in(en)

    def test_staff_without_a_totp_secret_are_told_to_contact_an_administrator(self, en, factories):
        factories.person(email="admin@onewindow.gov.kh", is_admin=True, locale="en")
        response = sign_in(en, "admin@onewindow.gov.kh")
        assert response.status_code == 403
        assert "Please contact an administrator" in form_errors(response)
        assert not is_signed_in(en)
        assert en.get("/sign-in/code").status_code == 302


class TestThrottling:
    def test_after_five_failures_even_the_right_password_waits(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        for _ in range(5):
            assert sign_in(en, "012345678", "a wrong password").status_code == 400
        response = sign_in(en, "+855 12 345 678", PASSWORD)
        assert response.status_code == 429
        assert "please wait 15 minutes" in response.get_data(as_text=True)
        assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
        assert not is_signed_in(en)

    def test_the_wait_is_shown_in_khmer_digits_on_a_khmer_page(self, client, factories):
        for _ in range(5):
            sign_in(client, "012345678", "a wrong password")
        response = sign_in(client, "012345678")
        assert response.status_code == 429
        assert response.soup.html["lang"] == "km"
        assert "១៥" in response.get_data(as_text=True)

    def test_unknown_accounts_are_throttled_like_known_ones(self, en):
        for _ in range(5):
            sign_in(en, "nobody@example.com", "a wrong password")
        assert sign_in(en, "nobody@example.com", "a wrong password").status_code == 429

    def test_the_counter_is_kept_under_a_hash_never_the_contact(self, en, factories):
        person = factories.person(phone="+85512345678", locale="en")
        sign_in(en, "012345678", "a wrong password")
        sign_in(en, "nobody@example.com", "a wrong password")
        keys = [key.decode() for key in redis_connection.client.keys("throttle:*")]
        assert person_account_key(person.public_id) in keys
        assert account_key("nobody@example.com") in keys
        assert not any("85512345678" in key or "012345678" in key or "nobody" in key for key in keys)

    def test_a_success_clears_the_account_counter(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        for _ in range(4):
            sign_in(en, "012345678", "a wrong password")
        assert sign_in(en, "012345678").status_code == 302
        sign_out(en)
        for _ in range(4):
            sign_in(en, "012345678", "a wrong password")
        assert sign_in(en, "012345678").status_code == 302

    def test_wrong_codes_count_as_failures(self, en, factories):
        member = factories.staff(email="clerk@moc.gov.kh", locale="en")
        sign_in(en, "clerk@moc.gov.kh")
        wrong = f"{(int(factories.totp_for(member).now()) + 500_000) % 1_000_000:06d}"
        for _ in range(5):
            assert enter_code(en, wrong).status_code == 400
        response = en.submit(en.get("/sign-in/code"), {"code": factories.totp_for(member).now()})
        assert response.status_code == 429
        assert not is_signed_in(en)
        assert sign_in(en, "clerk@moc.gov.kh").status_code == 429

    def test_thirty_failures_from_one_address_refuse_further_wrong_answers_from_there(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        for n in range(30):
            sign_in(en, f"person{n}@example.com", "a wrong password")
        response = sign_in(en, "012345678", "another wrong password")
        assert response.status_code == 429
        assert GENERIC_FAILURE not in response.get_data(as_text=True)

    def test_an_address_over_its_limit_never_blocks_a_right_password(self, en, factories):
        """Issue 9, item 3: many people share an address (an office, a kiosk, a carrier's NAT)."""
        factories.person(phone="+85512345678", locale="en")
        for n in range(40):
            sign_in(en, f"person{n}@example.com", "a wrong password")
        assert sign_in(en, "012345678").status_code == 302
        assert is_signed_in(en)

    def test_an_account_under_attack_is_locked_whatever_the_address(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        for n in range(5):
            en.environ_base["REMOTE_ADDR"] = f"203.0.113.{n}"
            sign_in(en, "012345678", "a wrong password")
        en.environ_base["REMOTE_ADDR"] = "198.51.100.7"
        assert sign_in(en, "012345678").status_code == 429

    def test_the_email_and_the_phone_of_one_account_share_one_counter(self, en, factories):
        factories.person(phone="+85512345678", email="dara@example.com", locale="en")
        for contact in ("012345678", "dara@example.com", "012345678", "dara@example.com", "012345678"):
            assert sign_in(en, contact, "a wrong password").status_code == 400
        assert sign_in(en, "dara@example.com").status_code == 429


class TestBehindALoadBalancer:
    """Issue 9, item 3: behind the balancer of docs/deploy.md every request has the balancer's address."""

    @pytest.fixture
    def behind_one_proxy(self, app):
        from portal.web.security import behind_proxies

        original = app.wsgi_app
        app.wsgi_app = behind_proxies(original, 1)
        yield
        app.wsgi_app = original

    def test_one_clients_failures_do_not_stop_another_client(self, en, factories, behind_one_proxy):
        factories.person(phone="+85512345678", locale="en")
        en.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the balancer
        en.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.66"
        for n in range(30):
            sign_in(en, f"person{n}@example.com", "a wrong password")
        assert sign_in(en, "nobody@example.com", "a wrong password").status_code == 429
        en.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
        assert sign_in(en, "other@example.com", "a wrong password").status_code == 400

    def test_a_client_cannot_choose_its_address_by_sending_the_header_itself(self, en, factories,
                                                                              behind_one_proxy):
        en.environ_base["REMOTE_ADDR"] = "10.0.0.2"
        for n in range(30):
            # The balancer appends the real client; only the last hop is believed.
            en.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}, 203.0.113.66"
            sign_in(en, f"person{n}@example.com", "a wrong password")
        en.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.200, 203.0.113.66"
        assert sign_in(en, "nobody@example.com", "a wrong password").status_code == 429

    def test_without_trusted_proxies_the_header_is_ignored(self, en, factories):
        for n in range(30):
            en.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
            sign_in(en, f"person{n}@example.com", "a wrong password")
        assert sign_in(en, "nobody@example.com", "a wrong password").status_code == 429


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestWithoutRedis:
    def test_sign_in_works_when_redis_is_down(self, app, en, factories, settings):
        """Issue 11: sessions and CSRF secrets live in the database and the throttle counts in memory, so a
        Redis outage no longer refuses every sign-in (it was a 503, and without CSRF switched off, "expired")."""
        factories.person(phone="+85512345678", locale="en")
        page = en.get("/sign-in")
        redis_connection.init_app(f"redis://127.0.0.1:{_free_port()}/0", settings.instance_path)
        try:
            response = en.submit(page, {"contact": "012345678", "password": PASSWORD})
        finally:
            redis_connection.init_app(settings.redis_url, settings.instance_path)
        assert response.status_code == 302
        assert is_signed_in(en)


class TestOldPasswordHashes:
    """Issue 10: `needs_rehash` was never called, so hashes made with older parameters stayed weak."""

    @pytest.mark.parametrize("staff", [False, True])
    def test_a_hash_with_older_parameters_is_upgraded_at_sign_in_and_the_session_survives(self, en, factories,
                                                                                        staff):
        from argon2 import PasswordHasher

        from portal.data import people
        from portal.domain.identity.passwords import needs_rehash, normalise

        weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(normalise(PASSWORD))
        person = factories.staff(locale="en") if staff else factories.person(phone="+85512345678", locale="en")
        person.password_hash = weak
        db.session.commit()
        stamp = person.session_stamp
        response = sign_in(en, person.email or "012345678", PASSWORD)
        assert response.status_code == 302
        upgraded = people.get_by_public_id(person.public_id)
        assert upgraded.password_hash != weak and not needs_rehash(upgraded.password_hash)
        assert upgraded.session_stamp == stamp  # an upgrade is not a password change: no session ends
        assert sign_in(en.application.test_client(), person.email or "012345678", PASSWORD).status_code == 302
