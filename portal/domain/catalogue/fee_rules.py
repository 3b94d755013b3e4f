"""Computed fees: a rate per unit of a quantity, a percentage of an amount, or tiers by a quantity, each
rounded and kept between a minimum and a maximum. What a definition writes (read here, with errors that name
the place) and the typed rules the loader keeps on a `Fee`; `portal.domain.applications.fee_explained` applies
them to an application's values. Decimals only: YAML floats are read through their text."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.domain.catalogue import contexts
from portal.domain.catalogue.expressions import Expression, ExpressionError, parse
from portal.domain.expression_contexts import FEES

Text = dict[str, str]

CURRENCIES = ("KHR", "USD")
SMALLEST = {"KHR": Decimal(1), "USD": Decimal("0.01")}  # riel are whole, dollars go to the cent
ROUNDING_MODES = ("half_up", "up", "down")
KINDS = ("amount", "rate", "percent", "tiers")  # exactly one of these says how a fee is worked out
COMMON_KEYS = {"round_to", "rounding", "minimum", "maximum"}
KIND_KEYS = {
    "rate": ({"rate", "per"}, {"unit"}),
    "percent": ({"percent", "of", "currency"}, set()),
    "tiers": ({"tiers"}, {"unit"}),
}
NUMBER_FIELD_TYPES = ("integer", "number")


@dataclass(frozen=True)
class Rate:
    amount: Decimal  # per unit
    per: str  # a number or integer field, or a computed value


@dataclass(frozen=True)
class Percent:
    percent: Decimal
    of: Expression  # gives an amount in the fee's currency


@dataclass(frozen=True)
class Band:
    up_to: Decimal | None  # None: the last band, everything above the one before
    amount: Decimal


@dataclass(frozen=True)
class Tiers:
    by: Expression  # gives the quantity that picks the band
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class FeeRule:
    """How a computed fee is worked out, in one currency."""

    how: Rate | Percent | Tiers
    currency: str
    round_to: Decimal  # the line is a multiple of it (default: 1 riel, 1 cent)
    rounding: str = "half_up"  # half_up, up or down
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: Text | None = None  # what the quantity counts, printed in the explanation (m², ម៉ែត្រការ៉េ)


def is_computed(item: Any) -> bool:
    """A fee written with a rate, a percent or tiers (or with none of the ways at all: `read` says so)."""
    return isinstance(item, dict) and ("amount" not in item or any(kind in item for kind in KINDS[1:]))


def keys_of(item: dict) -> set[str]:
    """The keys a computed fee may have beside id, label, note and when."""
    kind = next(k for k in KINDS[1:] if k in item)
    required, optional = KIND_KEYS[kind]
    return required | optional | COMMON_KEYS


def read(r, item: dict, where: str, names: set[str], fields: dict) -> FeeRule:
    """The rule of a computed fee; `r` is the loader's reader (its `fail`, `mapping`, `text`, `one_of`).
    `names`: what the fee's expressions may use; `fields`: field id -> Field."""
    ways = [kind for kind in KINDS if kind in item]
    if len(ways) != 1:
        found = f" (it has {' and '.join(ways)})" if ways else ""
        raise r.fail(where, f"give exactly one of amount, rate (with per), percent (with of) or tiers{found}")
    kind = ways[0]
    required, optional = KIND_KEYS[kind]
    r.mapping(item, where, {"id", "label"} | required, {"note", "when"} | optional | COMMON_KEYS)
    if kind == "rate":
        currency, amount = _one_amount(r, item["rate"], where + ".rate")
        how: Rate | Percent | Tiers = Rate(amount, _quantity_name(r, item["per"], where + ".per", names, fields))
    elif kind == "percent":
        currency = r.one_of(item["currency"], where + ".currency", CURRENCIES)
        how = Percent(_number(r, item["percent"], where + ".percent"),
                      _expression(r, item["of"], where + ".of", names))
    else:
        currency, how = _tiers(r, item["tiers"], where + ".tiers", names)
    round_to = _round_to(r, item, where, currency)
    minimum = _bound(r, item, "minimum", where, currency)
    maximum = _bound(r, item, "maximum", where, currency)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise r.fail(where + ".minimum", f"{minimum} is more than the maximum {maximum}")
    unit = r.text(item["unit"], where + ".unit") if "unit" in item else None
    rounding = r.one_of(item.get("rounding", "half_up"), where + ".rounding", ROUNDING_MODES)
    return FeeRule(how, currency, round_to, rounding, minimum, maximum, unit)


