"""Issue 17: a business's software is told of its applications' state changes by a signed webhook. An owner adds
the endpoint on the business's page (the secret shown once); an application filed through the API moves to its
first state; a real RQ worker delivers the event to a local HTTP receiver, which checks the HMAC-SHA256
signature over the timestamp and the body; a failed attempt is kept, shown to the owner, and tried again."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from portal.data.db import db
from portal.data.models import WebhookDelivery
from portal.domain import webhooks
from portal.domain.applications import journey as applying
from portal.domain.catalogue import get_catalogue
from portal.web.api import PREFIX
from tests import journey
from tests.integration.test_api_filing import Filer, _answer_every_step, _draft, _file, _samples, business_services
from tests.sessions import sign_in_as


class Receiver:
    """A local HTTP endpoint that keeps what it is sent and answers with `status`."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/one-window"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _add_endpoint(client, filer, url: str) -> tuple[str, str]:
    filer.owner.locale = "en"
    db.session.commit()
    sign_in_as(client, filer.owner)
    client.expected_lang = "en"
    page = client.get(f"/account/businesses/{filer.organisation.public_id}/webhooks")
    assert page.status_code == 200
    made = client.submit(page, {"url": url}, selector="main form[action$='/webhooks']")
    assert made.status_code == 200 and made.headers["Cache-Control"].startswith("no-store")
    secret = made.soup.select_one("code.secret").get_text()
    [webhook] = webhooks.of_organisation(filer.organisation)
    assert secret.startswith("whsec_") and secret not in client.get(
        f"/account/businesses/{filer.organisation.public_id}/webhooks").get_data(as_text=True)
    return secret, webhook.secret_id


