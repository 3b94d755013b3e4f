"""The finance office's reconciliation (portal.payments.reconciliation): one Cambodian day with cash, a
transfer, a KHQR payment, a reversal, a refund owed and refused provider confirmations, as the report, the
finance page, its CSV and `flask payments reconcile` give it; who may see it; and the cashier, who takes
payments on a case of his office but works no case."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import current_app
from sqlalchemy import select, update

from portal.data import agencies as agency_data
from portal.data import payment_requests as request_data
from portal.data import payments as payment_data
from portal.data.db import db
from portal.data.models import ApplicationEvent, Payment, PaymentCallback
from portal.domain.applications import transitions
from portal.domain.applications.versions import definition_for
from portal.domain.clock import CAMBODIA
from portal.domain.workflow import engine
from portal.payments import counter, khqr_requests, reconciliation
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, SLUG, services_fixture, submitted  # noqa: F401 - the `services` fixture

DAY = date(2026, 11, 20)
OTHER = SimpleNamespace(slug="finance-other-office", kind="ministry", commune_code=None,
                        name={"km": "ការិយាល័យផ្សេង", "en": "Another office"})
OWED = 320000  # the fixture permit's fee for two months, in riel


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Cambodian moment as the database keeps it (naive UTC)."""
    return datetime.combine(day, time(hour, minute), tzinfo=CAMBODIA).astimezone(UTC).replace(tzinfo=None)


def set_times(payment, *, recorded_at=None, reversed_at=None) -> None:
    values = {k: v for k, v in {"recorded_at": recorded_at, "reversed_at": reversed_at}.items() if v is not None}
    db.session.execute(update(Payment).where(Payment.id == payment.id).values(**values))
    db.session.flush()


def record(application, person, amount: int, receipt: str, method: str = "counter_cash", reference=None):
    payment, recorded = counter.record(definition_for(application), application, person, amount_minor=amount,
                                       currency="KHR", method=method, receipt_number=receipt,
                                       transfer_reference=reference)
    assert recorded
    return payment


def khqr_request(application):
    settings = current_app.config["PORTAL_SETTINGS"].khqr
    return khqr_requests.request_payment(definition_for(application), application, "KHR", settings=settings,
                                         now=datetime.combine(DAY, time(9), tzinfo=CAMBODIA))


def refused(request, reason: str, received_at: datetime, **fields) -> PaymentCallback:
    callback = PaymentCallback(received_at=received_at, source="callback", outcome="refused", reason=reason,
                               request_id=request.id if request is not None else None, amount_minor=1000,
                               currency="KHR", provider_reference=f"tx-{reason}", **fields)
    db.session.add(callback)
    db.session.flush()
    return callback


