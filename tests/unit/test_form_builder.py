"""Forms built from a service definition: every field type, conditions, groups, files, rules."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from portal.domain.catalogue.expressions import parse
from portal.domain.catalogue.model import Field, Step
from portal.domain.fields.builder import (
    apply_rules,
    build_step_form,
    handle_group_buttons,
    newly_shown,
    pending_uploads,
    step_answers,
)
from portal.web.helpers import posted_form
from tests.unit.definition_fixture import SERVICE, STEP, a_place_chain, options, text, today, valid_answers, valid_post

RENDER = '{% from "components/definition_step.html" import render_step %}{{ render_step(form, step, locale) }}'
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _no_csrf(app):
    """These tests are about the fields; the page tests cover CSRF (and one test below)."""
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


def posted(app, data, *, lang="en", answers=None, documents=(), step=STEP, service=SERVICE):
    """The form of `step` after `data` was posted, validated; and its page context kept open."""
    context = app.test_request_context(f"/?lang={lang}", method="POST", data=data)
    context.push()
    form = build_step_form(service, step, answers or {}, lang, documents=documents, posted=posted_form())
    return context, form


@pytest.fixture
def post(app):
    contexts = []

    def post(data, **kwargs):
        context, form = posted(app, data, **kwargs)
        contexts.append(context)
        return form

    yield post
    for context in reversed(contexts):
        # The test client spools a large body to a temporary file that nothing else closes.
        context.request.environ["wsgi.input"].close()
        context.pop()


def shown(app, answers, *, lang="en", documents=(), step=STEP):
    """The form filled from saved answers (a GET), rendered; returns (form, html)."""
    with app.test_request_context(f"/?lang={lang}"):
        form = build_step_form(SERVICE, step, answers, lang, documents=documents)
        return form, render_template_string(RENDER, form=form, step=step, locale=lang)


def errors_of(form) -> dict:
    return json.loads(json.dumps(form.errors, default=str))


def browser_data(html: str) -> MultiDict:
    """What a browser would send for this HTML: inputs, checked boxes, selected options; no buttons."""
    page = BeautifulSoup(html, "html.parser")
    data = MultiDict()
    for element in page.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        kind = element.get("type", "text")
        if not name or kind in ("submit", "button", "file"):
            continue
        if element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            data.add(name, chosen.get("value", "") if chosen else "")
        elif element.name == "textarea":
            data.add(name, element.text.removeprefix("\n"))
        elif kind in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data.add(name, element.get("value", "on"))
        else:
            data.add(name, element.get("value", ""))
    return data


class TestValidAnswers:
    def test_what_a_person_types_is_saved_as_plain_values(self, post):
        form = post(valid_post())
        assert form.validate(), errors_of(form)
        assert step_answers(form, STEP) == valid_answers()

    def test_the_answers_are_json(self, post):
        form = post(valid_post())
        assert form.validate()
        assert json.loads(json.dumps(step_answers(form, STEP))) == valid_answers()

    def test_saved_answers_come_back_unchanged_through_the_page(self, app, post):
        _form, html = shown(app, valid_answers())
        form = post(browser_data(html))
        assert form.validate(), errors_of(form)
        assert step_answers(form, STEP) == valid_answers()

    def test_dollars_keep_their_cents(self, post):
        form = post({**valid_post(), "capital-amount": "$12.5", "capital-currency": "USD"})
        assert form.validate(), errors_of(form)
        assert step_answers(form, STEP)["capital"] == {"amount": "12.50", "currency": "USD"}

    def test_optional_fields_left_empty_are_none(self, post):
        data = {k: v for k, v in valid_post().items() if k in ("full_name", "name_km", "owners-0-name", "declaration")}
        form = post(data)
        assert form.validate(), errors_of(form)
        answers = step_answers(form, STEP)
        assert answers["years"] is None and answers["capital"] is None and answers["address"] is None
        assert answers["interests"] == [] and answers["licence"] is None and answers["purpose"] is None

    def test_khmer_digits_in_a_text_with_a_pattern_are_read_as_latin(self, post):
        form = post({**valid_post(), "tax_id": "K០០១-១២៣៤៥៦៧៨៩"})
        assert form.validate(), errors_of(form)
        assert step_answers(form, STEP)["tax_id"] == "K001-123456789"

    def test_a_date_typed_day_first_in_khmer_digits_is_read(self, post):
        form = post({**valid_post(), "started": "៣១/០១/២០២០"})
        assert form.validate(), errors_of(form)
        assert step_answers(form, STEP)["started"] == "2020-01-31"


class TestRequiredAndFormats:
    def test_an_empty_page_asks_for_each_required_field_by_name(self, post):
        form = post({"owners-0-share": ""})
        assert not form.validate()
        errors = errors_of(form)
        assert errors["full_name"] == ["“Business name”: this answer is needed"]
        assert errors["name_km"] == ["“Name in Khmer”: this answer is needed"]
        assert errors["declaration"] == ["Tick the box to confirm the declaration"]
        assert errors["owners"][0]["name"] == ["“Owner's name in Khmer”: this answer is needed"]

    def test_required_fields_render_as_required(self, app):
        _form, html = shown(app, {})
        page = BeautifulSoup(html, "html.parser")
        assert page.find("input", attrs={"name": "full_name"}).has_attr("required")
        assert not page.find("input", attrs={"name": "notes"}) and page.find("textarea", attrs={"name": "notes"})
        assert not page.find("input", attrs={"name": "years"}).has_attr("required")

    @pytest.mark.parametrize(("name", "typed", "message"), [
        ("years", "12.5", "“Years at this address”: enter a whole number, like 12"),
        ("years", "121", "“Years at this address” must be 120 or less"),
        ("years", "-1", "“Years at this address” must be 0 or more"),
        ("years", "9" * 40, "“Years at this address” is too large a number"),
        ("share", "1,5", "“Share of profits”: enter a number, like 12 or 12.5"),
        ("share", "NaN", "“Share of profits”: enter a number, like 12 or 12.5"),
        ("full_name", "x" * 81, "“Business name” must be 80 characters or fewer"),
        ("full_name", "Shop 🙂", "“Business name” can use letters, digits, spaces and punctuation, but not emoji, "
                                 "symbols or control characters"),
        ("full_name", "Shop\x00", "“Business name” can use letters, digits, spaces and punctuation, but not emoji, "
                                  "symbols or control characters"),
        ("tax_id", "K1-2", "Enter the tax ID like K001-123456789"),
        ("started", "2020-02-30", "“Date started”: enter a real date, for example 2026-03-15 or 15/03/2026"),
        # Tomorrow is worked out when the test runs: collection can be on the other side of midnight in Cambodia.
        pytest.param("started", lambda: (today() + timedelta(days=1)).isoformat(),
                     "“Date started” must be today or in the past", id="started-tomorrow"),
        ("expires", "2001-01-01", "“Licence expiry” must be today or in the future"),
        ("phone", "023 212 345", "Enter a mobile phone number; we send text messages to it, so a landline cannot "
                                 "be used"),
        ("email", "sok@", "Enter an email address in the correct format, like name@example.com"),
        ("national_id", "12345", "A national ID number has 9 or 10 digits"),
        ("name_km", "Sok", "Write the name in Khmer letters only, without Latin letters, digits or symbols"),
    ])
    def test_a_wrong_value_gets_a_clear_message(self, post, name, typed, message):
        form = post({**valid_post(), name: typed() if callable(typed) else typed})
        assert not form.validate()
        assert errors_of(form)[name] == [message]

    @pytest.mark.parametrize(("amount", "currency", "message"), [
        ("1500.50", "KHR", "Riel amounts are whole numbers: enter the amount without cents"),
        ("12.505", "USD", "Enter dollars with at most 2 digits for cents, like 12.50"),
        ("-5", "KHR", "The amount cannot be negative"),
        ("five", "KHR", "Enter the amount as a number, like 1,500,000 or 12.50"),
    ])
    def test_money_is_checked_for_its_currency(self, post, amount, currency, message):
        form = post({**valid_post(), "capital-amount": amount, "capital-currency": currency})
        assert not form.validate()
        assert errors_of(form)["capital"] == {"amount": [message]}

    def test_a_forged_currency_is_refused_not_replaced(self, post):
        form = post({**valid_post(), "capital-currency": "EUR"})
        assert not form.validate()
        assert errors_of(form)["capital"] == {"currency": ["Choose a currency from the list"]}

    def test_a_field_with_one_currency_takes_no_other(self, post):
        form = post({**valid_post(), "fee-currency": "USD"})
        assert form.validate(), errors_of(form)
        assert step_answers(form, STEP)["fee"] == {"amount": "10000", "currency": "KHR"}

    def test_an_address_must_be_complete_once_started(self, post):
        data = {k: v for k, v in valid_post().items() if not k.startswith("address-")}
        form = post({**data, "address-province": a_place_chain()[0]})
        assert not form.validate()
        assert errors_of(form)["address"] == {"district": ["Choose the district, municipality or khan"]}

    def test_a_required_address_left_empty_asks_for_the_province(self, post):
        step = replace(STEP, fields=(replace(STEP.fields[17], required=True),), rules=())
        form = post({}, step=step)
        assert not form.validate()
        assert errors_of(form) == {"address": {"province": ["Choose the province or capital"]}}


class TestForgedChoices:
    @pytest.mark.parametrize(("name", "value"), [("purpose", "lottery"), ("vehicle", "tank"),
                                                 ("purpose", "<script>"), ("vehicle", "")])
    def test_a_value_that_is_not_an_option_gets_a_message(self, post, name, value):
        form = post({**valid_post(), name: value})
        if value == "":
            assert form.validate() and step_answers(form, STEP)[name] is None
        else:
            assert not form.validate()
            assert errors_of(form)[name] == [f"“{form[name].label.text}”: choose one of the listed answers"]

    def test_a_forged_checkbox_value_gets_a_message(self, post):
        form = post({**valid_post(), "interests": ["sms", "fax"]})
        assert not form.validate()
        assert errors_of(form)["interests"] == ["“Send me news by”: choose one of the listed answers"]

    def test_the_message_names_the_field_in_the_language_of_the_page(self, post):
        form = post({**valid_post(), "purpose": "lottery"}, lang="km")
        assert not form.validate()
        assert "“ខ្មែរ”" in form.purpose.errors[0]

    def test_a_file_sent_where_text_was_expected_is_a_message(self, post):
        form = post({**valid_post(), "years": (io.BytesIO(b"12"), "years.txt"),
                     "purpose": (io.BytesIO(b"bank"), "purpose.txt")})
        assert not form.validate()
        assert set(errors_of(form)) == {"years", "purpose"}


HOLDERS = Step("holders", text("Holders"), fields=(Field(
    "holders", "group", text("Holder"), min_items=1, max_items=3, fields=(
        Field("nationality", "choice", text("Nationality"), options=options("kh", "th"), required=True),
        Field("national_id", "national_id", text("National ID number"), show_when=parse("nationality == 'kh'"),
              required_when=parse("nationality == 'kh'")),
    )),))


class TestFollowUpQuestionsInAGroup:
    def test_an_items_follow_up_question_is_on_the_page_hidden_with_its_condition(self, app):
        _form, html = shown(app, {"holders": [{"nationality": "th"}]}, step=HOLDERS)
        box = BeautifulSoup(html, "html.parser").select_one("#holders-0-national_id").find_parent(class_="conditional")
        assert box.has_attr("hidden")
        assert box.select_one("input[name=_shown]")["value"] == "holders-0-national_id"
        assert json.loads(box["data-show-when"])["left"] == {"field": "nationality"}

    def test_chosen_without_javascript_it_is_asked_not_called_a_mistake(self, post):
        form = post({"holders-0-nationality": "kh", "holders-0-national_id": ""}, step=HOLDERS,
                    answers={"holders": [{"nationality": "th"}]})
        assert not form.validate()
        assert [f.name for f in newly_shown(form)] == ["holders-0-national_id"]
        assert errors_of(form) == {}

    def test_once_seen_an_empty_answer_is_a_mistake(self, post):
        form = post({"holders-0-nationality": "kh", "holders-0-national_id": "", "_shown": "holders-0-national_id"},
                    step=HOLDERS)
        assert not form.validate()
        assert newly_shown(form) == []
        assert errors_of(form) == {"holders": [{"national_id": ["“National ID number”: this answer is needed"]}]}


class TestConditions:
    def test_a_field_shown_only_for_one_answer_is_not_in_the_form_otherwise(self, app):
        form, html = shown(app, {"purpose": "bank"})
        assert "purpose_other" not in form
        # On the page all the same, hidden, for the browser to show when the answer changes.
        box = BeautifulSoup(html, "html.parser").select_one("#purpose_other").find_parent(class_="conditional")
        assert box.has_attr("hidden") and box.has_attr("disabled")  # nothing in it is sent
        assert box.select_one("input[name=_shown]")["value"] == "purpose_other"
        assert json.loads(box["data-show-when"]) == {
            "compare": "==", "left": {"field": "purpose"}, "right": {"value": "other"}}

    def test_it_appears_for_that_answer_in_the_saved_answers(self, app):
        form, html = shown(app, {"purpose": "other"})
        assert "purpose_other" in form and 'name="purpose_other"' in html

    def test_it_appears_and_is_required_when_that_answer_is_chosen_on_the_same_page(self, post):
        form = post({**valid_post(), "purpose": "other"}, answers={"purpose": "bank"})
        assert not form.validate()
        assert errors_of(form) == {"purpose_other": ["“Other purpose”: this answer is needed"]}

    def test_a_hidden_fields_old_answer_is_cleared(self, post):
        form = post({**valid_post(), "purpose_other": "forged"}, answers={"purpose": "other", "purpose_other": "x"})
        assert form.validate(), errors_of(form)
        assert step_answers(form, STEP)["purpose_other"] is None

    def test_required_when_follows_earlier_answers(self, post):
        field = Field("reason", "text", text("Reason"), required_when=parse("years > 10"))
        step = Step("s", text("S"), (field,))
        assert not post({}, step=step, answers={"years": 12}).validate()
        assert post({}, step=step, answers={"years": 3}).validate()

    def test_a_cross_field_rule_puts_its_message_at_its_field(self, post):
        form = post({**valid_post(), "started": "2020-01-31", "expires": (today()).isoformat(),
                     "years": "1"})
        assert form.validate()
        started_later = {**valid_post(), "started": today().isoformat(), "expires": today().isoformat()}
        form = post(started_later)
        assert not form.validate()
        assert errors_of(form) == {"expires": ["The expiry must be after the start"]}

    def test_apply_rules_gives_messages_in_the_current_language(self, app):
        answers = {"started": "2026-01-02", "expires": "2026-01-01"}
        with app.test_request_context("/?lang=km"):
            assert apply_rules(STEP, answers) == {"expires": "ថ្ងៃផុតកំណត់ត្រូវនៅក្រោយថ្ងៃចាប់ផ្តើម"}
        with app.test_request_context("/?lang=en"):
            assert apply_rules(STEP, {**answers, "expires": "2027-01-01"}) == {}

    def test_rules_compare_numbers_as_numbers(self, app):
        rule_step = Step("s", text("S"), (Field("share", "number", text("Share")),),
                         rules=(replace(STEP.rules[0], check=parse("share <= 100"), field="share"),))
        with app.test_request_context("/?lang=en"):
            assert apply_rules(rule_step, {"share": "99.5"}) == {}
            assert apply_rules(rule_step, {"share": "100.5"}) == {"share": "The expiry must be after the start"}


class TestGroups:
    def test_a_group_with_no_items_gets_one_to_fill_when_it_needs_one(self, post):
        form = post({k: v for k, v in valid_post().items() if not k.startswith("owners-")})
        assert not form.validate()
        assert len(form.owners.entries) == 1
        assert errors_of(form)["owners"] == [{"name": ["“Owner's name in Khmer”: this answer is needed"]}]

    def test_one_item_is_saved_as_a_list_of_one(self, post):
        form = post(valid_post())
        assert form.validate()
        assert step_answers(form, STEP)["owners"] == [{"name": "ចាន់ ធី", "share": 50, "id_card": None}]

    def test_more_items_than_allowed_are_refused_with_a_message(self, post):
        items = {f"owners-{i}-name": "ចាន់ ធី" for i in range(5)}
        form = post({**valid_post(), **items})
        assert not form.validate()
        assert len(form.owners.entries) == 4  # max + 1 read, the rest not even built
        assert form.form_errors == ["“Owner”: enter no more than 3; remove the extra ones"]

    def test_item_numbers_with_gaps_are_read_in_order(self, post):
        form = post({**valid_post(), "owners-7-name": "សុខា"})
        assert form.validate(), errors_of(form)
        assert [o["name"] for o in step_answers(form, STEP)["owners"]] == ["ចាន់ ធី", "សុខា"]

    def test_each_item_is_a_fieldset_with_a_numbered_legend_and_buttons(self, app):
        answers = {"owners": [{"name": "ចាន់ ធី"}, {"name": "សុខា"}]}
        _form, html = shown(app, answers)
        group = BeautifulSoup(html, "html.parser").find("fieldset", id="owners")
        legends = [f.legend.get_text(strip=True) for f in group.find_all("fieldset", class_="group-item")]
        assert legends == ["Owner 1", "Owner 2"]
        buttons = [b["name"] for b in group.find_all("button")]
        assert buttons == ["remove:owners:0", "remove:owners:1", "add:owners"]

    def test_khmer_pages_number_the_items_in_khmer_digits(self, app):
        _form, html = shown(app, {"owners": [{"name": "ចាន់ ធី"}]}, lang="km")
        group = BeautifulSoup(html, "html.parser").find("fieldset", class_="group-item")
        assert "១" in group.legend.get_text()

    def test_add_another_adds_an_empty_item_and_saves_nothing(self, post):
        form = post({**valid_post(), "add:owners": "1"})
        assert handle_group_buttons(form, STEP)
        assert len(form.owners.entries) == 2
        assert form.owners.entries[1].form.name.data is None and not form.errors

    def test_add_another_stops_at_the_maximum(self, post):
        items = {f"owners-{i}-name": "ចាន់ ធី" for i in range(3)}
        form = post({**valid_post(), **items, "add:owners": "1"})
        assert handle_group_buttons(form, STEP)
        assert len(form.owners.entries) == 3

    def test_remove_takes_out_that_item(self, post):
        form = post({**valid_post(), "owners-1-name": "សុខា", "owners-2-name": "ធីតា", "remove:owners:1": "1"})
        assert handle_group_buttons(form, STEP)
        assert [e.form.name.data for e in form.owners.entries] == ["ចាន់ ធី", "ធីតា"]
        assert [e.form.name.name for e in form.owners.entries] == ["owners-0-name", "owners-1-name"]

    def test_the_last_required_item_cannot_be_removed(self, post):
        form = post({**valid_post(), "remove:owners:0": "1"})
        assert handle_group_buttons(form, STEP)
        assert len(form.owners.entries) == 1

    @pytest.mark.parametrize("button", ["remove:owners:99", "remove:owners:x", "add:nothing", "remove:name:0"])
    def test_a_forged_button_changes_nothing(self, post, button):
        form = post({**valid_post(), button: "1"})
        assert handle_group_buttons(form, STEP)
        assert len(form.owners.entries) == 1

    def test_no_button_means_no_handling(self, post):
        assert not handle_group_buttons(post(valid_post()), STEP)


class TestAddresses:
    def test_the_lists_are_filled_for_the_chosen_places(self, app):
        province, district, commune, village = a_place_chain()
        form, html = shown(app, {"address": {"province": province, "district": district}})
        assert len(form.address.form.district.choices) > 1 and len(form.address.form.commune.choices) > 1
        assert len(form.address.form.village.choices) == 1
        assert 'name="refresh"' in html and "data-geo-children" in html

    def test_update_the_lists_refreshes_without_saving(self, post):
        form = post({"address-province": a_place_chain()[0], "refresh": "address"})
        assert handle_group_buttons(form, STEP)
        assert len(form.address.form.district.choices) > 1 and not form.errors


class TestFiles:
    def test_an_upload_is_checked_then_stored_by_the_page_and_attached(self, post):
        form = post({**valid_post(), "licence-upload": (io.BytesIO(PDF), "licence.pdf")})
        assert form.validate(), errors_of(form)
        [upload] = pending_uploads(form)
        assert upload.file.read() == PDF
        upload.attach("doc123", "licence.pdf")
        assert step_answers(form, STEP)["licence"] == "doc123"

    def test_answers_cannot_be_read_before_an_upload_is_stored(self, post):
        form = post({**valid_post(), "licence-upload": (io.BytesIO(PDF), "licence.pdf")})
        assert form.validate()
        with pytest.raises(ValueError, match="attach"):
            step_answers(form, STEP)

    @pytest.mark.parametrize(("content", "message"), [
        (b"", "The file is empty. Choose the file again."),
        (b"MZ\x90\x00", "The file must be one of these types: PDF, PNG"),
        (PDF + b"x" * (1024 * 1024), "The file must be 1 MB or smaller"),
    ])
    def test_a_wrong_file_gets_a_message(self, post, content, message):
        form = post({**valid_post(), "licence-upload": (io.BytesIO(content), "x.pdf")})
        assert not form.validate()
        assert errors_of(form)["licence"] == {"upload": [message]}
        assert pending_uploads(form) == []

    def test_one_of_my_documents_can_be_chosen(self, post):
        form = post({**valid_post(), "licence-existing": "doc9"}, documents=[("doc9", "licence.pdf")])
        assert form.validate(), errors_of(form)
        assert step_answers(form, STEP)["licence"] == "doc9"

    def test_someone_elses_document_is_refused(self, post):
        form = post({**valid_post(), "licence-existing": "doc-of-someone-else"}, documents=[("doc9", "x.pdf")])
        assert not form.validate()
        assert errors_of(form)["licence"] == {"existing": ["Choose one of your documents from the list"]}

    def test_the_document_given_before_stays_choosable(self, post):
        form = post({**valid_post(), "licence-existing": "doc1"}, answers={"licence": "doc1"})
        assert form.validate(), errors_of(form)
        assert step_answers(form, STEP)["licence"] == "doc1"

    def test_a_file_in_a_group_item_is_found_too(self, post):
        form = post({**valid_post(), "owners-0-id_card-upload": (io.BytesIO(PDF), "id.pdf")})
        assert form.validate(), errors_of(form)
        [upload] = pending_uploads(form)
        upload.attach("doc5", "id.pdf")
        assert step_answers(form, STEP)["owners"][0]["id_card"] == "doc5"

    def test_the_page_offers_my_documents_beside_the_upload(self, app):
        _form, html = shown(app, {"licence": "doc9"}, documents=[("doc9", "licence.pdf")])
        select = BeautifulSoup(html, "html.parser").find("select", attrs={"name": "licence-existing"})
        assert select.find("option", selected=True)["value"] == "doc9"
        assert BeautifulSoup(html, "html.parser").find("input", attrs={"name": "licence-upload", "type": "file"})

    def test_a_required_file_asks_for_one(self, post):
        step = Step("s", text("S"), (Field("permit", "file", text("Permit"), required=True),))
        form = post({}, step=step)
        assert not form.validate()
        assert errors_of(form) == {"permit": {"upload": ["“Permit”: upload a file or choose one of your documents"]}}


class TestRendering:
    def test_every_field_is_rendered_once_with_unique_ids(self, app):
        _form, html = shown(app, {**valid_answers(), "purpose": "other", "owners": [{}, {}]})
        page = BeautifulSoup(html, "html.parser")
        ids = [element["id"] for element in page.find_all(id=True)]
        assert len(ids) == len(set(ids))
        names = {element.get("name") for element in page.find_all(["input", "select", "textarea"])}
        for spec in STEP.fields:
            assert any(name and name.split("-")[0] == spec.id for name in names), spec.id

    def test_few_options_are_radios_and_many_a_select(self, app):
        _form, html = shown(app, {})
        page = BeautifulSoup(html, "html.parser")
        assert len(page.find_all("input", attrs={"name": "purpose", "type": "radio"})) == 4
        assert page.find("select", attrs={"name": "vehicle"})
        assert len(page.find_all("input", attrs={"name": "interests", "type": "checkbox"})) == 3
        assert page.find("input", attrs={"name": "declaration", "type": "checkbox"})

    def test_dates_are_date_inputs_in_iso_form(self, app):
        _form, html = shown(app, {"started": "2020-01-31"})
        started = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "started"})
        assert started["type"] == "date" and started["value"] == "2020-01-31"

    def test_a_single_currency_is_said_not_asked(self, app):
        _form, html = shown(app, {})
        page = BeautifulSoup(html, "html.parser")
        assert page.find("select", attrs={"name": "capital-currency"})
        assert not page.find("select", attrs={"name": "fee-currency"})
        assert "In Riel (KHR)" in page.find("fieldset", id="fee").get_text()

    def test_labels_and_hints_are_in_the_page_language(self, app):
        _form, html = shown(app, {}, lang="km")
        assert "ឈ្មោះអាជីវកម្ម" in html and "Business name" not in html

    def test_errors_show_at_their_fields(self, post):
        form = post({"years": "abc"})
        form.validate()
        html = render_template_string(RENDER, form=form, step=STEP, locale="en")
        page = BeautifulSoup(html, "html.parser")
        assert page.find(id="years-error").get_text(" ", strip=True).startswith("Error:")
        assert page.find("input", attrs={"name": "years"})["aria-invalid"] == "true"


class TestDefinitionsTheBuilderRefuses:
    @pytest.mark.parametrize("field_id", ["data", "validate", "errors", "csrf_token", "on_submit", "a-b"])
    def test_a_field_id_that_forms_use_themselves(self, app, field_id):
        step = Step("s", text("S"), (Field(field_id, "text", text("X")),))
        with app.test_request_context("/"), pytest.raises(ValueError, match=field_id):
            build_step_form(SERVICE, step, {}, "en")


def test_the_form_checks_its_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/?lang=en", method="POST", data=valid_post()):
        form = build_step_form(SERVICE, STEP, {}, "en", posted=posted_form())
        assert not form.validate()
        assert "csrf_token" in form.errors


def test_a_step_form_class_is_built_once_per_version_step_and_language(app):
    from portal.domain.fields.builder import build_step_form

    service = replace(SERVICE, content_hash="kept-class-test")
    built = {}
    for lang in ("en", "km", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            built.setdefault(lang, []).append(type(build_step_form(service, STEP, {}, lang)))
    assert built["en"][0] is built["en"][1]
    assert built["km"][0] is not built["en"][0]
    with app.test_request_context("/?lang=en"):
        # Another person's documents offered beside the file inputs: another class.
        assert type(build_step_form(service, STEP, {}, "en", documents=[("d1", "mine.pdf")])) is not built["en"][0]
