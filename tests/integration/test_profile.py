"""A person's own page, editing their details, and the address picker with and without JavaScript."""

from __future__ import annotations

from datetime import date

import pytest

from portal.data import people
from tests import factories
from tests.sessions import sign_in_through_form as sign_in

ADDRESS = {"province": "02", "district": "0203", "commune": "020310", "village": "02031001"}
DETAILS = {"name_km": "សុខ ចាន់ធី", "name_latin": "Sok Chanthy", "national_id": "012345678",
           "date_of_birth": "1990-03-15", **ADDRESS, "street": "ផ្ទះលេខ ១២ ផ្លូវ ៣"}


@pytest.fixture
def person(client):
    someone = factories.person(email="chanthy@example.com", locale="en")
    sign_in(client, someone)
    client.expected_lang = "en"
    return someone


def stored(person):
    return people.get_by_public_id(person.public_id)


def options(response, name):
    return [o.get("value") for o in response.soup.select(f"select[name={name}] option")]


def error_messages(response):
    return [li.get_text(" ", strip=True) for li in response.soup.select(".error-summary li")]


class TestTheAccountPage:
    def test_it_asks_a_visitor_to_sign_in(self, client):
        response = client.get("/account")
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]

    def test_it_shows_what_is_not_given_yet_and_links_to_the_forms(self, client, person):
        response = client.get("/account")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        text = response.soup.main.get_text(" ", strip=True)
        assert "chanthy@example.com" in text and "Not given" in text
        links = [a["href"] for a in response.soup.main.select("a")]
        assert "/account/profile" in links and "/account/businesses/new" in links

    def test_it_shows_saved_details_and_the_address_in_the_page_language(self, client, person):
        client.post("/account/profile", data={**DETAILS, "csrf_token": _token(client, "/account/profile")})
        text = client.get("/account").soup.main.get_text(" ", strip=True)
        for shown in ("សុខ ចាន់ធី", "Sok Chanthy", "012345678", "March 15, 1990", "ផ្ទះលេខ ១២ ផ្លូវ ៣",
                      "Preaek Moha Tep", "Svay Por", "Battambang"):
            assert shown in text

        client.expected_lang = "km"
        khmer = client.get("/account?lang=km").soup.main.get_text(" ", strip=True)
        assert "១៥ មីនា ១៩៩០" in khmer
        assert "ព្រែកមហាទេព" in khmer and "ស្វាយប៉ោ" in khmer and "បាត់ដំបង" in khmer
        assert "012345678" in khmer, "identifiers stay in Latin digits"

    def test_it_lists_the_businesses_the_person_belongs_to(self, client, person):
        from portal.data import organisations
        from portal.data.db import db

        organisations.create(owner=stored(person), name_km="ហាងលក់គ្រឿងទេស", name_en="Spice Shop")
        db.session.commit()
        text = client.get("/account").soup.main.get_text(" ", strip=True)
        assert "Spice Shop" in text


def _token(client, path):
    return client.get(path).soup.select_one("main form input[name=csrf_token]")["value"]


class TestEditingTheDetails:
    def test_a_realistic_khmer_profile_is_saved_and_shown_again_in_the_form(self, client, person):
        form = client.get("/account/profile")
        assert form.status_code == 200
        response = client.submit(form, DETAILS)
        assert response.status_code == 302
        assert response.headers["Location"] == "/account"

        saved = stored(person)
        assert (saved.name_km, saved.name_latin, saved.national_id, saved.date_of_birth) == (
            "សុខ ចាន់ធី", "Sok Chanthy", "012345678", date(1990, 3, 15))
        assert (saved.province_code, saved.district_code, saved.commune_code, saved.village_code,
                saved.street) == ("02", "0203", "020310", "02031001", "ផ្ទះលេខ ១២ ផ្លូវ ៣")

        again = client.get("/account/profile")
        _, values = client.form_values(again)
        assert {k: values[k] for k in DETAILS} == DETAILS

    def test_khmer_digits_are_read_and_stored_as_latin_digits(self, client, person):
        response = client.submit(client.get("/account/profile"),
                                 {"national_id": "០១២៣៤៥៦៧៨៩", "date_of_birth": "១៥/០៣/១៩៩០"})
        assert response.status_code == 302
        assert (stored(person).national_id, stored(person).date_of_birth) == ("0123456789", date(1990, 3, 15))

    def test_details_can_be_cleared_again(self, client, person):
        client.submit(client.get("/account/profile"), DETAILS)
        cleared = dict.fromkeys(DETAILS, "")
        assert client.submit(client.get("/account/profile"), cleared).status_code == 302
        saved = stored(person)
        assert saved.name_km is None and saved.village_code is None and saved.street is None

    def test_a_village_whose_code_is_shared_in_its_commune_is_saved_by_its_key(self, client, person):
        address = {"province": "08", "district": "0812", "commune": "081203", "village": "081203~2"}
        assert client.submit(client.get("/account/profile"), address).status_code == 302
        assert stored(person).village_code == "081203~2"
        text = client.get("/account").soup.main.get_text(" ", strip=True)
        assert "Preaek Sdei" in text

    def test_the_form_follows_the_portal_conventions(self, client, person):
        page = client.get("/account/profile").soup
        form = page.select_one("main form")
        assert form.has_attr("novalidate")
        assert page.select_one("#name_km")["lang"] == "km"
        assert page.select_one("#name_latin")["lang"] == "en"
        assert page.select_one("#date_of_birth")["type"] == "date"
        assert page.select_one("#date_of_birth")["autocomplete"] == "bday"
        assert page.select_one("#national_id")["inputmode"] == "numeric"
        assert page.select_one("#street")["autocomplete"] == "address-line1"
        first_button = form.select_one("button[type=submit]")
        assert first_button.get("name") != "refresh", "Enter in a text box must save, not refresh"

    def test_the_page_is_in_khmer_by_default(self, client):
        sign_in(client, factories.person())
        response = client.get("/account/profile")
        assert response.status_code == 200
        assert response.soup.html["lang"] == "km"