@pytest.fixture
def day(factories, services):
    """One day at office X: cash (by its cashier), a partial transfer late in the evening, a KHQR payment with
    two refused confirmations, a reversal of the day before's cash, an overpayment (a refund owed, recorded
    just after midnight: the next day); and what must not count: another office's confirmation, one that
    matches no request."""
    agency_data.sync([OTHER])
    cashier = factories.staff(AGENCY, "cashier", locale="en", name_latin="Sun Sokly")
    chief = factories.staff(AGENCY, "supervisor", locale="en", name_latin="Keo Vanna")
    clerk = factories.staff(AGENCY, "clerk", locale="en")
    applicant = factories.person(locale="en")
    cash, transfer, by_khqr, reversed_, overpaid = (submitted(applicant) for _ in range(5))
    elsewhere = submitted(applicant, agency=OTHER.slug)

    set_times(record(cash, cashier, OWED, "C-1"), recorded_at=at(DAY, 9))
    set_times(record(transfer, clerk, 100000, "T-1", "counter_transfer", "ABA-778812"), recorded_at=at(DAY, 23, 30))
    request = khqr_request(by_khqr)
    confirmation = khqr_requests.confirm(
        definition_for(by_khqr), by_khqr, request_data.lock(request.id), amount_minor=OWED, currency="KHR",
        provider_reference="bakong-hash-1", paid_at=datetime.combine(DAY, time(9, 5), tzinfo=CAMBODIA))
    assert confirmation.outcome == "accepted"
    set_times(confirmation.payment, recorded_at=at(DAY, 10))
    refused(request, "wrong_amount", at(DAY, 10, 5))
    refused(request, "late", at(DAY, 18))
    mistaken = record(reversed_, clerk, OWED, "R-1")
    assert counter.reverse(definition_for(reversed_), reversed_, chief, mistaken, "Entered on the wrong case")
    set_times(mistaken, recorded_at=at(DAY - timedelta(days=1), 15), reversed_at=at(DAY, 11))
    set_times(record(overpaid, cashier, OWED + 80000, "O-1"), recorded_at=at(DAY + timedelta(days=1), 0, 10))
    refused(khqr_request(elsewhere), "wrong_currency", at(DAY, 12))
    refused(None, "unknown_request", at(DAY, 13))
    refused(None, "forged", at(DAY + timedelta(days=1), 8))  # another day
    db.session.commit()
    return SimpleNamespace(cashier=cashier, chief=chief, clerk=clerk, cash=cash, transfer=transfer,
                           by_khqr=by_khqr, reversed=reversed_, overpaid=overpaid, elsewhere=elsewhere)


def test_the_report_counts_each_payment_on_its_cambodian_day_by_method_and_service(day):
    report = reconciliation.report(AGENCY, DAY, DAY)
    assert [(line.day, line.method, line.service, line.currency, line.count, line.amount_minor)
            for line in report.lines] == [
        (DAY, "counter_cash", SLUG, "KHR", 1, OWED),
        (DAY, "counter_transfer", SLUG, "KHR", 1, 100000),
        (DAY, "khqr", SLUG, "KHR", 1, OWED),
    ]
    [total] = report.totals
    assert (total.currency, total.received, total.reversed, total.net) == ("KHR", 740000, OWED, 420000)
    assert [(m.method, m.count, m.amount_minor) for m in report.by_method] == [
        ("counter_cash", 1, OWED), ("counter_transfer", 1, 100000), ("khqr", 1, OWED)]
    [reversal] = report.reversals
    assert (reversal.reference, reversal.amount_minor, reversal.reversed_by.id, reversal.reason,
            reconciliation.local_day(reversal.at)) == (day.reversed.reference, OWED, day.chief.id,
                                                        "Entered on the wrong case", DAY)
    assert [(r.reference, r.amounts) for r in report.refunds] == [(day.overpaid.reference, {"KHR": 80000})]
    assert [(r.reference, r.reason) for r in report.refused] == [
        (day.by_khqr.reference, "wrong_amount"), (day.by_khqr.reference, "late")]
    assert [r.reason for r in reconciliation.unplaced(DAY, DAY)] == ["unknown_request"]

    # The next day holds the overpayment only; the other office sees its own confirmation and nothing of X's.
    following = reconciliation.report(AGENCY, DAY + timedelta(days=1), DAY + timedelta(days=1))
    assert [(t.received, t.reversed) for t in following.totals] == [(OWED + 80000, 0)]
    assert following.reversals == [] and following.refused == []
    theirs = reconciliation.report(OTHER.slug, DAY, DAY)
    assert theirs.lines == [] and theirs.refunds == [] and [r.reason for r in theirs.refused] == ["wrong_currency"]
    with pytest.raises(reconciliation.BadPeriod):
        reconciliation.report(AGENCY, DAY, DAY - timedelta(days=1))


