"""The language chosen before signing in is kept after it, and saved on the person (issue 12)."""

from __future__ import annotations

from tests.factories import PASSWORD


def choose(client, lang: str) -> None:
    """The header's language switch, as a visitor who is not signed in uses it."""
    response = client.post("/language", data={"lang": lang, "next": "/sign-in"})
    assert response.status_code == 302


def sign_in(client, contact: str):
    return client.submit(client.get("/sign-in"), {"contact": contact, "password": PASSWORD})


def test_a_citizen_who_chose_english_before_signing_in_gets_english_after_it(client, factories):
    person = factories.person(phone="+85512345670")  # saved choice: Khmer, the default
    client.expected_lang = "en"
    choose(client, "en")
    response = sign_in(client, "012345670")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # an English page (the client checks <html lang>)
    assert person.locale == "en"


def test_staff_who_chose_english_get_it_on_the_code_page_and_after_the_code(client, factories):
    member = factories.staff(email="clerk-lang@moc.gov.kh")
    assert member.locale == "km"
    client.expected_lang = "en"
    choose(client, "en")
    assert sign_in(client, "clerk-lang@moc.gov.kh").headers["Location"] == "/sign-in/code"
    page = client.get("/sign-in/code")
    done = client.submit(page, {"code": factories.totp_for(member).now()})
    assert done.status_code == 302
    assert client.get("/account").status_code == 200
    assert member.locale == "en"


def test_without_a_choice_in_this_browser_the_saved_choice_is_used(client, factories):
    person = factories.person(phone="+85512345671", locale="en")
    sign_in(client, "012345671")
    client.expected_lang = "en"
    assert client.get("/account").status_code == 200
    assert person.locale == "en"