class TestTheAddressCascadeWithoutJavaScript:
    def test_at_first_only_the_provinces_are_listed(self, client, person):
        response = client.get("/account/profile")
        assert len(options(response, "province")) == 26
        assert options(response, "district") == [""]
        assert options(response, "village") == [""]

    def test_update_the_lists_fills_the_level_below_and_saves_nothing(self, client, person):
        page = client.get("/account/profile")
        button = page.soup.select_one("button[name=refresh]")
        assert button.has_attr("formnovalidate") and button["type"] == "submit"

        with_districts = client.submit(page, {"name_km": "សុខ ចាន់ធី", "province": "02", "refresh": "1"})
        assert with_districts.status_code == 200
        assert "0203" in options(with_districts, "district")
        assert options(with_districts, "commune") == [""]
        assert with_districts.soup.select_one("#name_km")["value"] == "សុខ ចាន់ធី", "typed text is kept"

        with_communes = client.submit(with_districts, {"district": "0203", "refresh": "1"})
        assert "020310" in options(with_communes, "commune")
        with_villages = client.submit(with_communes, {"commune": "020310", "refresh": "1"})
        assert set(options(with_villages, "village")) == {"", "02031001", "02031002", "02031003", "02031004"}
        assert stored(person).name_km is None and stored(person).province_code is None

        saved = client.submit(with_villages, {"village": "02031004"})
        assert saved.status_code == 302
        assert stored(person).village_code == "02031004"

    def test_changing_the_province_empties_the_lists_below_it(self, client, person):
        client.submit(client.get("/account/profile"), DETAILS)
        page = client.get("/account/profile")
        assert "02031001" in options(page, "village")
        changed = client.submit(page, {"province": "17", "refresh": "1"})
        assert changed.status_code == 200
        assert "1702" in options(changed, "district")
        assert changed.soup.select_one("select[name=district] option[selected]") is None
        assert options(changed, "commune") == [""] and options(changed, "village") == [""]
        assert stored(person).province_code == "02"

    def test_a_refresh_with_garbage_still_answers_a_page(self, client, person):
        response = client.submit(client.get("/account/profile"),
                                 {"province": "🙂", "district": "x" * 5000, "date_of_birth": "nonsense",
                                  "refresh": "1"})
        assert response.status_code == 200
        assert options(response, "district") == [""]

    def test_the_page_loads_the_address_script_deferred_and_has_no_inline_script(self, client, person):
        page = client.get("/account/profile").soup
        scripts = page.select("script")
        assert all(s.get("src") and not s.get_text(strip=True) for s in scripts)
        address = [s for s in scripts if s["src"] == "/static/js/address.js"]
        assert len(address) == 1 and address[0].has_attr("defer")
        fieldset = page.select_one("fieldset[data-geo-children]")
        assert fieldset["data-geo-children"] == "/geo/children"
        levels = [s["data-geo-level"] for s in fieldset.select("select")]
        assert levels == ["province", "district", "commune", "village"]


class TestTheGeoEndpoint:
    def test_it_lists_the_districts_of_a_province_in_the_requested_language(self, client):
        response = client.get("/geo/children?level=district&parent=02&lang=en")
        assert response.status_code == 200
        assert response.json["level"] == "district" and response.json["parent"] == "02"
        names = {item["code"]: item["name"] for item in response.json["items"]}
        assert len(names) == 14 and names["0203"] == "Battambang"
        khmer = client.get("/geo/children?level=district&parent=02&lang=km").json
        assert {i["code"]: i["name"] for i in khmer["items"]}["0203"] == "បាត់ដំបង"

    def test_it_lists_communes_and_villages_by_the_keys_the_form_accepts(self, client):
        communes = client.get("/geo/children?level=commune&parent=0203").json["items"]
        assert "020310" in {c["code"] for c in communes}
        villages = client.get("/geo/children?level=village&parent=081203").json["items"]
        codes = [v["code"] for v in villages]
        assert len(codes) == len(set(codes)) and "081203~1" in codes

    @pytest.mark.parametrize("query", [
        "level=district&parent=99", "level=province&parent=", "level=village&parent=1209", "level=commune&parent=02",
        "level=village&parent=120913", "level=x&parent=02", "", "level=district&parent=🙂",
    ])
    def test_an_unknown_level_or_parent_answers_404_in_json(self, client, query):
        response = client.get(f"/geo/children?{query}")
        assert response.status_code == 404
        assert response.is_json

    def test_it_works_without_signing_in_and_the_script_exists(self, client):
        assert client.get("/geo/children?level=district&parent=12").status_code == 200
        script = client.get("/static/js/address.js")
        assert script.status_code == 200 and b"data-geo-children" in script.data
        script.close()


