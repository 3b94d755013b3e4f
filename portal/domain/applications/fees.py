"""What an application costs: the definition's fees that apply to its values, each a fixed amount (times
its quantity) or computed by its rule (`fee_explained`), minus waivers. A computed fee whose inputs are not
known yet (a value staff enter later) is "to be assessed": a line without amounts, never counted as 0."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.domain.applications.fee_explained import work_out
from portal.domain.applications.values import case_values, values_for
from portal.domain.catalogue import Fee, Service
from portal.domain.expression_contexts import FEES, NOTHING, Knows


@dataclass(frozen=True)
class FeeLine:
    fee: Fee
    quantity: int
    amounts: dict[str, Decimal]  # empty while to be assessed
    waived_by: object | None = None  # the Waiver, when waived
    explanation: tuple[dict, ...] = ()  # {km, en} sentences, for a computed fee
    pending: bool = False  # to be assessed: a value it needs is not known yet


def fee_values(service: Service, application) -> dict:
    """The names a fee's rules see for an application (the expression context FEES): every assessment of
    an application goes through here."""
    return case_values(FEES, service, application, Knows(application=application))


def fee_lines(service: Service, answers: dict, knows: Knows = NOTHING) -> list[FeeLine]:
    return lines_for(service, values_for(FEES, service, answers, knows))


def lines_for(service: Service, values: dict) -> list[FeeLine]:
    waived = {}
    for waiver in service.waivers:
        if waiver.when.is_true(values):
            for fee_id in waiver.fees:
                waived.setdefault(fee_id, waiver)
    lines = []
    for fee in service.fees:
        if fee.when is not None and not fee.when.is_true(values):
            continue
        if fee.rule is not None:
            worked = work_out(fee.rule, values)
            if worked.amount is None:
                lines.append(FeeLine(fee, 1, {}, waived.get(fee.id), pending=True))
            elif worked.amount > 0:
                lines.append(FeeLine(fee, 1, {fee.rule.currency: worked.amount}, waived.get(fee.id),
                                     worked.explanation))
            continue
        quantity = 1
        if fee.per:
            per = values.get(fee.per)
            quantity = len(per) if isinstance(per, list) else int(per or 0)
        if quantity <= 0:
            continue
        lines.append(FeeLine(fee, quantity, {c: a * quantity for c, a in fee.amounts.items()}, waived.get(fee.id)))
    return lines


def totals(lines: list[FeeLine]) -> dict[str, Decimal]:
    """What the lines that could be worked out come to (those to be assessed are not in it)."""
    total: dict[str, Decimal] = {}
    for line in lines:
        if line.waived_by is None:
            for currency, amount in line.amounts.items():
                total[currency] = total.get(currency, Decimal(0)) + amount
    return total


def to_be_assessed(lines: list[FeeLine]) -> bool:
    return any(line.pending and line.waived_by is None for line in lines)
