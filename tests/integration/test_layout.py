"""The shared layout on every public page: one h1, skip link, language switch, headers, assets,
and the form helpers' markup (label, hint, error message, error summary)."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired

PUBLIC_PAGES = [
    "/",
    "/services/business-registration",
    "/services/residence-certificate",
    "/services/tax-filing",
    "/services/vehicle-registration",
    "/sign-in",
    "/register",
    "/help",
    "/contact",
    "/privacy",
]
LANGS = ["km", "en"]
KHMER_UNICODE_RANGE = "U+1780-17FF, U+19E0-19FF, U+200B-200D, U+25CC"


def stylesheet(client) -> str:
    with client.get("/static/css/portal.css") as response:
        return response.get_data(as_text=True)


def get(client, path: str, lang: str):
    client.expected_lang = lang
    return client.get(f"{path}?lang={lang}")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", [*PUBLIC_PAGES, "/no-such-page"])
class TestEveryPublicPage:
    def test_has_exactly_one_h1(self, client, path, lang):
        soup = get(client, path, lang).soup
        assert len(soup.find_all("h1")) == 1
        assert soup.h1.get_text(strip=True)

    def test_starts_with_a_skip_link_to_the_main_content(self, client, path, lang):
        soup = get(client, path, lang).soup
        first_focusable = soup.body.find(["a", "button", "input", "select", "textarea"])
        assert "skip-link" in first_focusable["class"]
        target = soup.find(id=first_focusable["href"].removeprefix("#"))
        assert target is not None and target.name == "main"
        assert target["tabindex"] == "-1"  # so that following the link moves keyboard focus too
        assert len(soup.find_all("main")) == 1

    def test_has_the_language_switch_with_each_language_named_in_itself(self, client, path, lang):
        soup = get(client, path, lang).soup
        form = soup.select_one("header form.language-switch")
        assert form["method"] == "post" and form["action"] == "/language"
        buttons = {b["value"]: b for b in form.find_all("button", attrs={"name": "lang"})}
        assert {code: (b.get_text(strip=True), b["lang"]) for code, b in buttons.items()} == {
            "km": ("ខ្មែរ", "km"),
            "en": ("English", "en"),
        }
        assert buttons[lang].get("aria-current") == "true"
        assert all(b["type"] == "submit" for b in buttons.values())

    def test_is_sent_with_the_security_headers(self, client, path, lang):
        headers = get(client, path, lang).headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"

    def test_has_no_inline_script_or_style_that_the_policy_would_block(self, client, path, lang):
        soup = get(client, path, lang).soup
        assert all(script.get("src") for script in soup.find_all("script"))
        assert soup.find("style") is None
        assert soup.find(attrs={"style": True}) is None
        assert not [tag.name for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


class TestLanguageSwitch:
    def test_it_brings_the_person_back_to_the_same_page_without_the_lang_parameter(self, client):
        client.expected_lang = "en"
        page = client.get("/services/tax-filing?lang=en&from=home")
        assert page.soup.select_one("form.language-switch input[name=next]")["value"] == \
            "/services/tax-filing?from=home"

    def test_pressing_a_button_switches_and_returns_to_the_page(self, client):
        page = client.get("/services/tax-filing")
        response = client.submit(page, {"lang": "en"}, selector="form.language-switch")
        assert response.status_code == 302
        assert response.headers["Location"] == "/services/tax-filing"
        client.expected_lang = "en"
        assert client.get("/services/tax-filing").soup.h1.get_text(strip=True) == "Monthly tax filing"

    def test_the_current_page_is_marked_in_the_navigation(self, client):
        soup = client.get("/").soup
        current = soup.select(".site-nav [aria-current=page]")
        assert [a["href"] for a in current] == ["/"]


class TestAssets:
    @pytest.mark.parametrize("lang", LANGS)
    def test_the_khmer_font_is_not_preloaded_so_a_local_copy_can_be_used_instead(self, client, lang):
        assert get(client, "/", lang).soup.select("link[rel=preload]") == []

    def test_the_stylesheet_script_and_images_the_layout_links_are_served(self, client):
        soup = client.get("/").soup
        urls = [link["href"] for link in soup.select("link[rel=stylesheet], link[rel=icon]")]
        urls += [script["src"] for script in soup.select("script[src]")]
        urls += [img["src"] for img in soup.select("img")]
        assert len(urls) >= 4
        for url in urls:
            with client.get(url) as response:
                assert response.status_code == 200, url

    def test_every_image_has_an_alt_text_or_is_marked_decorative(self, client):
        assert all(img.has_attr("alt") for img in client.get("/").soup.find_all("img"))

    def test_the_web_font_is_limited_to_khmer_text_and_is_served(self, client):
        css = stylesheet(client)
        faces = re.findall(r"@font-face\s*{([^}]*)}", css)
        assert len(faces) == 2
        for face in faces:
            assert KHMER_UNICODE_RANGE in face
            assert "font-display: swap" in face
            (url,) = re.findall(r'url\("([^"]+)"\)', face)
            with client.get(url) as font:
                assert font.status_code == 200 and font.mimetype == "font/woff2"
                assert font.get_data()[:4] == b"wOF2"

    def test_the_stylesheet_never_spaces_out_or_capitalises_letters(self, client):
        # Both break Khmer: letter-spacing splits clusters apart, and Khmer has no capitals.
        css = stylesheet(client)
        assert "text-transform" not in css
        assert set(re.findall(r"letter-spacing:\s*([^;]+);", css)) <= {"normal"}


class DemoForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Enter your full name")])
    kind = RadioField("Applying as", choices=[SelectChoice("c", "A citizen"), SelectChoice("b", "A business")],
                      validators=[InputRequired("Choose one")])
    agree = BooleanField("I agree", validators=[DataRequired("You must agree")])


FORM_PAGE = """{% from "components/forms.html" import field, error_summary, csrf %}
<html lang="en"><head><title>Form</title></head><body><main>
{{ error_summary(form) }}
<form method="post" novalidate>{{ csrf(form) }}
{{ field(form.name, hint="As on your ID card", autocomplete="name") }}
{{ field(form.kind) }}
{{ field(form.agree) }}
</form></main></body></html>"""


class TestFormHelpers:
    def render(self, app, data=None):
        from bs4 import BeautifulSoup

        from tests.client import check_page

        with app.test_request_context("/", method="GET" if data is None else "POST"):
            if data is None:
                form = DemoForm()
            else:
                form = DemoForm(formdata=MultiDict({**data, "csrf_token": generate_csrf()}))
                form.validate()
            html = render_template_string(FORM_PAGE, form=form)
        soup = BeautifulSoup(html, "html5lib")
        check_page(soup, "en")  # ids unique, labels and in-page links point at something
        return html, soup

    def test_a_valid_field_has_its_hint_and_no_stray_attributes(self, app):
        html, soup = self.render(app)
        assert soup.select_one(".error-summary") is None
        name = soup.find("input", id="name")
        assert name["aria-describedby"] == "name-hint"
        assert name["autocomplete"] == "name"
        assert "aria-invalid" not in name.attrs
        assert '"None"' not in html

    def test_errors_are_summarised_at_the_top_and_linked_to_each_field(self, app):
        _, soup = self.render(app, data={"name": ""})
        summary = soup.select_one(".error-summary")
        assert summary["role"] == "alert" and summary["tabindex"] == "-1" and summary.has_attr("data-autofocus")
        links = {a["href"]: a.get_text(strip=True) for a in summary.select("a")}
        assert links == {"#name": "Enter your full name", "#kind": "Choose one", "#agree": "You must agree"}

    def test_a_field_with_an_error_points_at_its_message_and_is_marked_invalid(self, app):
        _, soup = self.render(app, data={"name": ""})
        name = soup.find("input", id="name")
        assert name["aria-invalid"] == "true"
        assert name["aria-describedby"].split() == ["name-hint", "name-error"]
        assert "Enter your full name" in soup.find(id="name-error").get_text()
        assert "field-error" in name.find_parent(class_="field")["class"]

    def test_a_choice_between_options_is_a_fieldset_whose_legend_asks_the_question(self, app):
        _, soup = self.render(app, data={"name": ""})
        group = soup.find("fieldset", id="kind")
        assert group.legend.get_text(strip=True) == "Applying as"
        assert group["aria-describedby"] == "kind-error"
        options = group.find_all("input", type="radio")
        assert [soup.find("label", attrs={"for": o["id"]}).get_text(strip=True) for o in options] == \
            ["A citizen", "A business"]