def finance_url(**query) -> str:
    query = {"start": DAY.isoformat(), "end": DAY.isoformat(), "lang": "en"} | query
    return "/staff/finance?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_page_and_its_csv_show_the_same_figures(client, day):
    sign_in_as(client, day.chief)
    page = client.get(finance_url())
    assert page.status_code == 200
    totals = page.soup.select_one("#totals tr[data-currency=KHR]")
    assert [totals.select_one(f".{c}").get_text(strip=True) for c in ("received", "reversed", "net")] == [
        "740,000 ៛", "320,000 ៛", "420,000 ៛"]
    rows = {row["data-method"]: row.select_one(".amount").get_text(strip=True)
            for row in page.soup.select("#per-day tr[data-method]")}
    assert rows == {"counter_cash": "320,000 ៛", "counter_transfer": "100,000 ៛", "khqr": "320,000 ៛"}
    text = page.soup.select_one("main").get_text(" ", strip=True)
    assert "Entered on the wrong case" in text and "Keo Vanna" in text and "80,000 ៛" in text
    assert [li["data-reason"] for li in page.soup.select("ul.refused li")] == ["wrong_amount", "late"]
    assert day.elsewhere.reference not in text

    sheet = client.get(page.soup.select_one("a[href^='/staff/finance.csv']")["href"])
    assert sheet.status_code == 200 and sheet.mimetype == "text/csv"
    body = sheet.get_data(as_text=True)
    assert body.startswith("\ufeff") and "attachment" in sheet.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    figures = {(r["section"], r["method"], r["measure"], r["currency"]): r["value"] for r in rows}
    assert {m: figures[("total", "", m, "KHR")] for m in ("received", "reversed", "net")} == {
        "received": "740000", "reversed": "320000", "net": "420000"}
    assert {figures[("received", m, "amount", "KHR")] for m in ("counter_cash", "khqr")} == {"320000"}
    assert figures[("received", "counter_transfer", "amount", "KHR")] == "100000"
    assert all(r["day"] == DAY.isoformat() for r in rows if r["section"] == "received")
    assert [r["detail"] for r in rows if r["section"] == "reversal"] == ["Keo Vanna: Entered on the wrong case"]
    assert [(r["reference"], r["value"]) for r in rows if r["section"] == "refund_owed"] == [
        (day.overpaid.reference, "80000")]
    assert [r["detail"] for r in rows if r["section"] == "refused_confirmation"] == [
        "wrong_amount (callback)", "late (callback)"]
    # The CSV's figures are the page's: every amount on the page is a CSV value shown as money.
    assert sum(Decimal(r["value"]) for r in rows if r["section"] == "received" and r["measure"] == "amount") == 740000


def test_the_page_in_khmer_uses_khmer_digits(client, day):
    sign_in_as(client, day.cashier)
    client.expected_lang = "km"
    page = client.get(finance_url(lang="km"))
    assert page.soup.select_one("#totals .net").get_text(strip=True) == "៤២០,០០០ ៛"


def test_the_command_prints_the_report_and_refuses_bad_input(runner, day):
    done = runner.invoke(args=["payments", "reconcile", DAY.isoformat(), "--agency", AGENCY])
    assert done.exit_code == 0, done.output
    assert "740000 KHR" in done.output and "420000 KHR" in done.output and "100000 KHR" in done.output
    assert "Entered on the wrong case" in done.output and day.overpaid.reference in done.output
    assert "wrong_amount" in done.output and "late" in done.output and day.elsewhere.reference not in done.output
    every = runner.invoke(args=["payments", "reconcile", DAY.isoformat()])
    assert every.exit_code == 0 and "unknown_request" in every.output and OTHER.slug in every.output
    assert "forged" not in every.output  # another day's
    for args, said in ((["2026-13-01"], "not a date"), (["yesterday"], "not a date"),
                       ([DAY.isoformat(), "--agency", "no-such-office"], "no agency"),
                       ([DAY.isoformat(), "--to", "2026-11-19"], "before"),
                       ([DAY.isoformat(), "--to", "2027-11-19"], "at most")):
        refused_ = runner.invoke(args=["payments", "reconcile", *args])
        assert refused_.exit_code == 2 and said in refused_.output, (args, refused_.output)


