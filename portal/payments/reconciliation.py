"""The finance office's reconciliation of one agency over Cambodian days: what was received per day,
method and service, the totals per currency, the reversals, the refunds owed and the provider
confirmations that were refused. One report for the page, its CSV and `flask payments reconcile`.

Each event counts on the day it happened (Asia/Phnom_Penh): a payment on the day it was recorded (or
confirmed by the provider), a reversal on the day it was made, whenever the payment was. So a day's
net is what the drawer and the bank account should have gained that day. A payment is the agency's when
the agency recorded it (for KHQR: held the case when the provider confirmed it). Refunds owed are as of
now, not of the period: the cases the agency took money for whose balance is negative in a currency.
Confirmations that match no payment request cannot be placed in an agency: `unplaced` lists them for
the administrators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from portal.data import people
from portal.data import reconciliation as rows
from portal.domain.applications.versions import definition_for
from portal.domain.catalogue import get_catalogue
from portal.domain.clock import CAMBODIA
from portal.payments import account, ledger
from portal.payments.money import CURRENCIES

METHODS = ("counter_cash", "counter_transfer", "khqr")
# A report covers at most about a quarter: enough for a month's or a quarter's books, and it bounds the
# rows one request reads.
MAX_DAYS = 92


class BadPeriod(ValueError):
    """The period ends before it starts (`code` "order") or is longer than MAX_DAYS ("too_long")."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Line:
    """What one method brought in one currency for one service on one day."""

    day: date
    method: str
    service: str
    service_title: dict
    currency: str
    count: int
    amount_minor: int


@dataclass(frozen=True)
class Total:
    currency: str
    received: int = 0
    reversed: int = 0

    @property
    def net(self) -> int:
        return self.received - self.reversed


@dataclass(frozen=True)
class MethodTotal:
    method: str
    currency: str
    count: int
    amount_minor: int


@dataclass(frozen=True)
class Reversal:
    at: datetime
    reference: str | None
    public_id: str
    method: str
    currency: str
    amount_minor: int
    recorded_at: datetime
    receipt: str | None  # the receipt number, or the provider's reference
    reversed_by: object | None  # the Person, None when the account is gone
    reason: str


@dataclass(frozen=True)
class RefundOwed:
    reference: str | None
    public_id: str
    service_title: dict
    amounts: dict[str, int]


@dataclass(frozen=True)
class Refused:
    """A provider's confirmation that was refused (why: `reason`), and the case it was about if known."""

    at: datetime
    source: str
    reason: str
    currency: str | None
    amount_minor: int | None
    provider_reference: str | None
    reference: str | None = None
    public_id: str | None = None


@dataclass(frozen=True)
class Report:
    agency: str
    first: date
    last: date
    lines: list[Line] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    by_method: list[MethodTotal] = field(default_factory=list)
    reversals: list[Reversal] = field(default_factory=list)
    refunds: list[RefundOwed] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.lines or self.reversals or self.refunds or self.refused)


