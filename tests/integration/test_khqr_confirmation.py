"""Issue 13: a business registration paid by KHQR, confirmed by the provider's signed callback
(`POST /payments/khqr/callback`, portal.payments.callbacks) and by polling its status endpoint
(portal.payments.polling); every callback that is not a good one refused, audited, and changing nothing."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from portal.data import payment_callbacks as callback_data
from portal.data import payments as payment_data
from portal.data.db import db
from portal.data.models import ApplicationEvent
from portal.domain import clock
from portal.domain.applications.versions import definition_for
from portal.payments import callbacks, khqr, khqr_requests, money
from portal.payments.callback_throttle import FORGED_PER_ADDRESS
from tests import journey
from tests.audit_log import entries
from tests.integration.test_business_registration_walk import submitted_registration
from tests.integration.test_case_names_records_and_hand_over import reload
from tests.integration.test_payment_receipts import receipt_of, verdict
from tests.integration.test_required_zero import citizen  # noqa: F401 - fixture

CALLBACK = "/payments/khqr/callback"
REFUSED = "payment_confirmation_refused"


@pytest.fixture
def registration(client, citizen, factories):  # noqa: F811 - the fixture imported above
    return submitted_registration(client, citizen, factories)


def settings():
    return current_app.config["PORTAL_SETTINGS"].khqr


def ask(application, now=None):
    """The applicant's payment page asks for a KHQR request (what it does, without the page)."""
    request = khqr_requests.request_payment(definition_for(application), application, "KHR", settings=settings(),
                                            now=now or clock.now())
    db.session.commit()
    return request


def body_for(request, **overrides) -> dict:
    return {"md5": request.md5, "hash": secrets.token_hex(32),
            "amount": str(money.to_major(request.amount_minor, request.currency)), "currency": request.currency,
            "paid_at_ms": khqr.milliseconds(clock.now()), **overrides}


