"""Password reset by a link sent by email or SMS, through a real RQ worker."""

from __future__ import annotations

import dataclasses
import email
import re
import shutil
import socket
import time
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from rq import Queue

from portal.domain.identity.password_reset import make_token, set_new_password
from portal.domain.identity.passwords import verify_password
from portal.extensions import db, redis_connection
from portal.jobs.outbox import relay_pending
from portal.jobs.queues import NOTIFICATIONS
from portal.jobs.worker import make_simple_worker
from tests.factories import PASSWORD
from tests.messages import emails_to, texts_to

NEW_PASSWORD = "ទឹកដោះគោ-milk-tea-7"
# Email carries /password/reset#<token>; a text message the short /r#<short token>, which leads there.
LINK = re.compile(r"http://portal\.test/(?:password/reset|r)#[A-Za-z0-9_.\-]+")


@pytest.fixture(autouse=True)
def _empty_outboxes(settings):
    """The instance directory lives for the whole run; each test reads only the messages it sent."""
    for kind in ("mail", "sms"):
        shutil.rmtree(settings.instance_path / kind, ignore_errors=True)


@pytest.fixture
def en(client):
    client.expected_lang = "en"
    client.get("/?lang=en")
    return client


def notifications_waiting() -> int:
    relay_pending()  # what the worker's relay does: committed outbox rows go to their queue
    return Queue(NOTIFICATIONS, connection=redis_connection.client).count


def run_jobs(app) -> None:
    relay_pending()
    make_simple_worker(app).work(burst=True)


def ask_for_link(client, contact):
    return client.submit(client.get("/password/forgot"), {"contact": contact})


def link_in(text: str) -> str:
    found = LINK.search(text)
    assert found, text
    return found.group(0)


def open_link(client, link: str):
    """What a browser does with the link: it asks for the page without the part after '#' (browsers
    never send it), then the page's script posts that part. Returns the answer to the post."""
    url, _, token = link.partition("#")
    page = client.get(urlsplit(url).path, follow_redirects=True)  # the fragment stays with the browser
    assert page.status_code == 200
    return client.submit(page, {"link": token})


def new_password_page(client, link: str):
    opened = open_link(client, link)
    assert opened.status_code == 302 and opened.headers["Location"] == "/password/new", opened.status_code
    return client.get("/password/new")


def token_link(app, person, key: str | None = None) -> str:
    return "http://portal.test/password/reset#" + make_token(key or app.config["SECRET_KEY"], person)


def sign_in(client, contact, password):
    return client.submit(client.get("/sign-in"), {"contact": contact, "password": password})


class TestAskingForALink:
    def test_the_answer_is_the_same_whether_or_not_an_account_exists(self, en, factories):
        factories.person(email="dara@example.com", locale="en")
        known = ask_for_link(en, "dara@example.com")
        unknown = ask_for_link(en, "nobody@example.com")
        assert known.status_code == unknown.status_code == 302
        assert known.headers["Location"] == unknown.headers["Location"] == "/password/forgot/sent"
        page = en.get("/password/forgot/sent")
        assert "If an account exists for what you entered, we have sent a link" in page.get_data(as_text=True)
        assert notifications_waiting() == 1

    def test_a_closed_account_gets_no_link(self, en, factories):
        factories.person(email="dara@example.com", locale="en", is_active=False)
        assert ask_for_link(en, "dara@example.com").status_code == 302
        assert notifications_waiting() == 0

    def test_no_more_than_three_links_an_hour_go_to_one_account(self, en, factories):
        factories.person(phone="+85512345678", locale="en")
        for _ in range(5):
            assert ask_for_link(en, "012 345 678").status_code == 302
        assert notifications_waiting() == 3

    @pytest.mark.parametrize(("contact", "message"), [
        ("", "Enter your email address or mobile phone number"),
        ("ស្រូវ", "Enter an email address, like"),
        ("🙂", "Enter an email address, like"),
        ("dara@", "Enter an email address in the correct format"),
    ])
    def test_bad_input_gets_a_clear_message(self, en, contact, message):
        response = ask_for_link(en, contact)
        assert response.status_code == 400
        assert message in response.soup.select_one(".error-summary").get_text(" ", strip=True)
        assert notifications_waiting() == 0

    def test_a_request_without_its_csrf_token_is_refused(self, en):
        en.get("/password/forgot")
        assert en.post("/password/forgot", data={"contact": "dara@example.com"}).status_code == 400


