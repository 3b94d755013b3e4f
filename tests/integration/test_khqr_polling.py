"""Issue 13: open KHQR requests asked about by a job (portal.payments.polling), against a real HTTP server standing
in for Bakong's `check_transaction_by_md5`: a payment found is recorded once, a payment to another account is
refused, a request past its expiry is closed after one last look, and a provider that is down changes nothing."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import current_app
from sqlalchemy import select, update

from portal.data import payment_callbacks as callback_data
from portal.data import payment_requests as request_data
from portal.data import payments as payment_data
from portal.data.db import db
from portal.data.models import OutboxMessage, PaymentRequest
from portal.domain import clock
from portal.payments import khqr, polling
from tests import journey
from tests.audit_log import entries
from tests.integration.test_business_registration_walk import submitted_registration
from tests.integration.test_case_names_records_and_hand_over import reload
from tests.integration.test_khqr_confirmation import ask, state
from tests.integration.test_payment_receipts import receipt_of, verdict
from tests.integration.test_required_zero import citizen  # noqa: F401 - the fixture
from tests.journey import run_jobs

TOKEN = "bakong-token-" + "x" * 20


class Bakong:
    """A status endpoint in Bakong's shape on a local port: `paid[md5]` is the transaction it knows."""

    def __init__(self):
        self.paid: dict[str, dict] = {}
        self.asked: list[tuple[str, str | None]] = []
        bank = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                bank.asked.append((self.path, self.headers.get("Authorization")))
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._answer(401, {"responseCode": 1, "errorCode": 6, "data": None})
                elif asked["md5"] in bank.paid:
                    self._answer(200, {"responseCode": 0, "errorCode": None, "data": bank.paid[asked["md5"]]})
                else:
                    self._answer(200, {"responseCode": 1, "errorCode": 1, "data": None})

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def pays(self, request, *, to_account=None, amount=None):
        self.paid[request.md5] = {
            "hash": secrets.token_hex(32), "fromAccountId": "sok_chanthy@aclb",
            "toAccountId": to_account or current_app.config["PORTAL_SETTINGS"].khqr.account_id,
            "currency": request.currency, "amount": amount if amount is not None else request.amount_minor,
            "description": None, "createdDateMs": khqr.milliseconds(clock.now()),
            "acknowledgedDateMs": khqr.milliseconds(clock.now()), "externalRef": request.bill_number}
        return self.paid[request.md5]


@pytest.fixture
def bakong(app, monkeypatch):
    bank = Bakong()
    bank.thread.start()
    portal = app.config["PORTAL_SETTINGS"]
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(portal, khqr=replace(
        portal.khqr, status_url=bank.url, status_token=TOKEN)))
    yield bank
    bank.server.shutdown()
    bank.server.server_close()


@pytest.fixture
def registration(client, citizen, factories):  # noqa: F811 - the fixture imported above
    return submitted_registration(client, citizen, factories)


def poll_round(app) -> int:
    """One run of the periodic job, then the poll jobs it scheduled, as the worker runs them."""
    scheduled = polling.schedule_polls()
    run_jobs(app)
    return scheduled


def asked_long_ago(request) -> None:
    """As if the last round was longer ago than the poll interval."""
    db.session.execute(update(PaymentRequest).where(PaymentRequest.id == request.id)
                       .values(polled_at=clock.now().replace(tzinfo=None) - timedelta(hours=1)))
    db.session.commit()


def test_polling_pays_the_registration_once_the_bank_knows_the_payment(app, client, registration, bakong):
    request = ask(registration)
    assert poll_round(app) == 1
    assert bakong.asked == [("/v1/check_transaction_by_md5", f"Bearer {TOKEN}")]
    assert state(registration, request) == ([], False, "open") and reload(request).polls == 1
    assert poll_round(app) == 0  # asked a moment ago: not due yet

    found = bakong.pays(request)
    asked_long_ago(request)
    assert poll_round(app) == 1
    payments, paid, request_state = state(registration, request)
    assert payments == [(request.amount_minor, "KHR", "khqr")] and paid and request_state == "paid"
    assert payment_data.for_application(registration.id)[0].provider_reference == found["hash"]
    [row] = callback_data.for_request(request.id)
    assert (row.source, row.outcome, row.nonce) == ("poll", "accepted", None)
    assert entries("payment_confirmation_refused") == []
    done = db.session.scalars(select(OutboxMessage).where(OutboxMessage.job_name == "payments.poll_khqr_request"))
    assert all(message.done_at is not None for message in done)
    assert poll_round(app) == 0  # paid: nothing open to ask about
    journey.run_jobs(app)  # the payment's receipt
    _request, receipt = receipt_of(payment_data.for_application(registration.id)[0])
    assert "Genuine and valid" in verdict(client, receipt)


