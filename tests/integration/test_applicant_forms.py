"""The applicant's form pages as people meet them (issue 12): "Save and continue later" keeps what
was typed, follow-up questions are asked rather than called mistakes, and the language switch on a
form page keeps the input. On a copy of the YAML-only fixture service, given a follow-up question
here, so that no test depends on the real services."""

from __future__ import annotations

import json

import pytest

from portal.data.db import db
from tests import journey
from tests.service_roots import copy_of_fixture, edit_service, services_root

SLUG = "market-stall-permit"
OTHER_MARKET = {"value": "other", "label": {"km": "ផ្សារផ្សេងទៀត", "en": "Another market"}}
FOLLOW_UP = {"id": "market_other", "type": "text", "max_length": 100,
             "show_when": "market == 'other'", "required_when": "market == 'other'",
             "label": {"km": "សូមបញ្ជាក់ឈ្មោះផ្សារ", "en": "Say which market"}}
# Filled from the profile while still hidden, as the vehicle owner's name is: asked all the same.
PREFILLED_FOLLOW_UP = {"id": "contact_name", "type": "latin_name", "prefill": "profile.name_latin",
                       "show_when": "market == 'other'", "required_when": "market == 'other'",
                       "label": {"km": "ឈ្មោះអ្នកទំនាក់ទំនង", "en": "Contact name"}}
STALL = {"market": "olympic", "stall_number": "B12", "goods": "បន្លែ", "months": "2", "equity_card": "no"}
FORM = "main form#step-form"


def with_follow_up(data):
    stall = next(step for step in data["steps"] if step["id"] == "stall")
    market = next(field for field in stall["fields"] if field["id"] == "market")
    market["options"].append(OTHER_MARKET)
    stall["fields"].insert(stall["fields"].index(market) + 1, FOLLOW_UP)
    stall["fields"].insert(stall["fields"].index(market) + 2, PREFILLED_FOLLOW_UP)


@pytest.fixture
def services(app, tmp_path):
    with services_root(app, copy_of_fixture(tmp_path), sync_agencies=True) as root:
        edit_service(app, root, SLUG, with_follow_up)
        yield root


def stall_step(client) -> str:
    first = journey.start(client, SLUG)
    after_trader = client.submit(client.get(first), {}, selector=FORM)
    assert after_trader.status_code == 302
    return after_trader.headers["Location"]


def summary(response) -> str:
    return " ".join(li.get_text(" ", strip=True) for li in response.soup.select(".error-summary li"))


class TestSaveAndContinueLater:
    def test_it_is_a_button_of_the_form_that_saves_what_was_typed_without_the_required_answers(
            self, client, trader, services):
        url = stall_step(client)
        page = client.get(url)
        button = page.soup.select_one(f"{FORM} button[name=save_draft]")
        assert button is not None and button.has_attr("formnovalidate")
        response = client.submit(page, {"goods": "Fresh fish", "stall_number": "", "save_draft": "1"}, selector=FORM)
        assert response.status_code == 302
        application = journey.application_for(url)
        assert application.state == "draft"
        assert application.answers["goods"] == "Fresh fish" and application.answers["stall_number"] is None
        landed = client.get(response.headers["Location"])
        assert "saved in your draft" in landed.soup.select_one(".notices").get_text()
        again = client.get(url)
        assert again.soup.select_one("#goods")["value"] == "Fresh fish"

    def test_the_saved_message_is_in_khmer_on_a_khmer_page(self, client, trader, services):
        url = stall_step(client)
        trader.locale = "km"
        db.session.commit()
        client.expected_lang = None  # Khmer pages; a redirect's own little page is in English
        page = client.get(url)
        response = client.submit(page, {"goods": "ត្រី", "save_draft": "1"}, selector=FORM)
        landed = client.get(response.headers["Location"])
        assert "សេចក្តីព្រាង" in landed.soup.select_one(".notices").get_text()

    @pytest.mark.parametrize("field, value", [("months", "two"), ("stall_number", "🙂"), ("market", "forged"),
                                              ("months", "9" * 5000)])
    def test_a_malformed_answer_saves_nothing_and_says_what_to_correct(self, client, trader, services, field, value):
        url = stall_step(client)
        page = client.get(url)
        response = client.submit(page, {"goods": "Fresh fish", field: value, "save_draft": "1"}, selector=FORM)
        assert response.status_code == 400
        assert "Nothing on this page was saved" in summary(response)
        assert journey.application_for(url).answers.get("goods") is None
        assert response.soup.select_one("#goods")["value"] == "Fresh fish"

    def test_only_a_draft_is_saved_without_its_checks(self, client, trader, services):
        url = stall_step(client)
        journey.application_for(url).state = "submitted"
        db.session.commit()
        # A submitted application's page is not offered (nothing opened), let alone saved half-done.
        assert client.post(url, data={"save_draft": "1", "csrf_token": client.csrf_token()}).status_code == 404


