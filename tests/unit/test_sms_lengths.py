"""Every text message the portal sends fits in two SMS parts, in Khmer and in English (issue 12,
point 7): Khmer goes as UCS-2, 67 characters a part when split, so at most 134 characters, links
included. Each message is rendered with the longest names the catalogue has (statuses, documents,
agencies), so a new service with a long title shows up here rather than on a phone bill."""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from portal.domain import assisted
from portal.domain.assisted import consent_sms
from portal.domain.catalogue import get_catalogue
from portal.domain.i18n.formatting import digits, pick
from portal.domain.identity.password_reset import person_for_token, reset_sms, short_reset_link
from portal.domain.identity.registration import already_registered_sms, code_sms
from portal.domain.notify import external_url
from portal.domain.notify.messages import MESSAGES, render
from portal.domain.notify.sms import count_parts

LOCALES = ("km", "en")
# A production address of the length the portal's will have; links are built from it.
BASE_URL = "https://onewindow.gov.kh"


@pytest.fixture
def portal(app, monkeypatch):
    settings = dataclasses.replace(app.config["PORTAL_SETTINGS"], base_url=BASE_URL)
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)
    with app.test_request_context():
        yield app


def longest(texts, locale: str) -> str:
    return max((pick(t, locale) for t in texts), key=len, default="x")


def longest_values(locale: str) -> dict:
    catalogue = get_catalogue()
    states = [s.label for service in catalogue.services if service.workflow
              for s in service.workflow.states.values()]
    outputs = [o.title for service in catalogue.services for o in service.outputs.values()]
    return {
        "reference": "TF-7KQ4-M9XD",
        "status": longest(states, locale),
        "document": longest(outputs, locale),
        "agency": longest([a.name for a in catalogue.agencies.values()], locale),
        "service": longest([s.title for s in catalogue.services], locale),
        "breached": 999, "due_soon": 999,
        "amount": digits("12,500,000 ៛", locale),  # a payment received
    }


def parts_problem(name: str, locale: str, text: str) -> str | None:
    if count_parts(text) <= 2:
        return None
    return f"{name} ({locale}, {len(text)} characters, {count_parts(text)} parts): {text}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_notification_sms_fits_in_two_parts(portal, locale):
    values = longest_values(locale)
    problems = []
    for name, message in MESSAGES.items():
        wanted = set(re.findall(r"%\((\w+)\)s", f"{message.subject._args[0]} {message.body._args[0]}"
                                                  f" {message.sms._args[0]}"))
        params = {key: values.get(key, "x") for key in wanted}
        problems.append(parts_problem(name, locale, render(name, params, locale).sms))
    assert [p for p in problems if p] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_account_sms_fits_in_two_parts(portal, locale):
    person = SimpleNamespace(public_id="A" * 22, password_hash="x")
    with force_locale(locale):
        texts = {
            "code": code_sms("123456", digits(30, locale)),
            "already registered": already_registered_sms(external_url("accounts.forgot_password")),
            "password reset": reset_sms(short_reset_link(portal.config["SECRET_KEY"], person)),
            "assisted consent": consent_sms("123456", "ស" * assisted.SMS_NAME_CHARS, digits(assisted.CODE_MINUTES,
                                                                                          locale)),
            "assisted registration": assisted.registration_sms("123456", "ស" * assisted.SMS_NAME_CHARS,
                                                               digits(assisted.REGISTRATION_MINUTES, locale)),
        }
    problems = [parts_problem(name, locale, text) for name, text in texts.items()]
    assert [p for p in problems if p] == []


def test_the_short_reset_link_opens_the_reset_page_with_its_token(portal, client, factories):
    person = factories.person(phone="+85512999111")
    link = short_reset_link(portal.config["SECRET_KEY"], person)
    path, token = link.removeprefix(BASE_URL).split("#")
    assert len(token) < 50
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/password/reset")
    assert "#" not in response.headers["Location"]  # the browser carries the fragment over
    assert person_for_token(portal.config["SECRET_KEY"], token) == person
    assert person_for_token(portal.config["SECRET_KEY"], token[:-1] + ("A" if token[-1] != "A" else "B")) is None