def check_period(first: date, last: date) -> None:
    if last < first:
        raise BadPeriod("order")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadPeriod("too_long")


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) in naive UTC, as instants are stored, of the Cambodian days first..last."""
    start = datetime.combine(first, time(0), tzinfo=CAMBODIA).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=CAMBODIA).astimezone(UTC).replace(tzinfo=None)
    return start, end


def local_day(moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(CAMBODIA).date()


def _service_title(slug: str) -> dict:
    service = get_catalogue().get(slug)
    return dict(service.title) if service is not None else {"km": slug, "en": slug}


def _receipt(payment) -> str | None:
    return payment.receipt_number or payment.provider_reference


def _lines(received) -> list[Line]:
    grouped: dict[tuple, list[int]] = {}
    for payment, application in received:
        key = (local_day(payment.recorded_at), METHODS.index(payment.method), application.service_slug,
               CURRENCIES.index(payment.currency))
        count_and_amount = grouped.setdefault(key, [0, 0])
        count_and_amount[0] += 1
        count_and_amount[1] += int(payment.amount_minor)
    return [Line(day, METHODS[method], slug, _service_title(slug), CURRENCIES[currency], count, amount)
            for (day, method, slug, currency), (count, amount) in sorted(grouped.items())]


def _totals(received, reversed_) -> list[Total]:
    got: dict[str, int] = {}
    for payment, _application in received:
        got[payment.currency] = got.get(payment.currency, 0) + int(payment.amount_minor)
    back: dict[str, int] = {}
    for payment, _application in reversed_:
        back[payment.currency] = back.get(payment.currency, 0) + int(payment.amount_minor)
    return [Total(c, got.get(c, 0), back.get(c, 0)) for c in CURRENCIES if c in got or c in back]


def _by_method(received) -> list[MethodTotal]:
    grouped: dict[tuple[str, str], list[int]] = {}
    for payment, _application in received:
        count_and_amount = grouped.setdefault((payment.method, payment.currency), [0, 0])
        count_and_amount[0] += 1
        count_and_amount[1] += int(payment.amount_minor)
    return [MethodTotal(method, currency, *grouped[(method, currency)])
            for method in METHODS for currency in CURRENCIES if (method, currency) in grouped]


def _reversals(reversed_) -> list[Reversal]:
    return [Reversal(payment.reversed_at, application.reference, application.public_id, payment.method,
                     payment.currency, int(payment.amount_minor), payment.recorded_at, _receipt(payment),
                     people.get_by_id(payment.reversed_by_id) if payment.reversed_by_id else None,
                     payment.reversal_reason or "")
            for payment, application in reversed_]


def refunds_owed(agency: str) -> list[RefundOwed]:
    """The cases the agency took money for that owe some back now: paid more than the latest assessment
    asks, in some currency (an overpayment, or a correction that lowered the fees)."""
    paid = rows.settled_by_application(agency)
    owed = rows.latest_totals(paid)
    owing = {}
    unfrozen = []
    for application_id, settled in paid.items():
        if application_id not in owed:
            unfrozen.append(application_id)  # paid before assessments were frozen: asked of the account
            continue
        back = ledger.refund_owed(ledger.balance_of(owed[application_id], settled))
        if back:
            owing[application_id] = back
    found = []
    for application in rows.applications(set(owing) | set(unfrozen)):
        amounts = owing.get(application.id)
        if amounts is None:
            current = account.account(definition_for(application), application)
            amounts = current.refund_owed if current is not None else {}
        if amounts:
            found.append(RefundOwed(application.reference, application.public_id,
                                    _service_title(application.service_slug),
                                    {c: amounts[c] for c in CURRENCIES if c in amounts}))
    return found


def _refused(callback, application=None) -> Refused:
    return Refused(callback.received_at, callback.source, callback.reason or "", callback.currency,
                   int(callback.amount_minor) if callback.amount_minor is not None else None,
                   callback.provider_reference, application.reference if application is not None else None,
                   application.public_id if application is not None else None)


def report(agency: str, first: date, last: date) -> Report:
    """The agency's reconciliation for the Cambodian days first..last. Raises BadPeriod."""
    check_period(first, last)
    start, end = bounds(first, last)
    received = rows.payments_recorded(agency, start, end)
    reversed_ = rows.payments_reversed(agency, start, end)
    return Report(
        agency=agency, first=first, last=last, lines=_lines(received), totals=_totals(received, reversed_),
        by_method=_by_method(received), reversals=_reversals(reversed_), refunds=refunds_owed(agency),
        refused=[_refused(callback, application)
                 for callback, application in rows.refused_callbacks(agency, start, end)])


def unplaced(first: date, last: date) -> list[Refused]:
    """Refused confirmations of the period that match no payment request: no agency's."""
    check_period(first, last)
    return [_refused(callback) for callback in rows.unplaced_callbacks(*bounds(first, last))]