class TestFollowUpQuestions:
    def test_a_follow_up_question_is_on_the_page_hidden_with_its_condition_for_the_browser(
            self, client, trader, services):
        page = client.get(stall_step(client))
        box = page.soup.select_one("#market_other").find_parent(class_="conditional")
        assert box.has_attr("hidden") and box.has_attr("disabled")
        assert json.loads(box["data-show-when"]) == {
            "compare": "==", "left": {"field": "market"}, "right": {"value": "other"}}
        marker = box.select_one("input[name=_shown]")
        assert marker["value"] == "market_other"
        assert page.soup.select_one("script[src*='conditions.js']") is not None

    def test_without_javascript_the_new_question_is_asked_not_called_a_mistake(self, client, trader, services):
        url = stall_step(client)
        response = client.submit(client.get(url), {**STALL, "market": "other"}, selector=FORM)
        assert response.status_code == 200
        assert response.soup.select_one(".error-summary") is None
        notice = response.soup.select_one(".new-questions")
        assert "add 2 questions" in notice.get_text()
        assert "Say which market" in notice.get_text() and "Contact name" in notice.get_text()
        assert journey.application_for(url).answers.get("market") is None  # nothing saved unseen
        assert response.soup.select_one("#contact_name")["value"] == "Sok Chanthy"
        box = response.soup.select_one("#market_other").find_parent(class_="conditional")
        assert not box.has_attr("hidden") and "conditional-new" in box["class"]
        # What was typed is still there; the question now answered, the step goes on.
        assert response.soup.select_one("#goods")["value"] == STALL["goods"]
        done = client.submit(response, {"market_other": "Phsar Chas"}, selector=FORM)
        assert done.status_code == 302
        assert journey.application_for(url).answers["market_other"] == "Phsar Chas"

    def test_a_question_seen_and_left_empty_is_a_mistake_named_once(self, client, trader, services):
        url = stall_step(client)
        shown = client.submit(client.get(url), {**STALL, "market": "other"}, selector=FORM)
        response = client.submit(shown, {}, selector=FORM)
        assert response.status_code == 400
        assert summary(response) == "“Say which market”: this answer is needed"

    def test_in_khmer_the_message_does_not_wrap_the_label_in_another_instruction(self, client, trader, services):
        url = stall_step(client)
        trader.locale = "km"
        db.session.commit()
        client.expected_lang = None  # Khmer pages; a redirect's own little page is in English
        shown = client.submit(client.get(url), {**STALL, "market": "other"}, selector=FORM)
        client.expected_lang = "km"
        response = client.submit(shown, {}, selector=FORM)
        assert summary(response) == "“សូមបញ្ជាក់ឈ្មោះផ្សារ”៖ ត្រូវតែបំពេញចម្លើយនេះ"


class TestLanguageSwitchOnAForm:
    def test_the_switch_belongs_to_the_form_and_keeps_what_was_typed(self, client, trader, services):
        url = stall_step(client)
        page = client.get(url)
        khmer = page.soup.select_one("button[name=switch_language][value=km]")
        assert khmer is not None and khmer["form"] == "step-form"
        response = client.submit(page, {"goods": "Fresh fish", "stall_number": "", "switch_language": "km"},
                                 selector=FORM)
        assert response.status_code == 302 and response.headers["Location"] == url
        client.expected_lang = "km"
        again = client.get(url)
        assert again.soup.select_one("#goods")["value"] == "Fresh fish"
        assert trader.locale == "km"

    def test_a_malformed_answer_comes_back_as_typed_in_the_new_language(self, client, trader, services):
        url = stall_step(client)
        page = client.get(url)
        client.expected_lang = "km"
        response = client.submit(page, {"goods": "Fresh fish", "months": "two", "switch_language": "km"},
                                 selector=FORM)
        assert response.status_code == 400
        assert response.soup.select_one("#goods")["value"] == "Fresh fish"
        assert response.soup.select_one("#months")["value"] == "two"
        assert "“រយៈពេលជួល (ខែ)”" in summary(response)


def test_a_declaration_not_yet_made_does_not_stop_a_draft_being_saved(client, trader, services):
    first = journey.start(client, SLUG)
    declaration = first.rsplit("/", 1)[0] + "/declaration"
    response = client.submit(client.get(declaration), {"save_draft": "1"}, selector=FORM)
    assert response.status_code == 302
    assert journey.application_for(first).answers["declaration"] is None
