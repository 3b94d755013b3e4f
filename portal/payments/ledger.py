"""The money rules, pure: what was paid, what is still due, what is owed back.

balance[currency] = owed (latest frozen assessment) - settled payments (reversed ones excluded).
Positive: still due. Negative: overpaid, a refund owed by the finance office. Each currency stands
alone: riel never settle a dollar amount. A duplicate (same provider reference or receipt) never
reaches this list twice: the ledger's unique keys record it once (`portal.data.payments.add`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol


class PaymentLike(Protocol):
    amount_minor: int
    currency: str
    reversed_at: object


def settled(payments: Iterable[PaymentLike]) -> dict[str, int]:
    total: dict[str, int] = {}
    for payment in payments:
        if payment.reversed_at is None:
            total[payment.currency] = total.get(payment.currency, 0) + int(payment.amount_minor)
    return total


def balance(owed: Mapping[str, int], payments: Iterable[PaymentLike]) -> dict[str, int]:
    """Currency -> owed minus paid, for every currency owed or paid in (zeros included)."""
    return balance_of(owed, settled(payments))


def balance_of(owed: Mapping[str, int], paid: Mapping[str, int]) -> dict[str, int]:
    """The same from totals: currency -> owed minus paid (a report that summed the payments in SQL)."""
    return {c: int(owed.get(c, 0)) - int(paid.get(c, 0)) for c in sorted(set(owed) | set(paid))}


def due(balances: Mapping[str, int]) -> dict[str, int]:
    return {c: amount for c, amount in balances.items() if amount > 0}


def refund_owed(balances: Mapping[str, int]) -> dict[str, int]:
    return {c: -amount for c, amount in balances.items() if amount < 0}


def is_settled(balances: Mapping[str, int]) -> bool:
    """Nothing due in any currency (an overpayment settles; the refund is the finance office's)."""
    return not due(balances)