def _number(r, value: Any, where: str, minimum: Decimal = Decimal(0)) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise r.fail(where, f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise r.fail(where, f"{value!r} is not a number") from None
    if not number.is_finite() or number < minimum:
        raise r.fail(where, f"expected a number of at least {minimum}, not {number}")
    return number


def _money(r, value: Any, where: str, currency: str) -> Decimal:
    amount = _number(r, value, where)
    if amount % SMALLEST[currency]:
        raise r.fail(where, f"{amount} is not a whole number of {'riel' if currency == 'KHR' else 'cents'}")
    return amount


def _one_amount(r, value: Any, where: str) -> tuple[str, Decimal]:
    """`{KHR: 2000}`: a computed fee charges in one currency (two currencies are two fees)."""
    amounts = r.mapping(value, where, set(), set(CURRENCIES))
    if len(amounts) != 1:
        raise r.fail(where, "expected one amount, in KHR or USD (write a second fee for the other currency)")
    currency, amount = next(iter(amounts.items()))
    return currency, _number(r, amount, f"{where}.{currency}")


def _quantity_name(r, value: Any, where: str, names: set[str], fields: dict) -> str:
    field = fields.get(value) if isinstance(value, str) else None
    computed = isinstance(value, str) and value in names and value not in fields and "." not in value
    if not computed and (field is None or field.type not in NUMBER_FIELD_TYPES):
        raise r.fail(where, f"{value!r} is not a number or integer field, nor a computed value, of this service")
    return value


def _expression(r, value: Any, where: str, names: set[str]) -> Expression:
    try:
        expression = parse(value)
    except ExpressionError as error:
        raise r.fail(where, f"bad expression: {error}") from None
    problem = contexts.unknown_name(expression, FEES, names)  # what any fee's expression may name
    if problem:
        raise r.fail(where, problem)
    return expression


def _tiers(r, value: Any, where: str, names: set[str]) -> tuple[str, Tiers]:
    r.mapping(value, where, {"by", "bands"})
    by = _expression(r, value["by"], where + ".by", names)
    raw = r.list_of(value["bands"], where + ".bands")
    bands: list[Band] = []
    currency = None
    for i, band in enumerate(raw):
        at = f"{where}.bands[{i}]"
        last = i == len(raw) - 1
        r.mapping(band, at, {"amount"} if last else {"amount", "up_to"}, {"up_to"})
        if last and "up_to" in band:
            raise r.fail(at + ".up_to", "the last band has no up_to: it takes every quantity above the one before")
        band_currency, amount = _one_amount(r, band["amount"], at + ".amount")
        if currency is not None and band_currency != currency:
            raise r.fail(at + ".amount", f"every band charges in {currency}")
        currency = band_currency
        up_to = None if last else _number(r, band["up_to"], at + ".up_to", Decimal("-Infinity"))
        if up_to is not None and bands and up_to <= bands[-1].up_to:
            raise r.fail(at + ".up_to", f"the bands must go up: {up_to} is not above {bands[-1].up_to}")
        bands.append(Band(up_to, _money(r, amount, f"{at}.amount.{band_currency}", band_currency)))
    return currency, Tiers(by, tuple(bands))


def _round_to(r, item: dict, where: str, currency: str) -> Decimal:
    if "round_to" not in item:
        return SMALLEST[currency]
    step = _number(r, item["round_to"], where + ".round_to")
    if step <= 0:
        raise r.fail(where + ".round_to", f"expected a positive amount, not {item['round_to']!r}")
    return _money(r, item["round_to"], where + ".round_to", currency)


def _bound(r, item: dict, key: str, where: str, currency: str) -> Decimal | None:
    if key not in item:
        return None
    at = f"{where}.{key}"
    found, amount = _one_amount(r, item[key], at)
    if found != currency:
        raise r.fail(f"{at}.{found}", f"this fee charges in {currency}")
    return _money(r, amount, f"{at}.{found}", currency)