def post_callback(client, body, *, secret=None, timestamp=None, nonce=None, signature=None, headers=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    timestamp = str(int(time.time())) if timestamp is None else str(timestamp)
    nonce = nonce or secrets.token_urlsafe(24)
    sent = {callbacks.TIMESTAMP: timestamp, callbacks.NONCE: nonce,
            callbacks.SIGNATURE: signature or callbacks.signature(secret or settings().callback_secret, timestamp,
                                                                  nonce, raw)}
    sent.update(headers or {})
    return client.post(CALLBACK, data=raw, headers={k: v for k, v in sent.items() if v is not None},
                       content_type="application/json")


def state(application, request) -> tuple:
    """What a refused callback must not change: the ledger, `paid`, the request."""
    db.session.expire_all()
    payments = [(p.amount_minor, p.currency, p.method) for p in payment_data.for_application(application.id)]
    return payments, reload(application).paid, db.session.get(type(request), request.id).state


def test_a_signed_callback_pays_the_registration_once(app, client, registration):
    request = ask(registration)
    assert request.amount_minor > 0 and not reload(registration).paid
    body = body_for(request)
    response = post_callback(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"outcome": "accepted"}
    assert "Set-Cookie" not in response.headers  # machine to machine: no session
    payments, paid, request_state = state(registration, request)
    assert payments == [(request.amount_minor, "KHR", "khqr")] and paid and request_state == "paid"
    payment = payment_data.for_application(registration.id)[0]
    assert payment.provider_reference == body["hash"]
    event = db.session.scalar(select(ApplicationEvent).where(ApplicationEvent.application_id == registration.id,
                                                             ApplicationEvent.action == "case:payment"))
    assert event is not None and event.actor_role == khqr_requests.PROVIDER_ROLE
    [row] = callback_data.for_request(request.id)
    assert (row.source, row.outcome, row.payment_id, row.amount_minor) == ("callback", "accepted", payment.id,
                                                                          request.amount_minor)
    assert row.body_sha256 == __import__("hashlib").sha256(json.dumps(body).encode()).hexdigest()
    assert row.nonce is not None

    # The provider tells us again (a new nonce, the same transaction): counted once.
    again = post_callback(client, body)
    assert again.status_code == 200 and again.get_json() == {"outcome": "duplicate"}
    assert state(registration, request) == (payments, True, "paid")
    assert entries(REFUSED) == []
    journey.run_jobs(app)  # the payment's receipt, issued once, verifies
    _request, receipt = receipt_of(payment)
    assert "Genuine and valid" in verdict(client, receipt)


@pytest.mark.parametrize(("case", "status", "reason"), [
    ("forged", 401, "forged"),
    ("unsigned", 401, "forged"),
    ("late", 401, "late"),
    ("from the future", 401, "late"),
    ("wrong amount", 422, "wrong_amount"),
    ("wrong currency", 422, "wrong_currency"),
    ("unknown currency", 422, "wrong_currency"),
    ("unknown request", 422, "unknown_request"),
    ("malformed", 400, "malformed"),
    ("not json", 400, "malformed"),
    ("too large", 413, "malformed"),
])
def test_a_bad_callback_is_refused_audited_and_changes_nothing(client, registration, case, status, reason):
    request = ask(registration)
    before = state(registration, request)
    body = body_for(request)
    now = int(time.time())
    sent = {
        "forged": lambda: post_callback(client, body, secret=b"not the secret"),
        "unsigned": lambda: post_callback(client, body, headers={callbacks.SIGNATURE: None}),
        "late": lambda: post_callback(client, body, timestamp=now - settings().callback_max_age - 5),
        "from the future": lambda: post_callback(client, body, timestamp=now + 120),
        "wrong amount": lambda: post_callback(client, {**body, "amount": "1000"}),
        "wrong currency": lambda: post_callback(client, {**body, "currency": "USD"}),
        "unknown currency": lambda: post_callback(client, {**body, "currency": "EUR"}),
        "unknown request": lambda: post_callback(client, {**body, "md5": "0" * 32}),
        "malformed": lambda: post_callback(client, {**body, "paid_at_ms": "yesterday"}),
        "not json": lambda: post_callback(client, b"md5=" + request.md5.encode()),
        "too large": lambda: post_callback(client, {**body, "padding": "x" * callbacks.BODY_LIMIT}),
    }[case]()
    assert response_is(sent, status, reason)
    assert state(registration, request) == before
    [audited] = entries(REFUSED)
    assert audited.details["reason"] == reason and audited.actor_role == khqr_requests.PROVIDER_ROLE
    rows = db.session.scalars(select(callback_data.PaymentCallback)).all()
    assert [(r.source, r.outcome, r.reason) for r in rows] == [("callback", "refused", reason)]
    # A forger burns no nonce; nor does a callback refused before its signature was checked.
    assert (rows[0].nonce is not None) == (reason not in ("forged", "late") and case != "too large")
    if reason in ("wrong_amount", "wrong_currency"):
        assert rows[0].request_id == request.id and audited.subject_id == request.public_id
    # Whatever was refused, the real payment still goes through afterwards.
    assert post_callback(client, body).get_json() == {"outcome": "accepted"}


def response_is(response, status: int, reason: str) -> bool:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json() == {"outcome": "refused", "reason": reason}
    assert "Set-Cookie" not in response.headers
    return True


def test_a_replayed_callback_is_refused_and_counted_once(client, registration):
    request = ask(registration)
    body, nonce = body_for(request), secrets.token_urlsafe(24)
    assert post_callback(client, body, nonce=nonce).get_json() == {"outcome": "accepted"}
    paid = state(registration, request)
    replayed = post_callback(client, body, nonce=nonce)
    assert response_is(replayed, 409, "replayed")
    assert state(registration, request) == paid
    assert [e.details["reason"] for e in entries(REFUSED)] == ["replayed"]
    # The same nonce under another body, signed: still a replay (the nonce is spent), and nothing paid twice.
    assert response_is(post_callback(client, body_for(request), nonce=nonce), 409, "replayed")
    assert len(payment_data.for_application(registration.id)) == 1


def test_a_callback_for_an_expired_request_paid_too_late_is_refused(client, registration):
    request = ask(registration)
    late = khqr.milliseconds(clock.now() + timedelta(hours=1))
    assert response_is(post_callback(client, body_for(request, paid_at_ms=late)), 422, "expired_request")
    assert state(registration, request) == ([], False, "open")


def test_without_khqr_the_callback_is_not_there(app, client, monkeypatch):
    portal = app.config["PORTAL_SETTINGS"]
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(portal, khqr=None))
    assert client.post(CALLBACK, data=b"{}", content_type="application/json").status_code == 404
    assert db.session.scalars(select(callback_data.PaymentCallback)).all() == []


def test_a_flood_of_unsigned_callbacks_is_cut_off_without_writing_but_a_signed_one_still_pays(client, registration):
    request = ask(registration)
    for _ in range(FORGED_PER_ADDRESS):
        assert post_callback(client, body_for(request), secret=b"not the secret").status_code == 401
    assert len(entries(REFUSED)) == FORGED_PER_ADDRESS  # each refused and audited, up to the limit
    cut_off = post_callback(client, body_for(request), secret=b"not the secret")
    assert cut_off.status_code == 429 and len(entries(REFUSED)) == FORGED_PER_ADDRESS  # no longer written down
    assert post_callback(client, body_for(request)).get_json() == {"outcome": "accepted"}  # the provider's
    assert state(registration, request)[1:] == (True, "paid")


def test_oversized_callbacks_count_towards_the_flood_limit_too(client, registration):
    request = ask(registration)
    huge = json.dumps({**body_for(request), "padding": "x" * callbacks.BODY_LIMIT}).encode()
    for _ in range(FORGED_PER_ADDRESS):
        assert post_callback(client, huge).status_code == 413
    assert len(entries(REFUSED)) == FORGED_PER_ADDRESS
    assert post_callback(client, huge).status_code == 429 and len(entries(REFUSED)) == FORGED_PER_ADDRESS
