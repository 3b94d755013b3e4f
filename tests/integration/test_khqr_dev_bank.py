"""Issue 13: the test bank (portal.payments.dev_bank, /dev/khqr-bank), development and tests only. Paying in it
schedules a job that delivers a signed callback over HTTP to the portal, which accepts it; its status endpoint
answers the poll; with production settings none of its routes exist."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal.data import payment_callbacks as callback_data
from portal.payments import polling
from portal.web import providers
from tests.integration.test_business_registration_walk import submitted_registration
from tests.integration.test_case_names_records_and_hand_over import reload
from tests.integration.test_khqr_confirmation import ask, state
from tests.integration.test_required_zero import citizen  # noqa: F401 - the fixture
from tests.journey import run_jobs

BANK = "/dev/khqr-bank"


@pytest.fixture
def registration(client, citizen, factories):  # noqa: F811 - the fixture imported above
    return submitted_registration(client, citizen, factories)


@pytest.fixture
def served_portal(app, monkeypatch):
    """The portal answering HTTP on a local port, and its links (the callback's address) pointing there."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(app.config["PORTAL_SETTINGS"], base_url=url))
    yield url
    server.shutdown()
    server.server_close()


def pay_in_the_bank(client, request):
    bill = client.get(f"{BANK}/pay/{request.md5}")
    assert bill.status_code == 200
    shown = bill.soup.select_one("main").get_text(" ", strip=True)
    assert request.bill_number in shown and "onewindow@devb" in shown
    assert "development only" in shown or "សម្រាប់តែការអភិវឌ្ឍ" in shown
    paid = client.submit(bill, selector="main form[action$='/pay']")
    assert paid.status_code == 303, paid.get_data(as_text=True)[:2000]
    return paid


def test_paying_in_the_test_bank_sends_a_signed_callback_the_portal_accepts(app, client, registration,
                                                                           served_portal):
    request = ask(registration)
    receipt = client.get(pay_in_the_bank(client, request).headers["Location"])
    assert receipt.status_code == 200 and request.bill_number in receipt.soup.select_one("main").get_text()
    assert state(registration, request) == ([], False, "open")  # the bank has paid; the portal does not know yet
    run_jobs(app)  # the callback job: a signed POST over HTTP to the served portal
    payments, paid, request_state = state(registration, request)
    assert payments == [(request.amount_minor, "KHR", "khqr")] and paid and request_state == "paid"
    [row] = callback_data.for_request(request.id)
    assert (row.source, row.outcome) == ("callback", "accepted") and row.nonce

    again = client.get(f"{BANK}/pay/{request.md5}")  # a dynamic KHQR is paid once
    assert again.soup.select_one("main form[action$='/pay']") is None


def test_the_poll_finds_a_payment_in_the_test_bank(app, client, registration, served_portal):
    request = ask(registration)
    bank_said = client.post(f"{BANK}/v1/check_transaction_by_md5", json={"md5": request.md5}).get_json()
    assert bank_said["responseCode"] == 1  # not paid yet
    pay_in_the_bank(client, request)
    bank_said = client.post(f"{BANK}/v1/check_transaction_by_md5", json={"md5": request.md5}).get_json()
    assert bank_said["responseCode"] == 0 and bank_said["data"]["amount"] == request.amount_minor
    assert bank_said["data"]["toAccountId"] == "onewindow@devb"
    # The callback is lost; the poll (KHQR_STATUS_URL unset: the portal's own test bank) finds the payment.
    assert polling.poll_request(request.id) == "accepted"
    assert reload(registration).paid and state(registration, request)[2] == "paid"


def test_a_pasted_code_is_read_as_a_bank_app_reads_it(client, registration):
    request = ask(registration)
    page = client.get(BANK)
    bill = client.submit(page, {"khqr": request.khqr})
    assert bill.status_code == 200 and request.bill_number in bill.soup.select_one("main").get_text()
    assert bill.soup.select_one("main form[action$='/pay'] input[name=khqr]")["value"] == request.khqr
    damaged = request.khqr[:-1] + ("1" if request.khqr.endswith("0") else "0")  # its CRC no longer matches
    refused = client.submit(page, {"khqr": damaged})
    assert refused.status_code == 400 and refused.soup.select_one(".error-summary") is not None
    assert client.get(f"{BANK}/pay/{'0' * 32}").status_code == 404
    assert client.get(f"{BANK}/paid/{request.md5}").status_code == 404  # not paid


def test_a_paid_code_cannot_be_paid_twice(client, registration):
    request = ask(registration)
    bill = client.get(f"{BANK}/pay/{request.md5}")
    assert client.submit(bill, selector="main form[action$='/pay']").status_code == 303
    assert client.submit(bill, selector="main form[action$='/pay']").status_code == 409


def test_with_production_settings_the_test_bank_does_not_exist(app, client, registration, monkeypatch):
    request = ask(registration)
    portal = app.config["PORTAL_SETTINGS"]
    production = replace(portal, env="production", khqr=replace(portal.khqr, development_gateway=False))
    fresh = Flask("production")
    fresh.config["PORTAL_SETTINGS"] = production
    providers.init_app(fresh)
    assert not [rule.rule for rule in fresh.url_map.iter_rules() if rule.rule.startswith(BANK)]
    assert [rule.rule for rule in fresh.url_map.iter_rules() if rule.rule.startswith("/payments/")]
    # And in a process whose settings changed after its routes were made (tests), they answer 404 (the form
    # posts meet the CSRF check first).
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(portal, khqr=production.khqr))
    for method, path in (("GET", BANK), ("GET", f"{BANK}/pay/{request.md5}"),
                         ("GET", f"{BANK}/paid/{request.md5}"), ("POST", f"{BANK}/v1/check_transaction_by_md5")):
        assert client.open(path, method=method).status_code == 404, path