class TestResettingByEmail:
    def test_the_emailed_link_sets_a_new_password_once(self, app, en, factories, settings):
        person = factories.person(email="dara@example.com", locale="en")
        ask_for_link(en, "Dara@Example.com")
        run_jobs(app)
        [message] = emails_to(settings.instance_path, "dara@example.com")
        assert message["Subject"] == "Reset your One Window password"
        assert message["Content-Language"] == "en"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        link = link_in(text)
        assert link_in(html) == link

        page = new_password_page(en, link)
        assert page.status_code == 200
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        assert [i["autocomplete"] for i in page.soup.select("main form input[type=password]")] == \
            ["new-password", "new-password"]
        done = en.submit(page, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
        assert "Your password has been changed" in en.get("/sign-in").get_data(as_text=True)

        assert sign_in(en, "dara@example.com", PASSWORD).status_code == 400
        assert sign_in(en, "dara@example.com", NEW_PASSWORD).status_code == 302
        assert verify_password(person.password_hash, NEW_PASSWORD)

        again = open_link(en, link)
        assert again.status_code == 400
        assert "This link does not work any more" in again.get_data(as_text=True)
        assert again.headers["Referrer-Policy"] == "no-referrer"

    def test_the_email_goes_out_in_the_language_the_person_chose(self, app, client, factories, settings):
        factories.person(email="sokha@example.com", locale="km")
        ask_for_link(client, "sokha@example.com")
        run_jobs(app)
        [message] = emails_to(settings.instance_path, "sokha@example.com")
        assert message["Content-Language"] == "km"
        assert '<html lang="km">' in message.get_body(("html",)).get_content()

    def test_the_mail_log_names_the_file_but_not_the_address_or_link(self, app, en, factories, caplog):
        factories.person(email="dara@example.com", locale="en")
        ask_for_link(en, "dara@example.com")
        with caplog.at_level("INFO", logger="portal.domain.notify"):
            run_jobs(app)
        logged = " ".join(record.getMessage() for record in caplog.records if record.name.startswith("portal"))
        assert ".eml" in logged
        assert "dara@example.com" not in logged and "/password/reset#" not in logged

    @pytest.mark.parametrize(("data", "message"), [
        ({"password": "", "confirm": ""}, "Enter a password"),
        ({"password": "ab3$", "confirm": "ab3$"}, "at least 8 characters"),
        ({"password": "ស្រូវ", "confirm": "ស្រូវ"}, "at least 8 characters"),
        ({"password": "🙂", "confirm": "🙂"}, "at least 8 characters"),
        ({"password": "password1", "confirm": "password1"}, "too common"),
        ({"password": NEW_PASSWORD, "confirm": "🙂"}, "The passwords do not match"),
        ({"password": NEW_PASSWORD, "confirm": ""}, "Enter the password again"),
    ])
    def test_a_new_password_that_breaks_the_policy_is_refused_and_the_link_still_works(
            self, app, en, factories, data, message):
        person = factories.person(email="dara@example.com", locale="en")
        response = en.submit(new_password_page(en, token_link(app, person)), data)
        assert response.status_code == 400
        assert message in response.soup.select_one(".error-summary").get_text(" ", strip=True)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert verify_password(person.password_hash, PASSWORD)
        assert en.get("/password/new").status_code == 200

    def test_a_forged_link_does_not_work(self, en, factories):
        person = factories.person(email="dara@example.com", locale="en")
        forged = make_token("not the portal's secret key", person)
        assert open_link(en, f"http://portal.test/password/reset#{forged}").status_code == 400
        assert open_link(en, "http://portal.test/password/reset#🙂").status_code == 400
        assert en.get("/password/new").status_code == 400

    def test_a_link_older_than_an_hour_does_not_work(self, app, en, factories):
        class AnHourAgo(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(time.time()) - 3601

        person = factories.person(email="dara@example.com", locale="en")
        old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset", signer=AnHourAgo)
        fresh = make_token(app.config["SECRET_KEY"], person)
        payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset").loads(fresh)
        assert open_link(en, f"http://portal.test/password/reset#{old.dumps(payload)}").status_code == 400
        assert open_link(en, f"http://portal.test/password/reset#{fresh}").status_code == 302

    def test_a_reset_lifts_a_sign_in_lock(self, app, en, factories):
        person = factories.person(email="dara@example.com", locale="en")
        for _ in range(5):
            sign_in(en, "dara@example.com", "a wrong password")
        assert sign_in(en, "dara@example.com", PASSWORD).status_code == 429
        en.submit(new_password_page(en, token_link(app, person)), {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert sign_in(en, "dara@example.com", NEW_PASSWORD).status_code == 302


class TestTheTokenStaysOutOfUrls:
    """Issue 9, item 8: the token never travels in a URL a server, a proxy or a Referer sees."""

    def test_the_message_carries_the_token_after_the_hash_only(self, app, en, factories, settings):
        factories.person(email="dara@example.com", locale="en")
        ask_for_link(en, "dara@example.com")
        run_jobs(app)
        [message] = emails_to(settings.instance_path, "dara@example.com")
        link = link_in(message.get_body(("plain",)).get_content())
        url, _, token = link.partition("#")
        assert url == "http://portal.test/password/reset" and len(token) > 40

    def test_a_token_in_the_path_is_not_a_page(self, app, en, factories):
        person = factories.person(email="dara@example.com", locale="en")
        assert en.get(f"/password/reset/{make_token(app.config['SECRET_KEY'], person)}").status_code == 404

    def test_without_javascript_the_person_pastes_the_link_as_the_message_shows_it(self, app, en, factories):
        person = factories.person(email="dara@example.com", locale="en")
        link = token_link(app, person)
        # An SMS app may wrap a long link over lines.
        wrapped = "\n".join(link[i:i + 40] for i in range(0, len(link), 40))
        page = en.get("/password/reset")
        assert page.soup.select_one("form[data-fill-from-fragment=link] textarea, "
                                    "form[data-fill-from-fragment=link] input[name=link]") is not None
        response = en.submit(page, {"link": f"  {wrapped}  "})
        assert response.status_code == 302 and response.headers["Location"] == "/password/new"

    def test_an_empty_paste_gets_a_clear_message(self, en):
        response = en.submit(en.get("/password/reset"), {"link": " "})
        assert response.status_code == 400
        assert "Paste the whole link from your message" in response.soup.select_one(".error-summary").get_text()

    def test_the_new_password_page_needs_a_link_opened_in_this_session(self, app, en, factories):
        assert en.get("/password/new").status_code == 400
        person = factories.person(email="dara@example.com", locale="en")
        new_password_page(en, token_link(app, person))
        en.delete_cookie("session")
        assert en.get("/password/new").status_code == 400

    def test_the_link_opened_stops_working_once_the_password_changed_another_way(self, app, en, factories):
        person = factories.person(email="dara@example.com", locale="en")
        page = new_password_page(en, token_link(app, person))
        set_new_password(person, "a-different-password-42")
        db.session.commit()
        response = en.submit(page, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 400
        assert verify_password(person.password_hash, "a-different-password-42")


class TestResettingBySms:
    def test_a_phone_only_account_gets_the_link_by_sms(self, app, en, factories, settings):
        factories.person(phone="+85512345678", locale="en")
        ask_for_link(en, "០១២ ៣៤៥ ៦៧៨")
        run_jobs(app)
        [sms] = texts_to(settings.instance_path, "+85512345678")
        assert "Encoding: GSM-7" in sms
        page = new_password_page(en, link_in(sms))
        done = en.submit(page, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert done.headers["Location"] == "/sign-in"
        assert sign_in(en, "012345678", NEW_PASSWORD).status_code == 302


class SmtpInbox:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TestSendingOverSmtp:
    def test_the_reset_email_is_sent_to_the_configured_smtp_server(self, app, en, factories, settings):
        factories.person(email="dara@example.com", locale="en")
        inbox = SmtpInbox()
        server = Controller(inbox, hostname="127.0.0.1", port=_free_port())
        server.start()
        app.config["PORTAL_SETTINGS"] = dataclasses.replace(
            settings, mail_server="127.0.0.1", mail_port=server.port)
        try:
            ask_for_link(en, "dara@example.com")
            run_jobs(app)
        finally:
            app.config["PORTAL_SETTINGS"] = settings
            server.stop()
        [envelope] = inbox.envelopes
        assert envelope.rcpt_tos == ["dara@example.com"]
        assert envelope.mail_from == "no-reply@onewindow.gov.kh"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        link = link_in(message.get_body(("plain",)).get_content())
        assert open_link(en, link).status_code == 302
        assert emails_to(settings.instance_path, "dara@example.com") == []
