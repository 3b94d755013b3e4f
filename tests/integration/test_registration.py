"""Creating an account with an email address or a Cambodian mobile number."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.data import people
from portal.data.db import db

GOOD_PASSWORD = "ស្រូវ-rice-field-2026"


def count_people() -> int:
    return db.session.execute(text("SELECT count(*) FROM people")).scalar_one()


def english_form(client):
    client.expected_lang = "en"
    return client.get("/register?lang=en")


def register(client, contact, password=GOOD_PASSWORD, confirm=None):
    return client.submit(english_form(client), {
        "contact": contact, "password": password, "confirm": password if confirm is None else confirm,
    })


def is_signed_in(client) -> bool:
    page = client.get("/")
    return page.soup.select_one("form[action='/sign-out']") is not None


def error_texts(response) -> list[str]:
    return [li.get_text(" ", strip=True) for li in response.soup.select(".error-summary li")]


class TestRegisteringWithAPhoneNumber:
    def test_a_cambodian_number_creates_an_account_in_e164_and_signs_the_person_in(self, client):
        response = register(client, "012 345 678")
        assert response.status_code == 302
        assert response.headers["Location"] == "/account"
        person = people.get_by_phone("+85512345678")
        assert person is not None and person.email is None and person.locale == "en"
        assert person.password_hash.startswith("$argon2id$")
        assert is_signed_in(client)

    def test_the_welcome_message_is_shown_on_the_next_page(self, client):
        register(client, "+855 12 345 678")
        page = client.get("/account")
        assert "Your account has been created and you are signed in." in page.get_data(as_text=True)

    def test_the_new_account_can_sign_in_with_the_number_in_khmer_digits(self, client):
        register(client, "+855 12 345 678")
        client.post("/sign-out", data={"csrf_token": csrf_from(client.get("/"))})
        assert not is_signed_in(client)
        sign_in = client.get("/sign-in")
        response = client.submit(sign_in, {"contact": "០១២ ៣៤៥ ៦៧៨", "password": GOOD_PASSWORD})
        assert response.status_code == 302 and response.headers["Location"] == "/account"
        assert is_signed_in(client)

    def test_an_account_made_on_a_khmer_page_keeps_khmer_as_its_language(self, client):
        form = client.get("/register")
        assert form.soup.html["lang"] == "km"
        response = client.submit(form, {"contact": "096 555 1234", "password": GOOD_PASSWORD,
                                        "confirm": GOOD_PASSWORD})
        assert response.status_code == 302
        assert people.get_by_phone("+855965551234").locale == "km"


class TestRegisteringWithAnEmailAddress:
    def test_an_email_address_creates_an_account_stored_lower_cased(self, client):
        response = register(client, "Sok.Dara@Example.com")
        assert response.status_code == 302
        person = people.get_by_email("sok.dara@example.com")
        assert person is not None and person.phone is None
        assert is_signed_in(client)

    def test_the_session_id_changes_when_the_account_is_created(self, client):
        form = english_form(client)
        before = client.get_cookie("session").value
        client.submit(form, {"contact": "dara@example.com", "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD})
        assert client.get_cookie("session").value != before


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


class TestAlreadyRegistered:
    def test_an_existing_phone_number_is_named_with_links_to_sign_in_and_reset(self, client, factories):
        factories.person(phone="+85512345678")
        before = count_people()
        response = register(client, "០១២ ៣៤៥ ៦៧៨")
        assert response.status_code == 400
        assert "There is already an account with this email address or phone number." in error_texts(response)
        links = {a["href"] for a in response.soup.select("main .notice a")}
        assert links == {"/sign-in", "/password/forgot"}
        assert count_people() == before

    def test_an_existing_email_is_found_whatever_its_case(self, client, factories):
        factories.person(email="dara@example.com")
        response = register(client, "DARA@Example.com")
        assert response.status_code == 400
        assert "There is already an account" in " ".join(error_texts(response))

    def test_one_address_cannot_test_many_contacts_quickly(self, client, factories):
        for n in range(20):
            factories.person(phone=f"+8551234{n:04d}")
        for n in range(20):
            assert register(client, f"+8551234{n:04d}").status_code == 400
        response = register(client, "+85512340000")
        assert response.status_code == 429


def csrf_from(page) -> str:
    return page.soup.select_one("input[name=csrf_token]")["value"]
