"""Reading an email address or a Cambodian mobile number from what a person typed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.identity import contacts as contact
from portal.domain.identity.contacts import EMAIL, PHONE, Contact, ContactError, parse_contact


@pytest.fixture(autouse=True)
def _english_request(app):
    # Messages are lazy; a request context lets a failing assertion print them.
    with app.test_request_context("/?lang=en"):
        yield


def _is_one_of_our_messages(message) -> bool:
    return any(message is known for known in contact.MESSAGES)


class TestCambodianPhoneNumbers:
    @pytest.mark.parametrize("typed", [
        "012 345 678",
        "012345678",
        "+855 12 345 678",
        "+85512345678",
        "85512345678",
        "855 12-345-678",
        "(012) 345 678",
        "០១២ ៣៤៥ ៦៧៨",
        "+៨៥៥ ១២ ៣៤៥ ៦៧៨",
        "  012 345 678  ",
    ])
    def test_every_usual_way_of_writing_a_number_is_stored_in_e164(self, typed):
        assert parse_contact(typed) == Contact(PHONE, "+85512345678")

    def test_a_ten_digit_mobile_number_is_accepted(self):
        assert parse_contact("097 123 4567") == Contact(PHONE, "+855971234567")

    @pytest.mark.parametrize("typed", ["+66 81 234 5678", "+1 202 555 0143", "+44 7911 123456"])
    def test_a_number_from_another_country_is_refused_with_its_own_message(self, typed):
        with pytest.raises(ContactError) as refused:
            parse_contact(typed)
        assert refused.value.message is contact.NOT_CAMBODIAN

    @pytest.mark.parametrize("typed", ["012 34", "0855 12345678", "012 345 678 999 999", "+855"])
    def test_a_number_that_cannot_exist_is_refused(self, typed):
        with pytest.raises(ContactError) as refused:
            parse_contact(typed)
        assert refused.value.message is contact.BAD_PHONE


class TestEmailAddresses:
    def test_an_email_address_is_stored_lower_cased(self):
        assert parse_contact(" Sok.Dara@Example.COM ") == Contact(EMAIL, "sok.dara@example.com")

    @pytest.mark.parametrize("typed", [
        "sok@", "@example.com", "sok@example", "sok@@example.com", "sok dara@example.com",
    ])
    def test_a_malformed_address_is_refused(self, typed):
        with pytest.raises(ContactError) as refused:
            parse_contact(typed)
        assert refused.value.message is contact.BAD_EMAIL

    @pytest.mark.parametrize("typed", ["សុខា@example.com", "🙂@example.com"])
    def test_khmer_or_emoji_before_the_at_sign_gets_a_message_that_says_so(self, typed):
        with pytest.raises(ContactError) as refused:
            parse_contact(typed)
        assert refused.value.message is contact.LATIN_EMAIL

    def test_a_khmer_domain_is_kept_in_its_ascii_form_so_both_spellings_match(self):
        punycode = "sok@" + "សួស្តី".encode("idna").decode() + ".com"
        assert parse_contact("sok@សួស្តី.com").value == parse_contact(punycode).value


class TestNeitherShape:
    @pytest.mark.parametrize(("typed", "message"), [
        ("", contact.ENTER_CONTACT),
        ("   ", contact.ENTER_CONTACT),
        ("សុខ ដារា", contact.NOT_A_CONTACT),
        ("🙂", contact.NOT_A_CONTACT),
        ("sok dara", contact.NOT_A_CONTACT),
        ("x" * 255, contact.CONTACT_TOO_LONG),
        ("1" * 255, contact.CONTACT_TOO_LONG),
    ])
    def test_text_that_is_neither_an_email_nor_a_number_gets_a_clear_message(self, typed, message):
        with pytest.raises(ContactError) as refused:
            parse_contact(typed)
        assert refused.value.message is message


class TestAnyText:
    @settings(max_examples=400, deadline=None)
    @given(st.text(max_size=300))
    def test_any_text_gives_a_normalised_contact_or_a_clear_error(self, text):
        try:
            parsed = parse_contact(text)
        except ContactError as error:
            assert _is_one_of_our_messages(error.message)
            return
        if parsed.kind == PHONE:
            assert parsed.value.startswith("+855") and parsed.value[1:].isdigit()
        else:
            assert parsed.kind == EMAIL and "@" in parsed.value and parsed.value == parsed.value.lower()
        assert parse_contact(parsed.value) == parsed  # a stored value reads back as itself

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet="0123456789០១២៣៤៥៦៧៨៩ +-()", max_size=40))
    def test_any_string_of_digits_and_separators_gives_a_contact_or_a_clear_error(self, text):
        try:
            parsed = parse_contact(text)
        except ContactError as error:
            assert _is_one_of_our_messages(error.message)
        else:
            assert parsed.kind == PHONE and parsed.value.startswith("+855")
