"""An amount and its currency: riel in whole numbers, US dollars with cents."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from portal.domain.fields.definition_fields import CompositeField, MoneyForm
from portal.domain.fields.kinds.base import NOT_GIVEN, FieldKind, Posted, WrongShape, pointer_part, scalar_text
from portal.domain.i18n import formatting


class MoneyKind(FieldKind):
    widget = "money"
    document_filter = "money"

    def form_field(self, label, common, locale, documents):
        spec = self.spec
        subform = type("MoneyForm", (MoneyForm,), {"label": label, "currencies": spec.currencies or ("KHR",),
                                                    "minimum": spec.min, "maximum": spec.max})
        return CompositeField(subform, **common)

    def initial(self, value):
        return composite_initial(value)

    def value_of(self, field, lenient):
        return field.form.answer()

    def posted(self, name, value):
        return composite_posted(name, value, ("amount", "currency"))

    def typed(self, value):
        if value in (None, ""):
            return None
        if not isinstance(value, dict):
            return value
        try:
            return {"amount": Decimal(str(value.get("amount"))), "currency": value.get("currency")}
        except InvalidOperation:
            return None

    def display(self, value, locale):
        if not isinstance(value, dict):
            return str(value)
        try:
            return formatting.money(Decimal(str(value.get("amount"))), value.get("currency") or "KHR", locale)
        except (InvalidOperation, ValueError):
            return ""

    @classmethod
    def document(cls, value, locale, currency="KHR"):
        """An amount (`{{ total|km_money }}`, `{{ amount|en_money(currency) }}`) or a whole money answer."""
        if isinstance(value, dict):
            value, currency = value.get("amount"), value.get("currency") or currency
        return formatting.money(value, currency, locale)

    def answers(self):
        from hypothesis import strategies as st

        currencies = self.spec.currencies or ("KHR",)
        riel = st.integers(0, 10**12).map(lambda amount: {"amount": str(amount), "currency": "KHR"})
        dollars = st.decimals(0, 10**9, places=2).map(lambda amount: {"amount": format(amount, "f"), "currency": "USD"})
        return st.one_of([riel if code == "KHR" else dollars for code in currencies])


def composite_initial(value):
    """A saved answer made of several inputs (money, address): its plain parts."""
    if not isinstance(value, dict):
        return NOT_GIVEN
    return {key: part for key, part in value.items() if isinstance(part, (str, int)) and key != "meta"}


def composite_posted(name: str, value, parts: tuple[str, ...]) -> Posted:
    """A JSON answer made of named `parts` (`{"amount": "1000", "currency": "KHR"}`) as its inputs' pairs; a
    part the field does not have is a WrongShape at it."""
    if not isinstance(value, dict):
        raise WrongShape
    pairs = []
    for part, text in value.items():
        if part not in parts:
            raise WrongShape(f"/{pointer_part(part)}")
        if text is not None:
            try:
                pairs.append((f"{name}-{part}", scalar_text(text)))
            except WrongShape:
                raise WrongShape(f"/{part}") from None
    return pairs
