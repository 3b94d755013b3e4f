"""Input without a physical keyboard on a kiosk (issue 14): digit pads under the fields that take digits and
radio tiles for a list shown elsewhere as a select. The same names and values reach the server, which reads
them as before (Khmer digits too); without a kiosk the pages are as they were. On a copy of the YAML-only
fixture service, its market list made long enough to be a select."""

from __future__ import annotations

import io

import pytest

from portal.data.db import db
from tests import docfiles, journey
from tests.integration.test_kiosks import enrolled
from tests.service_roots import copy_of_fixture, edit_service, services_root
from tests.sessions import sign_in_as

SLUG = "market-stall-permit"
MORE_MARKETS = [{"value": f"market-{n}", "label": {"km": f"ផ្សារទី{n}", "en": f"Market {n}"}} for n in range(1, 4)]
FORM = "main form#step-form"


def with_long_market_list(data):
    stall = next(step for step in data["steps"] if step["id"] == "stall")
    market = next(field for field in stall["fields"] if field["id"] == "market")
    market["options"].extend(MORE_MARKETS)


@pytest.fixture
def services(app, tmp_path):
    with services_root(app, copy_of_fixture(tmp_path), sync_agencies=True) as root:
        edit_service(app, root, SLUG, with_long_market_list)
        yield root


def trader(client, factories):
    person = factories.person(locale="km", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                              national_id="012345678", phone="+85512777889")
    sign_in_as(client, person)
    client.expected_lang = None  # Werkzeug's redirect pages say "en"; the step page's language is checked below
    return person


def stall_step(client):
    first = journey.start(client, SLUG)
    after_trader = client.submit(client.get(first), {}, selector=FORM)
    assert after_trader.status_code == 302
    url = after_trader.headers["Location"]
    assert url.endswith("/steps/stall")
    return url


def test_on_a_kiosk_digit_fields_get_a_pad_and_a_long_list_gets_tiles(app, client, factories, services):
    enrolled(client, factories)
    trader(client, factories)
    url = stall_step(client)
    page = client.get(url)
    assert page.soup.html["lang"] == "km"
    months = page.soup.select_one("input#months")
    assert months["inputmode"] == "numeric" and months["autocomplete"] == "off"
    pad = page.soup.select_one(".keypad[data-keypad=months]")
    assert pad is not None and pad.has_attr("hidden")  # shown by keypad.js
    assert "រយៈពេល" in pad["aria-label"] or pad["aria-label"].startswith("ផ្ទាំងលេខ")
    keys = [b.get("data-key") for b in pad.select("button[data-key]")]
    assert keys == list("១២៣៤៥៦៧៨៩០")  # Khmer digits on a Khmer page
    assert pad.select_one("button[data-key-clear]") and pad.select_one("button[data-key-back]")["aria-label"]
    assert all(b["type"] == "button" for b in pad.select("button"))  # a key never submits the form
    # The long market list: no select, one radio tile per option, no tile for "Choose".
    assert page.soup.select_one("select[name=market]") is None
    tiles = page.soup.select("fieldset#market input[type=radio][name=market]")
    assert len(tiles) == 4 + len(MORE_MARKETS) and "" not in [t["value"] for t in tiles]
    assert all(page.soup.select_one(f"label[for='{t['id']}']") for t in tiles)
    assert page.soup.select_one("fieldset#market input[type=hidden][name=market]")["value"] == ""
    # The server reads them as it reads the select and a typed number: Khmer digits too.
    saved = client.submit(page, {"market": "market-2", "stall_number": "B12", "goods": "បន្លែ", "months": "១២",
                                 "equity_card": "no"}, selector=FORM)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    again = client.get(url)
    assert again.soup.select_one("input[name=market][value=market-2]").has_attr("checked")
    assert again.soup.select_one("input#months")["value"] in ("12", "១២")


def test_on_a_kiosk_no_tile_chosen_is_the_same_error_as_no_option_chosen(app, client, factories, services):
    enrolled(client, factories)
    trader(client, factories)
    page = client.get(stall_step(client))
    answered = client.submit(page, {"stall_number": "B12", "goods": "បន្លែ", "months": "2", "equity_card": "no"},
                             selector=FORM)
    assert answered.status_code == 400  # as a step with a mistake answers everywhere
    assert answered.soup.select_one(".error-summary a[href='#market']") is not None
    assert answered.soup.select_one("fieldset#market.field-error") is not None


def test_without_a_kiosk_the_fields_are_as_they_were(app, client, factories, services):
    trader(client, factories)
    page = client.get(stall_step(client))
    assert page.soup.select_one(".keypad") is None and page.soup.select_one(".tiles") is None
    assert page.soup.select_one("select[name=market] option[value='']") is not None
    assert page.soup.select_one("input#months")["inputmode"] == "numeric"
    assert page.soup.select_one("input#months").get("autocomplete") is None


def test_the_sign_in_page_on_a_kiosk_offers_a_pad_for_the_phone_number(app, client, factories):
    enrolled(client, factories)
    client.expected_lang = "km"
    page = client.get("/sign-in")
    contact = page.soup.select_one("input#contact")
    assert contact["autocomplete"] == "off" and not contact.get("inputmode")  # an email can still be typed
    assert page.soup.select_one(".keypad[data-keypad=contact]") is not None
    assert page.soup.select_one(".keypad[data-keypad=password]") is None
    # A number typed on the pad in Khmer digits signs the person in.
    person = factories.person(phone="+85512345678", locale="km")
    db.session.commit()
    client.expected_lang = None  # the redirect page
    signed_in = client.submit(page, {"contact": "០១២ ៣៤៥ ៦៧៨", "password": factories.PASSWORD})
    assert signed_in.status_code == 302 and "/sign-in" not in signed_in.headers["Location"], person


def test_the_sign_in_page_without_a_kiosk_has_no_pad(client):
    page = client.get("/sign-in")
    assert page.soup.select_one(".keypad") is None
    assert page.soup.select_one("input#contact")["autocomplete"] == "username"
    assert 'src="/static/js/keypad.js' not in page.get_data(as_text=True)


def test_the_back_office_keeps_its_fields_on_a_kiosk(app, client, factories):
    enrolled(client, factories)
    admin = factories.admin()
    sign_in_as(client, admin)
    client.expected_lang = None
    page = client.get("/admin/kiosks/centres/new")
    assert page.status_code == 200 and page.soup.select_one("input#district")["inputmode"] == "numeric"
    assert page.soup.select_one(".keypad") is None


def test_on_a_kiosk_the_attach_form_sends_what_its_select_sent_when_nothing_is_touched(
        app, client, factories, services):
    # "None: I will upload a file" is a tile of its own (empty_tile): chosen when nothing else is, as the
    # select's first option was, so uploading a new file needs no tap on it.
    enrolled(client, factories)
    trader(client, factories)
    documents = journey.start(client, SLUG).split("/steps/")[0] + "/documents"
    page = client.get(documents)
    none_tile = page.soup.select_one("fieldset#existing input[type=radio][name=existing][value='']")
    assert none_tile is not None and none_tile.has_attr("checked")
    requirement = page.soup.select_one("fieldset#requirement input[type=radio][name=requirement]")
    assert requirement.has_attr("checked")  # no "Choose" option there: the first is chosen, as in a select
    attached = client.submit(page, {"file": (io.BytesIO(docfiles.png()), "id.png")},
                             selector="main form[enctype]", content_type="multipart/form-data")
    assert attached.status_code == 302, attached.get_data(as_text=True)[:1500]
