"""A computed fee (`portal.domain.catalogue.fee_rules`) applied to an application's values, and explained
step by step in Khmer and English: `២,០០០ ៛ × ១២០.៥ ម៉ែត្រការ៉េ = ២៤១,០០០ ៛`, then the rounding, then a
minimum or maximum that applied. The sentences are written here in both languages (not through the message
catalogue) because they are kept with the frozen assessment and shown later in either language. `describe`
says the rule itself, for the service page.

A value the rule needs that is not known (not answered, or staff have not entered it yet) makes the fee
"to be assessed": `Worked.amount` is None, never 0."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from babel import numbers as babel_numbers

from portal.domain.catalogue.fee_rules import FeeRule, Percent, Rate, Tiers
from portal.domain.i18n.formatting import GROUPING_FROM, digits, money

Text = dict[str, str]
LANGUAGES = ("km", "en")
# For non-negative amounts Decimal's UP and DOWN are "away from" and "towards" zero: up and down.
MODES = {"half_up": ROUND_HALF_UP, "up": ROUND_UP, "down": ROUND_DOWN}
ROUNDED = {
    "half_up": {"km": "បង្គត់ទៅពហុគុណជិតបំផុតនៃ {step}", "en": "rounded to the nearest {step}"},
    "up": {"km": "បង្គត់ឡើងទៅពហុគុណនៃ {step}", "en": "rounded up to a multiple of {step}"},
    "down": {"km": "បង្គត់ចុះទៅពហុគុណនៃ {step}", "en": "rounded down to a multiple of {step}"},
}
MINIMUM_APPLIES = {"km": "អនុវត្តចំនួនអប្បបរមា {amount}", "en": "the minimum of {amount} applies"}
MAXIMUM_APPLIES = {"km": "អនុវត្តចំនួនអតិបរមា {amount}", "en": "the maximum of {amount} applies"}
PERCENT_OF = {"km": "{percent} % នៃ {base} = {result}", "en": "{percent} % of {base} = {result}"}
BAND = {
    "first": {"km": "{quantity} មិនលើសពី {up_to}៖ {amount}", "en": "{quantity} is up to {up_to}: {amount}"},
    "middle": {"km": "{quantity} លើសពី {above} និងមិនលើសពី {up_to}៖ {amount}",
               "en": "{quantity} is over {above} and up to {up_to}: {amount}"},
    "last": {"km": "{quantity} លើសពី {above}៖ {amount}", "en": "{quantity} is over {above}: {amount}"},
    "only": {"km": "{quantity}៖ {amount}", "en": "{quantity}: {amount}"},
}
DESCRIBED = {
    "per": {"km": "{amount} ក្នុងមួយ {unit}", "en": "{amount} per {unit}"},
    "per_unit": {"km": "{amount} ក្នុងមួយឯកតា", "en": "{amount} per unit"},
    "percent": {"km": "{percent} %", "en": "{percent} %"},
    "up_to": {"km": "មិនលើសពី {up_to}៖ {amount}", "en": "up to {up_to}: {amount}"},
    "over": {"km": "លើសពី {above}៖ {amount}", "en": "over {above}: {amount}"},
    "minimum": {"km": "យ៉ាងតិច {amount}", "en": "at least {amount}"},
    "maximum": {"km": "យ៉ាងច្រើន {amount}", "en": "at most {amount}"},
    "rounded": {"km": "បង្គត់ទៅពហុគុណនៃ {step}", "en": "rounded to a multiple of {step}"},
}


@dataclass(frozen=True)
class Worked:
    amount: Decimal | None  # in the rule's currency; None: to be assessed
    explanation: tuple[Text, ...] = ()


def work_out(rule: FeeRule, values: dict[str, Any]) -> Worked:
    how = rule.how
    if isinstance(how, Rate):
        quantity = _number(values.get(how.per))
        if quantity is None:
            return Worked(None)
        raw = how.amount * max(quantity, Decimal(0))
        steps = [_each(lambda locale: f"{_money(how.amount, rule.currency, locale)} × "
                                      f"{_quantity(quantity, rule, locale)} = {_money(raw, rule.currency, locale)}")]
    elif isinstance(how, Percent):
        base = _number(how.of.evaluate(values))
        if base is None:
            return Worked(None)
        raw = max(base, Decimal(0)) * how.percent / 100
        steps = [_each(lambda locale: PERCENT_OF[locale].format(
            percent=_plain(how.percent, locale), base=_money(base, rule.currency, locale),
            result=_money(raw, rule.currency, locale)))]
    else:
        quantity = _number(how.by.evaluate(values))
        if quantity is None:
            return Worked(None)
        index = next(i for i, band in enumerate(how.bands) if band.up_to is None or quantity <= band.up_to)
        raw = how.bands[index].amount
        steps = [_band(rule, how, index, quantity)]
    amount = _rounded(raw, rule)
    if amount != raw:
        steps.append(_each(lambda locale: ROUNDED[rule.rounding][locale].format(
            step=money(rule.round_to, rule.currency, locale)) + f" = {_money(amount, rule.currency, locale)}"))
    if rule.minimum is not None and amount < rule.minimum:
        amount = rule.minimum
        steps.append(_each(lambda locale: MINIMUM_APPLIES[locale].format(amount=money(amount, rule.currency, locale))))
    if rule.maximum is not None and amount > rule.maximum:
        amount = rule.maximum
        steps.append(_each(lambda locale: MAXIMUM_APPLIES[locale].format(amount=money(amount, rule.currency, locale))))
    return Worked(amount, tuple(steps))


def describe(rule: FeeRule) -> Text:
    """The rule in words, for the service page: `2,000 ៛ per m², at least 50,000 ៛`."""
    how, currency = rule.how, rule.currency

    def words(locale: str) -> str:
        parts: list[str] = []
        if isinstance(how, Rate):
            key = "per" if rule.unit else "per_unit"
            parts.append(DESCRIBED[key][locale].format(amount=_money(how.amount, currency, locale),
                                                       unit=(rule.unit or {}).get(locale, "")))
        elif isinstance(how, Percent):
            parts.append(DESCRIBED["percent"][locale].format(percent=_plain(how.percent, locale)))
        else:
            for i, band in enumerate(how.bands):
                if band.up_to is not None:
                    parts.append(DESCRIBED["up_to"][locale].format(
                        up_to=_quantity(band.up_to, rule, locale), amount=money(band.amount, currency, locale)))
                else:
                    above = _quantity(how.bands[i - 1].up_to, rule, locale) if i else None
                    parts.append(DESCRIBED["over"][locale].format(above=above, amount=money(
                        band.amount, currency, locale)) if above else money(band.amount, currency, locale))
        if rule.round_to != Decimal(1) and rule.round_to != Decimal("0.01"):
            parts.append(DESCRIBED["rounded"][locale].format(step=money(rule.round_to, currency, locale)))
        if rule.minimum is not None:
            parts.append(DESCRIBED["minimum"][locale].format(amount=money(rule.minimum, currency, locale)))
        if rule.maximum is not None:
            parts.append(DESCRIBED["maximum"][locale].format(amount=money(rule.maximum, currency, locale)))
        return (" · " if isinstance(how, Tiers) else ", ").join(parts)

    return _each(words)


def _rounded(raw: Decimal, rule: FeeRule) -> Decimal:
    steps = (raw / rule.round_to).to_integral_value(rounding=MODES[rule.rounding])
    return steps * rule.round_to


def _band(rule: FeeRule, how: Tiers, index: int, quantity: Decimal) -> Text:
    band = how.bands[index]
    if len(how.bands) == 1:
        position = "only"
    elif index == 0:
        position = "first"
    else:
        position = "last" if band.up_to is None else "middle"
    above = how.bands[index - 1].up_to if index else None
    return _each(lambda locale: BAND[position][locale].format(
        quantity=_quantity(quantity, rule, locale), up_to=_quantity(band.up_to, rule, locale),
        above=_quantity(above, rule, locale), amount=money(band.amount, rule.currency, locale)))


def _number(value: Any) -> Decimal | None:
    """A number to work with, or None when it is not known (a missing answer, a staff value not entered)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    return None


def _each(sentence) -> Text:
    return {locale: sentence(locale) for locale in LANGUAGES}


def _plain(value: Decimal | None, locale: str) -> str:
    """A number exactly as it is (`120.5`, `4.25`), grouped from five digits, in the locale's digits."""
    if value is None:
        return ""
    grouped = "#,##0" if abs(value) >= GROUPING_FROM else "0"
    return digits(babel_numbers.format_decimal(value, format=grouped + ".##########", locale="en"), locale)


def _quantity(value: Decimal | None, rule: FeeRule, locale: str) -> str:
    text = _plain(value, locale)
    return f"{text} {rule.unit[locale]}" if rule.unit and value is not None else text


def _money(amount: Decimal, currency: str, locale: str) -> str:
    """An amount before rounding may have a fraction of a riel (or cent): shown exactly, not rounded."""
    smallest = Decimal(1) if currency == "KHR" else Decimal("0.01")
    if amount % smallest == 0:
        return money(amount, currency, locale)
    exact = babel_numbers.format_decimal(amount, format="#,##0.##########", locale="en")
    return digits(f"{exact} ៛" if currency == "KHR" else f"${exact}", locale)