def test_only_the_office_s_supervisors_and_cashiers_see_its_finance_page(client, factories, day):
    for person in (day.chief, day.cashier):
        sign_in_as(client, person)
        assert client.get(finance_url()).status_code == 200
    sign_in_as(client, day.clerk)
    assert client.get(finance_url()).status_code == 404
    assert client.get(finance_url().replace("/staff/finance?", "/staff/finance.csv?")).status_code == 404
    other_chief = factories.staff(OTHER.slug, "supervisor")
    sign_in_as(client, other_chief)
    assert client.get(finance_url(agency=AGENCY)).status_code == 404
    assert client.get(finance_url(agency=AGENCY).replace("/staff/finance?", "/staff/finance.csv?")).status_code == 404
    own = client.get(finance_url()).get_data(as_text=True)
    assert day.cash.reference not in own and day.elsewhere.reference in own
    for person in (factories.person(), factories.admin()):
        sign_in_as(client, person)
        assert client.get(finance_url()).status_code == 404
    # The confirmations no office can be given: the administrators'.
    assert "unknown_request" in client.get(
        f"/admin/payments/unplaced?start={DAY.isoformat()}&end={DAY.isoformat()}").get_data(as_text=True)
    sign_in_as(client, day.chief)
    assert client.get("/admin/payments/unplaced").status_code == 404


@pytest.mark.parametrize("query", [
    {"start": "yesterday"}, {"start": "2026-02-30"}, {"end": "🙂"}, {"start": "2026-12-10", "end": "2026-12-01"},
    {"start": "2026-01-01", "end": "2026-12-31"}, {"start": "២០២៦-១១-២០-១"}])
def test_a_bad_period_is_told_not_failed(client, day, query):
    sign_in_as(client, day.chief)
    page = client.get(finance_url(**query))
    assert page.status_code == 400 and page.soup.select_one(".error-summary")
    assert client.get(finance_url(**query).replace("/staff/finance?", "/staff/finance.csv?")).status_code == 400

def test_a_bad_period_is_told_to_the_administrator_too(client, factories):
    sign_in_as(client, factories.admin())
    for query in ("start=yesterday", "start=2026-12-10&end=2026-12-01", "start=2026-01-01&end=2026-12-31"):
        page = client.get(f"/admin/payments/unplaced?lang=en&{query}")
        assert page.status_code == 400 and page.soup.select_one(".error-summary"), query


def test_khmer_digits_in_the_dates_are_read(client, day):
    sign_in_as(client, day.chief)
    assert client.get(finance_url(start="២០២៦-១១-២០", end="២០២៦-១១-២០")).status_code == 200


