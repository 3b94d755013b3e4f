"""Paying by KHQR, measured in-process beside baselines from the same run (medians; never fails on time).

  code          -- making a payment request's KHQR string (TLV + CRC) and its QR code as an SVG data URI,
                   beside drawing the QR code alone (segno, the same string): what the portal adds to a bare QR;
  payment page  -- GET /applications/<id>/pay for the demo citizen (a code open), beside a bare Flask page
                   and the portal's /healthz, through the same kind of test client;
  callback      -- a signed callback the portal accepts (verify, nonce, lock, ledger row, case event, receipt
                   request, outbox, commit), one per application still owing in the demo data; and the same
                   transaction told again (a provider's retry: all of it but the new rows).
On the embedded defaults (SQLite in a temporary folder) or a database of its own on DATABASE_URL's server.
Usage: .venv/bin/python bench/khqr_payment.py [repeat]"""

from __future__ import annotations

import io
import json
import secrets
import sys
import time
from datetime import timedelta

import segno
from _portal import median_ms, portal_app, timed
from _rows import row
from flask import Flask

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 30


def bare_flask_client():
    bare = Flask("bare")

    @bare.get("/")
    def hello():
        return "<!doctype html><title>hello</title><p>hello</p>"

    return bare.test_client()


def main() -> None:
    from sqlalchemy import select

    from portal.cli.demo import CITIZEN, load_demo
    from portal.data import payment_requests
    from portal.data.models import Application, Person
    from portal.domain import clock
    from portal.domain.applications.versions import definition_for
    from portal.extensions import db
    from portal.payments import account, callbacks, khqr, khqr_image, khqr_requests, money
    from portal.web.applicant.khqr_offer import in_progress

    with portal_app() as app:
        load_demo()
        settings = app.config["PORTAL_SETTINGS"].khqr
        citizen = db.session.scalar(select(Person).where(Person.email == CITIZEN["email"]))
        owing = []
        for application in db.session.scalars(select(Application).where(
                Application.applicant_person_id == citizen.id, Application.reference.is_not(None))
                .order_by(Application.id)):
            service = definition_for(application)
            found = account.account(service, application)
            if found and found.due and in_progress(service, application):
                owing.append((application, service, sorted(found.due)[0]))
        if not owing:
            sys.exit("the demo citizen owes nothing: nothing to measure")
        requests = [khqr_requests.request_payment(service, application, currency, settings=settings, now=clock.now())
                    for application, service, currency in owing]
        db.session.commit()
        print(f"{db.engine.dialect.name}; medians of {REPEAT} (in-process); {len(owing)} demo applications owing\n")

        # The code: string and QR, beside the QR alone.
        payee = khqr_requests.payee(settings)
        first = requests[0]

        def make_code():
            now = clock.now()
            string = khqr.payment_request(payee, currency=first.currency, amount=first.amount_minor,
                                          bill_number=first.bill_number, created=now,
                                          expires=now + timedelta(minutes=30))
            khqr_image.svg_data_uri(string)

        def qr_alone():
            segno.make(first.khqr, error="m", mode="byte").save(io.BytesIO(), kind="svg", scale=5)

        code, bare_qr = median_ms(timed(make_code, REPEAT)), median_ms(timed(qr_alone, REPEAT))
        print(f"code: KHQR string + QR (SVG)     {code:7.2f} ms   QR alone {bare_qr:7.2f} ms   "
              f"ratio {code / bare_qr:5.2f}")
        row("KHQR code ms vs QR alone", code, bare_qr, code / bare_qr)

        # The payment page, beside a bare Flask page and /healthz.
        client, bare = app.test_client(), bare_flask_client()
        now = int(time.time())
        with client.session_transaction() as session:
            session.update({"_user_id": citizen.public_id, "_fresh": True, "_started": now, "_seen": now,
                            "_stamp": citizen.session_stamp})
        url = f"/applications/{db.session.get(Application, first.application_id).public_id}/pay"

        def page():
            response = client.get(url)
            if response.status_code != 200 or first.khqr.encode() not in response.data:
                sys.exit(f"{url}: status {response.status_code}, the code is not on the page")

        page()
        rounds = {"page": [], "bare": [], "healthz": []}
        for _ in range(REPEAT):  # alternating, so that the machine's noise falls on all three alike
            rounds["page"] += timed(page, 1)
            rounds["bare"] += timed(lambda: bare.get("/"), 1)
            rounds["healthz"] += timed(lambda: client.get("/healthz"), 1)
        page_ms, bare_ms, health_ms = (median_ms(rounds[k]) for k in ("page", "bare", "healthz"))
        print(f"payment page                     {page_ms:7.2f} ms   bare Flask {bare_ms:7.2f} ms   ratio "
              f"{bare_ms / page_ms:5.3f} (bare/page)   /healthz {health_ms:6.2f} ms")
        row("payment page ms vs bare Flask (in-process)", page_ms, bare_ms, page_ms / bare_ms)

        # Signed callbacks: each owing application's code paid once, then the same transaction told again.
        def post(request, reference):
            body = json.dumps({"md5": request.md5, "hash": reference,
                               "amount": str(money.to_major(request.amount_minor, request.currency)),
                               "currency": request.currency, "paid_at_ms": khqr.milliseconds(clock.now())}).encode()
            stamp, nonce = str(int(time.time())), secrets.token_urlsafe(24)
            response = client.post("/payments/khqr/callback", data=body, content_type="application/json", headers={
                callbacks.TIMESTAMP: stamp, callbacks.NONCE: nonce,
                callbacks.SIGNATURE: callbacks.signature(settings.callback_secret, stamp, nonce, body)})
            return response.get_json()["outcome"]

        references = {r.id: secrets.token_hex(32) for r in requests}
        accepted, outcomes = [], []
        for request in requests:
            start = time.perf_counter()
            outcomes.append(post(request, references[request.id]))
            accepted.append(time.perf_counter() - start)
        again = timed(lambda: outcomes.append(post(requests[0], references[requests[0].id])), REPEAT)
        if outcomes[:len(requests)] != ["accepted"] * len(requests) or set(outcomes[len(requests):]) != {"duplicate"}:
            sys.exit(f"unexpected outcomes: {outcomes}")
        db.session.expire_all()
        paid = sum(1 for r in requests if payment_requests.lock(r.id).state == "paid")
        db.session.rollback()
        print(f"callback accepted                {median_ms(accepted):7.2f} ms   (median of {len(accepted)}; "
              f"{paid} requests paid)")
        print(f"callback told again (duplicate)  {median_ms(again):7.2f} ms")
        row("KHQR callback accepted ms", median_ms(accepted))


if __name__ == "__main__":
    main()