def test_money_sent_to_another_account_is_refused(app, registration, bakong):
    request = ask(registration)
    bakong.pays(request, to_account="someone_else@aclb")
    assert poll_round(app) == 1
    assert state(registration, request) == ([], False, "open")
    [row] = callback_data.for_request(request.id)
    assert (row.source, row.outcome, row.reason) == ("poll", "refused", "wrong_account")
    assert [e.details["reason"] for e in entries("payment_confirmation_refused")] == ["wrong_account"]
    asked_long_ago(request)
    assert poll_round(app) == 1  # found again next round: refused, but recorded and audited once
    assert len(callback_data.for_request(request.id)) == 1 and len(entries("payment_confirmation_refused")) == 1


def test_a_wrong_amount_found_by_the_poll_is_refused(app, registration, bakong):
    request = ask(registration)
    bakong.pays(request, amount=1000)
    poll_round(app)
    assert state(registration, request) == ([], False, "open")
    assert [e.details["reason"] for e in entries("payment_confirmation_refused")] == ["wrong_amount"]


def test_an_expired_request_is_closed_after_a_last_look(app, registration, bakong):
    request = ask(registration, now=clock.now() - timedelta(minutes=45))  # expired 15 minutes ago
    poll_round(app)
    assert bakong.asked and state(registration, request) == ([], False, "expired")


def test_an_expired_request_paid_in_time_is_found_by_its_last_look(app, registration, bakong):
    request = ask(registration, now=clock.now() - timedelta(minutes=45))
    found = bakong.pays(request)
    found["createdDateMs"] = khqr.milliseconds(clock.now() - timedelta(minutes=20))  # before its expiry
    poll_round(app)
    payments, paid, request_state = state(registration, request)
    assert payments == [(request.amount_minor, "KHR", "khqr")] and paid and request_state == "paid"


def test_an_expired_request_paid_too_late_is_refused_and_closed(app, registration, bakong):
    request = ask(registration, now=clock.now() - timedelta(minutes=45))
    bakong.pays(request)  # now: after its expiry
    poll_round(app)
    assert state(registration, request) == ([], False, "expired")
    assert [e.details["reason"] for e in entries("payment_confirmation_refused")] == ["expired_request"]


def test_a_provider_that_is_down_changes_nothing(app, registration, bakong):
    request = ask(registration)
    bakong.server.shutdown()
    bakong.server.server_close()  # nothing listens there any more
    assert poll_round(app) == 1
    assert state(registration, request) == ([], False, "open") and reload(request).polls == 0
    assert callback_data.for_request(request.id) == []


def test_a_code_closed_early_but_paid_before_its_expiry_is_still_found(app, registration, bakong):
    request = ask(registration)
    request_data.close(db.session.get(PaymentRequest, request.id), request_data.SUPERSEDED)  # the amount changed
    db.session.commit()
    bakong.pays(request)  # but the citizen's bank app had the old code, still valid, and paid it
    assert poll_round(app) == 1
    payments, paid, request_state = state(registration, request)
    assert payments == [(request.amount_minor, "KHR", "khqr")] and paid and request_state == "paid"


def test_an_error_answered_as_not_found_changes_nothing(app, registration, bakong, monkeypatch):
    request = ask(registration)
    portal = app.config["PORTAL_SETTINGS"]
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(portal, khqr=replace(
        portal.khqr, status_token="expired-token")))  # Bakong: responseCode 1, errorCode 6
    db.session.execute(update(PaymentRequest).where(PaymentRequest.id == request.id).values(
        expires_at=clock.now().replace(tzinfo=None) - timedelta(minutes=1)))  # its last look
    db.session.commit()
    poll_round(app)
    assert state(registration, request) == ([], False, "open")  # not closed as expired on an error