def test_a_cashier_takes_a_payment_on_a_case_of_his_office_and_works_no_case(client, factories, day):
    application = submitted(factories.person())
    sign_in_as(client, day.cashier)
    assert client.get("/staff/queue").headers["Location"].endswith("/staff/finance")
    finance = client.get(finance_url())
    found = client.submit(finance, {"reference": application.reference.lower()}, selector="main form.find-case")
    assert found.status_code == 303 and application.public_id in found.headers["Location"]
    missing = client.submit(finance, {"reference": day.elsewhere.reference}, selector="main form.find-case")
    assert missing.status_code == 400 and "No case of your offices" in missing.get_data(as_text=True)

    page = client.get(f"/staff/cases/{application.public_id}?lang=en")
    assert page.status_code == 200
    headings = [h.get_text(strip=True) for h in page.soup.select("main h2")]
    assert "Payment" in headings
    assert not {"Answers", "Documents", "Notes and messages", "What you can do"} & set(headings)
    assert page.soup.select_one("main form[action*='/act/'], main form[action*='/assignment/']") is None
    paid = client.submit(page, {"amount": "320000", "receipt_number": "K-1"}, selector="main form[action$='/payments']")
    assert paid.status_code == 303
    [payment] = payment_data.for_application(application.id)
    assert payment.recorded_by_id == day.cashier.id and payment.recorded_agency == AGENCY
    db.session.refresh(application)
    assert application.paid
    event = db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
                               .order_by(ApplicationEvent.id.desc())).first()
    assert event.actor_role == f"{AGENCY}.cashier"
    assert client.get(f"/staff/cases/{application.public_id}").soup.select_one("main form[action$='/payments']") is None

    # No workflow step, no claim, no note, no document, no reversal: as for a case he cannot open.
    token = client.csrf_token()
    base = f"/staff/cases/{application.public_id}"
    for url, form in ((f"{base}/act/reject", {"seen_state": "submitted", "reason_text": "x"}),
                      (f"{base}/assignment/claim", {"seen_state": "submitted", "seen_assignee": ""}),
                      (f"{base}/facts/documents_checked", {"seen_state": "submitted"}),
                      (f"{base}/hand-over", {"seen_state": "submitted"}),
                      (f"{base}/notes/internal", {"body": "x"})):
        assert client.post(url, data={"csrf_token": token, **form}).status_code == 404, url
    assert client.post(f"{base}/payments/{payment.public_id}/reverse",
                       data={"csrf_token": token, "reason": "x"}).status_code == 403
    db.session.refresh(application)
    assert (application.state, application.assignee_id, payment.reversed_at) == ("submitted", None, None)
    actor = transitions.actor_for(day.cashier, False)
    snapshot = transitions.snapshot(definition_for(application), application)
    assert engine.available_actions(definition_for(application), snapshot, actor) == []
    assert engine.assignment_actions(definition_for(application), snapshot, actor) == frozenset()
    # A supervisor cannot assign the case to him either.
    sign_in_as(client, day.chief)
    options = client.get(f"{base}?lang=en").soup.select("main select[name=assignee] option")
    assert day.cashier.public_id not in {o.get("value") for o in options}
    assert day.clerk.public_id in {o.get("value") for o in options}


def test_a_cashier_of_another_office_cannot_open_the_case(client, factories, day):
    stranger = factories.staff(OTHER.slug, "cashier")
    sign_in_as(client, stranger)
    assert client.get(f"/staff/cases/{day.cash.public_id}").status_code == 404
    token = client.csrf_token()
    posted = client.post(f"/staff/cases/{day.transfer.public_id}/payments",
                         data={"csrf_token": token, "amount": "1000", "currency": "KHR", "method": "counter_cash",
                               "receipt_number": "S-1"})
    assert posted.status_code == 404 and len(payment_data.for_application(day.transfer.id)) == 1


def test_an_administrator_grants_the_cashier_role_and_the_command_creates_one(client, runner, factories, services):
    member = factories.staff(AGENCY, "clerk")
    sign_in_as(client, factories.admin())
    page = client.get(f"/admin/staff/{member.public_id}")
    assert "cashier" in {o.get("value") for o in page.soup.select("main select[name=role] option")}
    added = client.submit(page, {"agency": AGENCY, "role": "cashier"}, selector="main form[action$='/roles']")
    assert added.status_code in (302, 303)
    db.session.expire_all()
    assert {r.role for r in member.staff_roles} == {"clerk", "cashier"}
    made = runner.invoke(args=["users", "create-staff", "--email", "cashier@agency.gov.kh", "--name-km", "ស៊ុន សុខលី",
                               "--name-latin", "Sun Sokly", "--agency", AGENCY, "--role", "cashier"])
    assert made.exit_code == 0, made.output
    assert "cashier at" in made.output


def test_someone_keeping_the_books_of_two_offices_picks_one(client, factories, day):
    both = factories.staff(AGENCY, "supervisor", locale="en")
    agency_data.grant_role(both, agency_data.get_by_slug(OTHER.slug), "cashier")
    db.session.commit()
    sign_in_as(client, both)
    page = client.get(finance_url())
    assert {o["value"] for o in page.soup.select("main select[name=agency] option")} == {AGENCY, OTHER.slug}
    theirs = client.get(finance_url(agency=OTHER.slug)).get_data(as_text=True)
    assert day.elsewhere.reference in theirs and day.by_khqr.reference not in theirs
