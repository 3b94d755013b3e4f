"""Answers as a person reads them, in their language: option labels, money, dates, places."""

from __future__ import annotations

from datetime import date as date_type
from decimal import Decimal, InvalidOperation

from portal.domain.catalogue import Field, Service
from portal.domain.geo import places
from portal.domain.i18n import formatting


def display(field: Field, value, locale: str) -> str:
    if value in (None, "", [], {}):
        return ""
    kind = field.type
    if kind == "choice":
        label = field.option_label(value)
        return formatting.pick(label, locale) if label else str(value)
    if kind == "multi_choice" and isinstance(value, list):
        return ", ".join(display_choice(field, v, locale) for v in value)
    if kind == "money" and isinstance(value, dict):
        try:
            return formatting.money(Decimal(str(value.get("amount"))), value.get("currency") or "KHR", locale)
        except (InvalidOperation, ValueError):
            return ""
    if kind in ("integer", "number"):
        try:
            return formatting.number(Decimal(str(value)), locale)
        except InvalidOperation:
            return str(value)
    if kind == "date":
        try:
            return formatting.date(date_type.fromisoformat(str(value)), "long", locale)
        except ValueError:
            return str(value)
    if kind == "address" and isinstance(value, dict):
        found = places.chain(value.get("province"), value.get("district"), value.get("commune"), value.get("village"))
        parts = [value.get("street") or ""] + [p.name(locale) for p in reversed(found)]
        return ", ".join(p for p in parts if p)
    if kind == "declaration":
        return "✓"
    if kind == "group" and isinstance(value, list):
        return " | ".join(
            "; ".join(f"{formatting.pick(sub.label, locale)}: {display(sub, item.get(sub.id), locale)}"
                      for sub in field.fields if item.get(sub.id) not in (None, ""))
            for item in value if isinstance(item, dict)
        )
    return str(value)


def display_choice(field: Field, value, locale: str) -> str:
    label = field.option_label(value)
    return formatting.pick(label, locale) if label else str(value)


def summary(service: Service, steps, answers: dict, locale: str) -> list[tuple]:
    """[(step, [(field, shown value)])] for the fields shown on each step."""
    from portal.domain.applications.values import expression_values

    values = expression_values(service, answers)
    result = []
    for step in steps:
        rows = [(f, display(f, answers.get(f.id), locale)) for f in step.fields
                if f.type not in ("file",) and (f.show_when is None or f.show_when.is_true(values))]
        result.append((step, rows))
    return result


def missing(service: Service, steps, answers: dict, attached: set[str]) -> list[tuple]:
    """What must still be given before submitting: [(step or None, label)]."""
    from portal.domain.applications.values import expression_values

    values = expression_values(service, answers)
    gaps = []
    for step in steps:
        for field in step.fields:
            shown = field.show_when is None or field.show_when.is_true(values)
            required = field.required or (field.required_when is not None and field.required_when.is_true(values))
            if shown and required and answers.get(field.id) in (None, "", [], {}, False):
                gaps.append((step, field.label))
    for requirement in service.documents:
        required = requirement.required or (
            requirement.required_when is not None and requirement.required_when.is_true(values))
        if required and requirement.id not in attached:
            gaps.append((None, requirement.label))
    return gaps
