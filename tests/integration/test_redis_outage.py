"""Issue 11, item 5: a Redis outage must not sign anybody out, expire their forms or lose their work.

A Redis of the test's own is stopped for real (no mock): sessions and CSRF secrets live in the database,
the throttles count in memory meanwhile, and the outbox keeps the submission's jobs in the database.
"""

from __future__ import annotations

import pytest

from portal.data import outbox as outbox_data
from portal.domain.identity import throttle
from portal.extensions import redis_connection
from tests import docfiles, journey
from tests.factories import PASSWORD
from tests.integration.test_required_zero import address
from tests.outage_servers import OwnRedis
from tests.sessions import sign_in_through_form

EXPIRED = "This form has expired"


@pytest.fixture
def own_redis(tmp_path, app, settings):
    """The app talks to a Redis of this test's own while the test runs."""
    server = OwnRedis(tmp_path).start()
    redis_connection.init_app(server.url, settings.instance_path)
    _forget_counts_made_in_memory()
    try:
        yield server
    finally:
        server.stop()
        redis_connection.init_app(settings.redis_url, settings.instance_path)
        _forget_counts_made_in_memory()


def _forget_counts_made_in_memory():
    """The throttles' outage counters live as long as the process: one test's must not block the next."""
    throttle._local.reset()


def _no_server_error(response, where: str):
    assert response.status_code < 500 or response.status_code == 503, (where, response.status_code)
    assert EXPIRED not in response.get_data(as_text=True), where
    return response


@pytest.fixture
def citizen(factories):
    return factories.person(
        email="chanthy@example.com", phone="+85512345601", locale="en", name_km="សុខ ចាន់ធី",
        name_latin="Sok Chanthy", national_id="012345678", date_of_birth=__import__("datetime").date(1990, 4, 13),
        province_code="02", district_code="0203", commune_code="020310", village_code="02031001",
        street="ផ្ទះលេខ ១២ ផ្លូវលេខ ៣",
    )


def test_an_applicant_mid_application_saves_steps_and_submits_while_redis_is_down(client, citizen, own_redis):
    sign_in_through_form(client, citizen)
    first = journey.start(client, "residence-certificate")
    page = client.get(first)
    assert page.status_code == 200

    own_redis.stop()  # Redis goes away while the person is filling the form

    response = _no_server_error(client.submit(page, {}, selector="main form[enctype]"), "save a step")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    end = journey.fill_steps(client, response.headers["Location"], {
        "residence": {**address("address"), "years": "១២", "book_type": "family_book", "book_number": "០២០៣១០-១២៣"},
        "purpose": {"purpose": "other", "purpose_other": "ដាក់ពាក្យសុំអាហារូបករណ៍", "equity_card": "no"},
        "declaration": {"declaration": "y"},
    })
    for requirement in ("id_card", "household_book"):
        journey.attach(client, end, requirement, docfiles.jpeg(), f"{requirement}.jpg")
    url = end.removesuffix("/documents")
    journey.submit(client, url)

    application = journey.application_for(url)
    assert application.state not in ("draft", "withdrawn") and application.reference.startswith("RC-")
    assert application.answers["purpose_other"] == "ដាក់ពាក្យសុំអាហារូបករណ៍"
    # The receipt's job waits in the outbox for Redis to come back.
    assert outbox_data.pending_count() >= 1
    # Still signed in, with nothing lost.
    assert _no_server_error(client.get(url), "the application page").status_code == 200


def test_signing_in_works_while_redis_is_down_and_guessing_is_still_limited(client, en, factories, own_redis):
    person = factories.person(phone="+85512345678", locale="en")
    own_redis.stop()
    sign_in_page = en.get("/sign-in")
    response = _no_server_error(en.submit(sign_in_page, {"contact": "012345678", "password": PASSWORD}),
                                "sign in")
    assert response.status_code == 302
    assert en.get("/account").status_code == 200

    guesser = en.application.test_client()
    guesser.expected_lang = None
    statuses = []
    for _ in range(4):
        page = guesser.get("/sign-in?lang=en")
        statuses.append(_no_server_error(
            guesser.submit(page, {"contact": person.phone, "password": "a wrong password"}), "guess").status_code)
    # Counted in memory with halved limits: two failures, then "too many attempts" (never unlimited).
    assert statuses == [400, 400, 429, 429]


def test_staff_finish_signing_in_with_their_code_while_redis_is_down_and_it_works_only_once(en, factories,
                                                                                                 own_redis):
    staff = factories.staff(locale="en")
    page = en.get("/sign-in")
    assert en.submit(page, {"contact": staff.email, "password": PASSWORD}).status_code == 302
    own_redis.stop()
    code = factories.totp_for(staff).now()
    response = _no_server_error(en.submit(en.get("/sign-in/code"), {"code": code}), "TOTP code")
    # The used codes are remembered in the database (not in Redis): signed in, and the code is used up.
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    en.delete_cookie("session")
    assert en.submit(en.get("/sign-in"), {"contact": staff.email, "password": PASSWORD}).status_code == 302
    replayed = _no_server_error(en.submit(en.get("/sign-in/code"), {"code": code}), "TOTP code replayed")
    assert replayed.status_code == 400