BAD_INPUT = [
    ("name_km", "Sok Chanthy", "Write the name in Khmer letters only"),
    ("name_km", "សុខ🙂", "Write the name in Khmer letters only"),
    ("name_km", "ក", "between 2 and 60 characters"),
    ("name_km", "ក" * 61, "between 2 and 60 characters"),
    ("name_km", "ាសុខ", "each word must begin with a Khmer consonant"),
    ("name_latin", "សុខ ចាន់ធី", "Latin letters"),
    ("name_latin", "Sok 🙂", "Latin letters"),
    ("name_latin", "S", "between 2 and 60 characters"),
    ("name_latin", "a" * 61, "between 2 and 60 characters"),
    ("name_latin", "Sok--Chanthy", "Begin and end each word with a letter"),
    ("national_id", "សុខ", "digits only"),
    ("national_id", "0123🙂45678", "digits only"),
    ("national_id", "12345", "9 or 10 digits"),
    ("national_id", "1" * 5000, "9 or 10 digits"),
    ("date_of_birth", "ថ្ងៃទី១៥", "a real date"),
    ("date_of_birth", "🙂", "a real date"),
    ("date_of_birth", "1990-02-30", "a real date"),
    ("date_of_birth", "2999-01-01", "today or in the past"),
    ("date_of_birth", "1800-01-01", "more than 120 years ago"),
    ("street", "ផ្ទះ 🙂", "not emoji"),
    ("street", "x" * 201, "200 characters or fewer"),
    ("street", "House\x0012", "not emoji"),
]


class TestBadInput:
    @pytest.mark.parametrize("name, value, message", BAD_INPUT)
    def test_each_bad_value_is_refused_with_a_clear_message_and_nothing_is_saved(
            self, client, person, name, value, message):
        response = client.submit(client.get("/account/profile"), {**DETAILS, name: value})
        assert response.status_code == 400
        messages = error_messages(response)
        assert len(messages) == 1 and message in messages[0]
        assert response.soup.select_one(f"#{name}")["aria-invalid"] == "true"
        assert stored(person).name_km is None and stored(person).province_code is None

    @pytest.mark.parametrize("address, field, message", [
        ({"district": "", "commune": "", "village": ""}, "district", "Choose the district"),
        ({"province": "", "district": "", "commune": "", "village": "", "street": "House 12"}, "province",
         "Choose the province"),
        ({"province": "01"}, "district", "for the chosen province"),
        ({"district": "0204"}, "commune", "for the chosen district"),
        ({"commune": "020309"}, "village", "for the chosen commune"),
        ({"village": "02140401"}, "village", "for the chosen commune"),
        ({"province": "2"}, "province", "from the list"),
        ({"province": "<script>alert(1)</script>"}, "province", "from the list"),
        ({"province": "បាត់ដំបង"}, "province", "from the list"),
        ({"village": "🙂"}, "village", "for the chosen commune"),
        ({"commune": "120913", "district": "1209", "province": "12", "village": "12091301"}, "commune",
         "for the chosen district"),
    ])
    def test_an_incomplete_inconsistent_or_forged_address_is_refused(self, client, person, address, field, message):
        response = client.submit(client.get("/account/profile"), {**DETAILS, **address})
        assert response.status_code == 400
        assert any(message in m for m in error_messages(response))
        assert response.soup.select_one(f"#{field}")["aria-invalid"] == "true"
        assert stored(person).province_code is None and stored(person).name_km is None

    def test_every_problem_is_listed_at_once(self, client, person):
        response = client.submit(client.get("/account/profile"),
                                 {"name_km": "Sok", "national_id": "abc", "province": "02"})
        assert response.status_code == 400
        assert len(error_messages(response)) == 3  # two fields, and the district (the first level missing)

    def test_a_post_without_its_csrf_token_is_refused(self, client, person):
        response = client.post("/account/profile", data=DETAILS)
        assert response.status_code == 400
        assert stored(person).name_km is None

    def test_the_khmer_page_answers_bad_input_in_khmer_with_an_error_summary(self, client):
        someone = factories.person()
        sign_in(client, someone)
        response = client.submit(client.get("/account/profile"), {"name_latin": "សុខ🙂", "province": "99"})
        assert response.status_code == 400
        assert response.soup.html["lang"] == "km"
        assert response.soup.select_one(".error-summary[role=alert]") is not None
        assert len(error_messages(response)) == 2
