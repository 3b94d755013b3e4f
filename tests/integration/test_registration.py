"""Creating an account with an email address or a Cambodian mobile number, confirmed by a code sent
to it (issue 9, item 10: registration proves the contact is the person's)."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import text

from portal.data import people
from portal.data.db import db, utcnow
from tests.journey import run_jobs
from tests.messages import emails_to, plain_text, six_digit_codes, texts_to

GOOD_PASSWORD = "ស្រូវ-rice-field-2026"


@pytest.fixture(autouse=True)
def _empty_outboxes(settings):
    """The instance directory lives for the whole run; each test reads only the messages it sent."""
    for kind in ("mail", "sms"):
        shutil.rmtree(settings.instance_path / kind, ignore_errors=True)


def count_people() -> int:
    return db.session.execute(text("SELECT count(*) FROM people")).scalar_one()


def english_form(client):
    client.expected_lang = "en"
    return client.get("/register?lang=en")


def register(client, contact, password=GOOD_PASSWORD, confirm=None):
    return client.submit(english_form(client), {
        "contact": contact, "password": password, "confirm": password if confirm is None else confirm,
    })


def messages_for(app, contact: str) -> list[str]:
    """What the worker sent to `contact` (normalised), newest last."""
    run_jobs(app)
    instance = app.config["PORTAL_SETTINGS"].instance_path
    if "@" in contact:
        return [plain_text(m) for m in emails_to(instance, contact)]
    return texts_to(instance, contact)


def latest_code(app, contact: str) -> str:
    codes = [code for message in messages_for(app, contact) for code in six_digit_codes(message)]
    assert codes, f"no code was sent to {contact}"
    return codes[-1]


def enter_code(client, code):
    return client.submit(client.get("/register/confirm"), {"code": code})


def register_and_confirm(app, client, contact, normalised):
    assert register(client, contact).headers["Location"] == "/register/confirm"
    return enter_code(client, latest_code(app, normalised))


def is_signed_in(client) -> bool:
    page = client.get("/")
    return page.soup.select_one("form[action='/sign-out']") is not None


def error_texts(response) -> list[str]:
    return [li.get_text(" ", strip=True) for li in response.soup.select(".error-summary li")]


class TestRegisteringWithAPhoneNumber:
    def test_a_cambodian_number_creates_an_account_in_e164_and_signs_the_person_in(self, app, client):
        response = register_and_confirm(app, client, "012 345 678", "+85512345678")
        assert response.status_code == 302
        assert response.headers["Location"] == "/account"
        person = people.get_by_phone("+85512345678")
        assert person is not None and person.email is None and person.locale == "en"
        assert person.password_hash.startswith("$argon2id$")
        assert is_signed_in(client)

    def test_the_welcome_message_is_shown_on_the_next_page(self, app, client):
        register_and_confirm(app, client, "+855 12 345 678", "+85512345678")
        page = client.get("/account")
        assert "Your account has been created and you are signed in." in page.get_data(as_text=True)

    def test_the_new_account_can_sign_in_with_the_number_in_khmer_digits(self, app, client):
        register_and_confirm(app, client, "+855 12 345 678", "+85512345678")
        client.post("/sign-out", data={"csrf_token": csrf_from(client.get("/"))})
        assert not is_signed_in(client)
        sign_in = client.get("/sign-in")
        response = client.submit(sign_in, {"contact": "០១២ ៣៤៥ ៦៧៨", "password": GOOD_PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == "/account"
        assert is_signed_in(client)

    def test_an_account_made_on_a_khmer_page_keeps_khmer_as_its_language(self, app, client):
        form = client.get("/register")
        assert form.soup.html["lang"] == "km"
        response = client.submit(form, {"contact": "096 555 1234", "password": GOOD_PASSWORD,
                                        "confirm": GOOD_PASSWORD})
        assert response.status_code == 302
        [sms] = messages_for(app, "+855965551234")
        assert "Encoding: UCS-2" in sms and "Parts: 1" in sms  # in Khmer, and one SMS part
        assert "៣០ នាទី" in sms  # the minutes in Khmer digits; the code stays as it is typed
        enter_code(client, latest_code(app, "+855965551234"))
        assert people.get_by_phone("+855965551234").locale == "km"


class TestRegisteringWithAnEmailAddress:
    def test_an_email_address_creates_an_account_stored_lower_cased(self, app, client):
        response = register_and_confirm(app, client, "Sok.Dara@Example.com", "sok.dara@example.com")
        assert response.status_code == 302
        person = people.get_by_email("sok.dara@example.com")
        assert person is not None and person.phone is None
        assert is_signed_in(client)

    def test_the_session_id_changes_when_the_account_is_created(self, app, client):
        register(client, "dara@example.com")
        before = client.get_cookie("session").value
        enter_code(client, latest_code(app, "dara@example.com"))
        assert client.get_cookie("session").value != before


class TestTheCodeProvesTheContact:
    def test_nothing_is_made_and_nobody_is_signed_in_until_the_code_is_entered(self, app, client):
        before = count_people()
        response = register(client, "012 345 678")
        assert response.status_code == 302 and response.headers["Location"] == "/register/confirm"
        page = client.get("/register/confirm")
        assert "We have sent a 6-digit code by text message to +85512345678" in page.get_data(as_text=True)
        assert page.soup.select_one("input[name=code]")["autocomplete"] == "one-time-code"
        assert count_people() == before
        assert not is_signed_in(client)
        sign_in = client.submit(client.get("/sign-in"), {"contact": "012345678", "password": GOOD_PASSWORD})
        assert sign_in.status_code == 400

    def test_the_emailed_code_is_in_the_language_of_the_page(self, app, client):
        form = client.get("/register")
        client.submit(form, {"contact": "sokha@example.com", "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
        run_jobs(app)
        [message] = emails_to(app.config["PORTAL_SETTINGS"].instance_path, "sokha@example.com")
        assert message["Content-Language"] == "km"
        assert len(six_digit_codes(plain_text(message))) == 1

    def test_the_code_may_be_typed_in_khmer_digits(self, app, client):
        register(client, "012 345 678")
        code = latest_code(app, "+85512345678")
        khmer = code.translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
        assert enter_code(client, f"{khmer[:3]} {khmer[3:]}").headers["Location"] == "/account"

    def test_a_wrong_code_is_refused_with_a_clear_message_and_makes_nothing(self, app, client):
        register(client, "012 345 678")
        code = latest_code(app, "+85512345678")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        response = enter_code(client, wrong)
        assert response.status_code == 400
        assert "That code is not right" in " ".join(error_texts(response))
        assert people.get_by_phone("+85512345678") is None
        assert enter_code(client, code).status_code == 302

    @pytest.mark.parametrize(("code", "message"), [("", "Enter the 6-digit code from the message we sent you"),
                                                   ("12345", "The code must be 6 digits"),
                                                   ("🙂", "The code must be 6 digits")])
    def test_a_code_of_the_wrong_shape_gets_a_clear_message(self, app, client, code, message):
        register(client, "012 345 678")
        response = enter_code(client, code)
        assert response.status_code == 400
        assert message in " ".join(error_texts(response))

    def test_five_wrong_codes_void_the_code_and_a_new_code_works(self, app, client):
        register(client, "012 345 678")
        code = latest_code(app, "+85512345678")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(4):
            assert enter_code(client, wrong).status_code == 400
        assert "Too many wrong codes" in " ".join(error_texts(enter_code(client, wrong)))
        assert enter_code(client, code).status_code == 400  # even the right one, now
        page = client.get("/register/confirm")
        assert client.submit(page, {}, selector="form[action='/register/confirm/new-code']").status_code == 302
        new_code = latest_code(app, "+85512345678")
        assert enter_code(client, new_code).headers["Location"] == "/account"

    def test_a_code_sent_for_another_browsers_registration_does_not_work(self, app, client):
        other = app.test_client()
        register(client, "012 345 678")
        mine = latest_code(app, "+85512345678")
        register(other, "012 345 678", password="someone-else-entirely-9")
        theirs = latest_code(app, "+85512345678")
        if theirs != mine:
            assert enter_code(client, theirs).status_code == 400
        assert enter_code(client, mine).headers["Location"] == "/account"
        person = people.get_by_phone("+85512345678")
        from portal.domain.identity.passwords import verify_password

        assert verify_password(person.password_hash, GOOD_PASSWORD)

    def test_a_registration_older_than_30_minutes_must_start_again(self, app, client):
        register(client, "012 345 678")
        code = latest_code(app, "+85512345678")
        page = client.get("/register/confirm")
        db.session.execute(text("UPDATE pending_registrations SET expires_at = :past"),
                           {"past": utcnow() - timedelta(minutes=1)})
        db.session.commit()
        response = client.submit(page, {"code": code})
        assert response.status_code == 302 and response.headers["Location"] == "/register"
        assert "timed out" in client.get("/register").get_data(as_text=True)
        assert people.get_by_phone("+85512345678") is None


class TestAlreadyRegistered:
    def test_an_existing_contact_gets_the_same_answer_and_its_owner_a_message_instead_of_a_code(
            self, app, client, factories):
        factories.person(phone="+85512345678")
        before = count_people()
        existing = register(client, "០១២ ៣៤៥ ៦៧៨")
        new = register(app.test_client(), "012 999 888")
        assert existing.status_code == new.status_code == 302
        assert existing.headers["Location"] == new.headers["Location"] == "/register/confirm"
        [notice] = messages_for(app, "+85512345678")
        assert "already has an account" in notice and six_digit_codes(notice) == []
        assert "/password/forgot" in notice
        assert count_people() == before

    def test_an_existing_email_is_told_by_email(self, app, client, factories):
        factories.person(email="dara@example.com")
        register(client, "DARA@Example.com")
        [notice] = messages_for(app, "dara@example.com")
        assert "already has an account" in notice
        assert enter_code(client, "123456").status_code == 400

    def test_a_contact_registered_meanwhile_by_another_browser_is_named_to_whoever_has_the_code(
            self, app, client):
        other = app.test_client()
        register(client, "012 345 678")
        mine = latest_code(app, "+85512345678")
        register(other, "012 345 678")
        enter_code(other, latest_code(app, "+85512345678"))
        response = enter_code(client, mine)
        assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
        assert "There is already an account" in client.get("/sign-in").get_data(as_text=True)


class TestRegistrationLimits:
    def test_no_more_than_three_codes_an_hour_go_to_one_contact(self, app, client):
        for n in range(3):
            assert register(app.test_client(), "012 345 678").status_code == 302, n
        response = register(client, "012 345 678")
        assert response.status_code == 429
        assert len(messages_for(app, "+85512345678")) == 3

    def test_asking_for_new_codes_counts_towards_the_same_limit(self, app, client):
        register(client, "012 345 678")
        page = client.get("/register/confirm")
        statuses = [client.submit(page, {}, selector="form[action='/register/confirm/new-code']").status_code
                    for _ in range(3)]
        assert statuses == [302, 302, 429]

    def test_one_address_starts_at_most_thirty_registrations_an_hour(self, app, client):
        for n in range(30):
            assert register(client, f"person{n}@example.com").status_code == 302, n
        assert register(client, "one-more@example.com").status_code == 429


BAD_INPUT = [
    pytest.param({"contact": ""}, "Enter your email address or mobile phone number", id="empty contact"),
    pytest.param({"contact": "a" * 250 + "@x.com"}, "254 characters or fewer", id="contact too long"),
    pytest.param({"contact": "dara@example"}, "Enter an email address in the correct format", id="bad email"),
    pytest.param({"contact": "012 34"}, "Enter a Cambodian mobile phone number", id="bad phone"),
    pytest.param({"contact": "+66 81 234 5678"}, "numbers from other countries cannot be used",
                 id="thai phone"),
    pytest.param({"contact": "សុខ ដារា"}, "Enter an email address, like", id="khmer contact"),
    pytest.param({"contact": "🙂"}, "Enter an email address, like", id="emoji contact"),
    pytest.param({"contact": "ដារា@example.com"}, "can only use Latin letters", id="khmer email"),
    pytest.param({"contact": "🙂@example.com"}, "can only use Latin letters", id="emoji email"),
    pytest.param({"password": "", "confirm": ""}, "Enter a password", id="empty password"),
    pytest.param({"password": "ab3$", "confirm": "ab3$"}, "at least 8 characters", id="short password"),
    pytest.param({"password": "ស្រូវ", "confirm": "ស្រូវ"}, "at least 8 characters", id="short khmer password"),
    pytest.param({"password": "🙂", "confirm": "🙂"}, "at least 8 characters", id="emoji password"),
    pytest.param({"password": "river-ស្រូវ-" * 12, "confirm": "river-ស្រូវ-" * 12}, "128 characters or fewer",
                 id="long password"),
    pytest.param({"password": "password1", "confirm": "password1"}, "too common", id="common password"),
    pytest.param({"confirm": ""}, "Enter the password again to confirm it", id="empty confirmation"),
    pytest.param({"confirm": GOOD_PASSWORD + "x"}, "The passwords do not match", id="mismatch"),
    pytest.param({"confirm": "ស្រូវ"}, "The passwords do not match", id="khmer confirmation"),
    pytest.param({"confirm": "🙂"}, "The passwords do not match", id="emoji confirmation"),
]


class TestBadInput:
    @pytest.mark.parametrize(("data", "message"), BAD_INPUT)
    def test_bad_input_gets_a_clear_message_and_writes_nothing(self, client, data, message):
        before = count_people()
        values = {"contact": "012 999 888", "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD, **data}
        response = client.submit(english_form(client), values)
        assert response.status_code == 400
        assert any(message in error for error in error_texts(response)), error_texts(response)
        assert response.soup.title.get_text().startswith("Error")
        assert count_people() == before
        assert not is_signed_in(client)

    def test_what_the_person_typed_is_shown_again_but_never_the_password(self, client):
        response = register(client, "សុខ ដារា", password="ab3$")
        assert response.soup.select_one("#contact")["value"] == "សុខ ដារា"
        assert not response.soup.select_one("#password").get("value")
        assert response.soup.select_one("#contact")["aria-invalid"] == "true"

    def test_a_khmer_page_with_bad_input_answers_in_khmer_with_an_error_summary(self, client):
        form = client.get("/register")
        response = client.submit(form, {"contact": "🙂", "password": "🙂", "confirm": "ស្រូវ"})
        assert response.status_code == 400
        assert response.soup.html["lang"] == "km"
        assert len(response.soup.select(".error-summary li")) == 3

    def test_a_form_without_its_csrf_token_is_refused(self, client):
        english_form(client)
        before = count_people()
        response = client.post("/register", data={"contact": "012 999 888", "password": GOOD_PASSWORD,
                                                  "confirm": GOOD_PASSWORD})
        assert response.status_code == 400
        assert "This form has expired" in response.get_data(as_text=True)
        assert count_people() == before


def csrf_from(page) -> str:
    return page.soup.select_one("input[name=csrf_token]")["value"]
