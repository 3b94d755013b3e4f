"""Issue 12, item 16: in development without PORTAL_BASE_URL, links in QR codes, emails and text messages
point at the address the portal is actually served at, not at port 5000; production keeps its own."""

from __future__ import annotations

import dataclasses
import re
import shutil

import pytest

from portal.cli.serve import record_served_address
from portal.config import load_settings
from portal.domain import links
from portal.domain.rendering.issuing import verification_url
from tests.messages import emails_to, plain_text, run_jobs

ELSEWHERE = "http://127.0.0.1:5123"


@pytest.fixture
def development(app):
    """The portal as `make run` starts it: development, PORTAL_BASE_URL unset (served on 5000 by default)."""
    saved = app.config["PORTAL_SETTINGS"]
    app.config["PORTAL_SETTINGS"] = dataclasses.replace(saved, env="development", base_url="http://127.0.0.1:5000",
                                                        base_url_fixed=False)
    yield app
    app.config["PORTAL_SETTINGS"] = saved


@pytest.fixture(autouse=True)
def _empty_outboxes(settings):
    for kind in ("mail", "sms"):
        shutil.rmtree(settings.instance_path / kind, ignore_errors=True)


def reset_link_sent(app, client, factories, served_at: str) -> str:
    factories.person(email="dara@example.com", locale="en")
    page = client.get("/password/forgot", base_url=served_at)
    assert client.submit(page, {"contact": "dara@example.com"}, base_url=served_at).status_code == 302
    run_jobs(app)
    (message,) = emails_to(app.config["PORTAL_SETTINGS"].instance_path, "dara@example.com")
    return re.search(r"https?://\S+/password/reset#\S+", plain_text(message)).group(0)


def test_a_reset_link_sent_by_the_worker_of_a_portal_served_on_another_port_points_at_that_port(
        development, client, factories):
    record_served_address("127.0.0.1", 5123)  # `flask serve --port 5123`
    assert reset_link_sent(development, client, factories, ELSEWHERE).startswith(ELSEWHERE + "/password/reset#")


def test_with_portal_base_url_set_the_host_a_request_names_never_reaches_a_link(app, client, factories):
    link = reset_link_sent(app, client, factories, "http://evil.example")
    assert link.startswith("http://portal.test/password/reset#")


class TestLinksMadeWhileAnsweringARequest:
    def test_in_development_they_follow_the_address_the_request_came_to(self, development):
        with development.test_request_context("/", base_url="http://192.168.1.20:5123"):
            development.preprocess_request()
            assert links.external_url("accounts.sign_in") == "http://192.168.1.20:5123/sign-in"
        # The request ended: a job run afterwards in this process uses the served address again.
        assert links.base_url() == "http://127.0.0.1:5000"

    def test_with_portal_base_url_set_they_do_not(self, app):
        with app.test_request_context("/", base_url="http://evil.example"):
            app.preprocess_request()
            assert links.external_url("accounts.sign_in") == "http://portal.test/sign-in"


class TestFlaskServe:
    def test_it_records_the_address_it_serves_for_itself_and_its_worker(self, development):
        address, worker_env = record_served_address("127.0.0.1", 5123)
        assert address == ELSEWHERE
        # Outside any request (a QR code rendered by a job, a message sent by one) links use it ...
        assert links.base_url() == ELSEWHERE
        assert verification_url(links.base_url(), "t0k3n") == ELSEWHERE + "/verify/t0k3n"
        assert links.external_url("accounts.sign_in") == ELSEWHERE + "/sign-in"
        # ... and so does the worker it starts, which reads its settings from the environment.
        worker = load_settings({"PORTAL_ENV": "development", **worker_env},
                               instance_path=development.config["PORTAL_SETTINGS"].instance_path)
        assert worker.base_url == ELSEWHERE and not worker.base_url_fixed

    def test_a_wildcard_host_is_linked_as_this_machine(self, development):
        assert record_served_address("0.0.0.0", 8080)[0] == "http://127.0.0.1:8080"  # noqa: S104

    def test_a_configured_portal_base_url_is_kept(self, app):
        address, worker_env = record_served_address("127.0.0.1", 5123)
        assert worker_env == {} and links.base_url() == "http://portal.test"