def _file_through_the_api(client, filer) -> dict:
    slug = business_services()[0]
    samples = _samples(get_catalogue().get(slug))
    draft = _answer_every_step(client, filer, _draft(client, filer, slug), samples)
    for requirement, kind in (samples.get("documents") or {}).items():
        data, name = _file(requirement, kind)
        client.post(f"{PREFIX}/applications/{draft['id']}/documents", headers=filer.headers(),
                    data={"requirement": requirement, "file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    submitted = client.post(f"{PREFIX}/applications/{draft['id']}/submit", headers=filer.headers())
    assert submitted.status_code == 200, submitted.json
    return submitted.json


def _signature_holds(secret: str, headers: dict, body: bytes) -> bool:
    expected = hmac.new(secret.encode(), headers["webhook-timestamp"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(headers["webhook-signature"], "v1=" + expected.hexdigest())


def test_a_state_change_reaches_the_business_s_software_signed(app, client, factories, receiver):
    filer = Filer(factories)
    secret, secret_id = _add_endpoint(client, filer, receiver.url)
    application = _file_through_the_api(client, filer)
    assert receiver.received == []  # nothing is sent from the request: the worker sends it
    journey.run_jobs(app)
    [(headers, body)] = receiver.received
    assert _signature_holds(secret, headers, body)
    assert not _signature_holds(secret, headers, body + b" ")  # a changed body does not verify
    assert headers["webhook-key-id"] == secret_id and headers["content-type"] == "application/json"
    event = json.loads(body)
    assert event["type"] == "application.state_changed" and headers["webhook-id"] == event["id"]
    assert event["data"]["application"] == application["id"] and event["data"]["reference"] == application["reference"]
    assert (event["data"]["from_state"], event["data"]["to_state"]) == ("draft", application["state"])
    page = client.get(f"/account/businesses/{filer.organisation.public_id}/webhooks").get_data(as_text=True)
    assert event["id"] in page and "Delivered" in page


def test_a_failed_attempt_is_kept_shown_and_tried_again_with_the_same_id(app, client, factories, receiver):
    filer = Filer(factories)
    secret, _secret_id = _add_endpoint(client, filer, receiver.url)
    receiver.status = 500
    _file_through_the_api(client, filer)
    journey.run_jobs(app)  # the attempt fails; RQ keeps the retry for later
    delivery = db.session.scalar(select(WebhookDelivery))
    assert (delivery.attempts, delivery.last_status, delivery.delivered_at) == (1, 500, None)
    page = client.get(f"/account/businesses/{filer.organisation.public_id}/webhooks").get_data(as_text=True)
    assert "Will try again" in page and "500" in page
    receiver.status = 204
    with app.app_context():
        assert webhooks.deliver(delivery.id) == "delivered"  # the retry, as RQ runs it
    db.session.expire_all()
    assert delivery.attempts == 2 and delivery.delivered_at is not None
    first, second = receiver.received
    assert first[0]["webhook-id"] == second[0]["webhook-id"] and first[1] == second[1]
    assert _signature_holds(secret, *second)
    with app.app_context():
        assert webhooks.deliver(delivery.id) == "done"  # a duplicate run sends nothing
    assert len(receiver.received) == 2


def test_a_receiver_that_never_answers_well_is_given_up_after_the_last_retry(app, factories, receiver):
    filer = Filer(factories)
    webhooks.add(filer.organisation, filer.owner, receiver.url)
    receiver.status = 503
    application = applying.start(get_catalogue().get(business_services()[0]), filer.owner, filer.organisation)
    webhooks.announce_state_change(application, "x", "submit", "draft", "submitted")
    db.session.commit()
    delivery = db.session.scalar(select(WebhookDelivery))
    for _attempt in range(len(webhooks.RETRY_INTERVALS) + 1):
        with pytest.raises(webhooks.DeliveryFailed):
            webhooks.deliver(delivery.id)
    db.session.expire_all()
    assert delivery.given_up_at is not None and delivery.attempts == len(webhooks.RETRY_INTERVALS) + 1
    assert webhooks.deliver(delivery.id) == "done"


@pytest.mark.parametrize(("url", "reason"), [("ftp://example.com/x", "scheme"), ("https://", "host"),
                                              ("https://user:pw@example.com/", "host"), ("not a url", "scheme")])
def test_an_address_that_cannot_be_used_is_refused_with_a_reason(url, reason, app):
    with pytest.raises(webhooks.AddressRefused) as refused:
        webhooks.check_address(url)
    assert refused.value.reason == reason


def test_in_production_only_https_to_public_addresses(app, monkeypatch):
    monkeypatch.setattr(webhooks, "_strict", lambda: True)
    for url, reason in (("http://example.com/", "scheme"), ("https://127.0.0.1/", "private"),
                        ("https://10.1.2.3/", "private"), ("https://169.254.169.254/latest", "private"),
                        ("https://[::1]/", "private")):
        with pytest.raises(webhooks.AddressRefused) as refused:
            webhooks.check_address(url)
        assert refused.value.reason == reason, url
    webhooks.check_address("https://8.8.8.8/hook")


def test_a_refused_address_is_named_on_the_page(client, factories):
    filer = Filer(factories)
    sign_in_as(client, filer.owner)
    page = client.get(f"/account/businesses/{filer.organisation.public_id}/webhooks")
    refused = client.submit(page, {"url": "ftp://books.example.com/"}, selector="main form[action$='/webhooks']")
    assert refused.status_code == 400 and webhooks.of_organisation(filer.organisation) == []


def test_in_production_no_ipv6_form_of_an_ipv4_address_and_no_bad_port(app, monkeypatch):
    monkeypatch.setattr(webhooks, "_strict", lambda: True)
    for url in ("https://[64:ff9b::a9fe:a9fe]/", "https://[64:ff9b::a00:1]/", "https://[2002:a00:1::]/",
                "https://[::7f00:1]/", "https://[::ffff:127.0.0.1]/", "https://[2001:0:4136:e378::1]/"):
        with pytest.raises(webhooks.AddressRefused) as refused:
            webhooks.check_address(url)
        assert refused.value.reason == "private", url
    for url in ("https://example.com:99999/", "https://example.com:abc/"):
        with pytest.raises(webhooks.AddressRefused) as refused:
            webhooks.check_address(url)
        assert refused.value.reason == "host", url


def test_the_attempt_connects_to_the_address_that_was_checked(app, factories, receiver, monkeypatch):
    """A second DNS answer (rebinding) cannot send the attempt elsewhere: the checked address is the one used."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def rebinding(host, *args, **kwargs):
        if host == "receiver.test":  # the first answer is the receiver; any later one a black hole
            return real(next(answers, "192.0.2.1"), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    filer = Filer(factories)
    webhooks.add(filer.organisation, filer.owner, receiver.url.replace("127.0.0.1", "receiver.test"))
    answers = iter(["127.0.0.1"])  # `add` checked with one answer; the attempt resolves once more, then connects
    application = applying.start(get_catalogue().get(business_services()[0]), filer.owner, filer.organisation)
    webhooks.announce_state_change(application, "x", "submit", "draft", "submitted")
    db.session.commit()
    delivery = db.session.scalar(select(WebhookDelivery))
    assert webhooks.deliver(delivery.id) == "delivered"
    assert len(receiver.received) == 1


def test_a_receiver_that_trickles_its_answer_is_cut_off(app, factories, monkeypatch):
    monkeypatch.setattr(webhooks, "ATTEMPT_SECONDS", 1)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def trickle():
        connection, _ = server.accept()
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.wait(0.2):
            with contextlib.suppress(OSError):
                connection.sendall(b"X-Slow: 1\r\n")
        connection.close()

    threading.Thread(target=trickle, daemon=True).start()
    filer = Filer(factories)
    webhooks.add(filer.organisation, filer.owner, f"http://127.0.0.1:{server.getsockname()[1]}/hook")
    application = applying.start(get_catalogue().get(business_services()[0]), filer.owner, filer.organisation)
    webhooks.announce_state_change(application, "x", "submit", "draft", "submitted")
    db.session.commit()
    delivery = db.session.scalar(select(WebhookDelivery))
    started = time.monotonic()
    try:
        with pytest.raises(webhooks.DeliveryFailed):
            webhooks.deliver(delivery.id)
    finally:
        stop.set()
        server.close()
    assert time.monotonic() - started < 3
    db.session.expire_all()
    assert delivery.attempts == 1 and delivery.last_error == "no answer in time"


def test_deliveries_that_ended_a_month_ago_are_forgotten_and_one_still_tried_is_not(app, factories, receiver):
    from datetime import timedelta

    from portal.data.db import utcnow

    filer = Filer(factories)
    webhooks.add(filer.organisation, filer.owner, receiver.url)
    application = applying.start(get_catalogue().get(business_services()[0]), filer.owner, filer.organisation)
    for to_state in ("submitted", "in_review", "approved", "closed"):
        webhooks.announce_state_change(application, "x", "act", "draft", to_state)
    db.session.flush()
    old, recent = utcnow() - webhooks.DELIVERIES_KEPT_FOR - timedelta(hours=1), utcnow() - timedelta(days=29)
    delivered_long_ago, given_up_long_ago, delivered_lately, still_tried = \
        db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    delivered_long_ago.delivered_at = old
    given_up_long_ago.given_up_at = old
    delivered_lately.delivered_at = recent
    still_tried.created_at, still_tried.attempts = old, 3
    kept = {delivered_lately.id, still_tried.id}
    db.session.commit()

    assert webhooks.purge_deliveries() == 2
    assert set(db.session.scalars(select(WebhookDelivery.id))) == kept
    assert webhooks.purge_deliveries() == 0
