"""Whole numbers (`integer`) and numbers with decimals (`number`), typed in Khmer or Latin digits."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial

from portal.domain.fields.definition_fields import clean_integer, clean_number
from portal.domain.fields.kinds.base import InputKind
from portal.domain.i18n import formatting

DEFAULT_RANGE = (Decimal(0), Decimal(10) ** 9)  # for test answers when the definition sets no bounds


class _NumberKind(InputKind):
    def typed(self, value):
        if value in (None, ""):
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None

    def display(self, value, locale):
        try:
            return formatting.number(Decimal(str(value)), locale)
        except InvalidOperation:
            return str(value)

    def _range(self) -> tuple[Decimal, Decimal]:
        low = self.spec.min if self.spec.min is not None else DEFAULT_RANGE[0]
        high = self.spec.max if self.spec.max is not None else max(low, DEFAULT_RANGE[0]) + DEFAULT_RANGE[1]
        return low, high


class IntegerKind(_NumberKind):
    input_attributes = {"inputmode": "numeric"}
    counts = True  # a fee can be charged per unit (months of rent, say)

    def cleaner(self, label, locale):
        return partial(clean_integer, label=label, minimum=self.spec.min, maximum=self.spec.max)

    def answers(self):
        from hypothesis import strategies as st

        low, high = self._range()
        return st.integers(int(low.to_integral_value("ROUND_CEILING")), int(high.to_integral_value("ROUND_FLOOR")))


class NumberKind(_NumberKind):
    input_attributes = {"inputmode": "decimal"}

    def cleaner(self, label, locale):
        return partial(clean_number, label=label, minimum=self.spec.min, maximum=self.spec.max)

    def answers(self):
        from hypothesis import strategies as st

        low, high = self._range()
        return st.decimals(low, high, places=2).map(lambda value: format(value, "f"))
