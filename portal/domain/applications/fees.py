"""What an application costs: the definition's fees that apply to its answers, times their
quantity, minus waivers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.domain.applications.values import values_for
from portal.domain.catalogue import Fee, Service
from portal.domain.expression_contexts import FEES, NOTHING, Knows


@dataclass(frozen=True)
class FeeLine:
    fee: Fee
    quantity: int
    amounts: dict[str, Decimal]
    waived_by: object | None = None  # the Waiver, when waived


def fee_lines(service: Service, answers: dict, knows: Knows = NOTHING) -> list[FeeLine]:
    values = values_for(FEES, service, answers, knows)
    waived = {}
    for waiver in service.waivers:
        if waiver.when.is_true(values):
            for fee_id in waiver.fees:
                waived.setdefault(fee_id, waiver)
    lines = []
    for fee in service.fees:
        if fee.when is not None and not fee.when.is_true(values):
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
    total: dict[str, Decimal] = {}
    for line in lines:
        if line.waived_by is None:
            for currency, amount in line.amounts.items():
                total[currency] = total.get(currency, Decimal(0)) + amount
    return total
