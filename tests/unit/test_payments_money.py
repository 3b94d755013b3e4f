"""Money in minor units (portal.payments.money) and the pure ledger rules (portal.payments.ledger)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.payments import ledger, money


def test_definition_amounts_become_integers_in_the_minor_unit():
    assert money.to_minor(Decimal("800000"), "KHR") == 800000
    assert money.to_minor(Decimal("12.50"), "USD") == 1250
    assert isinstance(money.to_minor(Decimal("12.5"), "USD"), int)
    with pytest.raises(ValueError):
        money.to_minor(Decimal("0.5"), "KHR")  # no half riel
    with pytest.raises(ValueError):
        money.to_minor(Decimal("1.005"), "USD")


@pytest.mark.parametrize(("typed", "currency", "minor"), [
    ("10000", "KHR", 10000), ("1,000,000", "KHR", 1000000), ("១០០,០០០", "KHR", 100000), (" 20 000 ", "KHR", 20000),
    ("12.50", "USD", 1250), ("3", "USD", 300), ("10000.0", "KHR", 10000),
])
def test_what_a_cashier_types_is_read_exactly(typed, currency, minor):
    assert money.parse(typed, currency) == minor


@pytest.mark.parametrize(("typed", "currency"), [
    ("", "KHR"), ("0", "KHR"), ("-5", "KHR"), ("10000.5", "KHR"), ("1.005", "USD"), ("1e6", "KHR"), ("abc", "USD"),
    ("nan", "USD"), ("1" * 13, "KHR"),
])
def test_what_is_not_a_positive_amount_is_refused(typed, currency):
    with pytest.raises(money.NotAnAmount):
        money.parse(typed, currency)


def test_amounts_are_shown_as_riel_without_decimals_and_dollars_with_cents():
    assert money.shown(1120000, "KHR", "en") == "1,120,000 ៛"
    assert money.shown(1120000, "KHR", "km") == "១,១២០,០០០ ៛"
    assert money.shown(1250, "USD", "en") == "$12.50"


def _payment(amount, currency="KHR", reversed_=False):
    return SimpleNamespace(amount_minor=amount, currency=currency, reversed_at="then" if reversed_ else None)


def test_each_currency_stands_alone_and_an_overpayment_is_a_refund_owed():
    balances = ledger.balance({"KHR": 10000}, [_payment(300, "USD"), _payment(4000)])
    assert balances == {"KHR": 6000, "USD": -300}
    assert ledger.due(balances) == {"KHR": 6000} and ledger.refund_owed(balances) == {"USD": 300}
    assert not ledger.is_settled(balances)
    assert ledger.is_settled(ledger.balance({"KHR": 10000}, [_payment(12000), _payment(5000, reversed_=True)]))


payments_strategy = st.lists(st.tuples(st.integers(1, 10**9), st.sampled_from(["KHR", "USD"]), st.booleans()),
                             max_size=30)


@given(owed=st.dictionaries(st.sampled_from(["KHR", "USD"]), st.integers(0, 10**9)), payments=payments_strategy)
def test_the_balance_is_what_is_owed_minus_what_was_paid_and_not_reversed(owed, payments):
    rows = [_payment(a, c, r) for a, c, r in payments]
    balances = ledger.balance(owed, rows)
    for currency in ("KHR", "USD"):
        paid = sum(a for a, c, r in payments if c == currency and not r)
        assert balances.get(currency, 0) == owed.get(currency, 0) - paid
        assert isinstance(balances.get(currency, 0), int)
    assert ledger.is_settled(balances) == all(
        owed.get(c, 0) <= sum(a for a, cc, r in payments if cc == c and not r) for c in owed)
