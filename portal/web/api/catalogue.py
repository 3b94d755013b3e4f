"""Discovery: the live services and what applying to each asks for, every text in Khmer and English.

What a form step validates (types, required and conditional fields, lengths, patterns, ranges, options,
cross-field rules), the documents and the fees are given as the definition states them, so a business's
software can build its own form and get the same answers accepted. Conditions (`show_when`, `required_when`,
a rule's `check`, a fee's `when`) are the definition's expressions, in its expression language
(docs/services.md). Drafts and retired versions are never listed.
"""

from __future__ import annotations

from decimal import Decimal

from flask import abort

from portal.domain import links
from portal.domain.applications.fee_explained import describe as describe_fee_rule
from portal.domain.catalogue import get_catalogue
from portal.domain.catalogue.model import Field, Service, Step
from portal.web.api.operations import operation
from portal.web.api.texts import CATALOGUE


def _expression(expression) -> str | None:
    return expression.source if expression is not None else None


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else format(amount, "f")  # a string: JSON numbers would round money


def _without_empty(members: dict) -> dict:
    return {key: value for key, value in members.items() if value is not None and value != () and value != []}


def field_json(field: Field) -> dict:
    return _without_empty({
        "id": field.id, "type": field.type, "label": field.label, "hint": field.hint,
        "required": field.required, "required_when": _expression(field.required_when),
        "show_when": _expression(field.show_when), "min_length": field.min_length, "max_length": field.max_length,
        "pattern": field.pattern, "pattern_message": field.pattern_message,
        "min": _money(field.min), "max": _money(field.max),
        "currencies": list(field.currencies) if field.type == "money" else None,
        "options": [{"value": o.value, "label": o.label} for o in field.options],
        "options_from": field.options_from,
        "fields": [field_json(f) for f in field.fields],
        "min_items": field.min_items if field.fields else None,
        "max_items": field.max_items if field.fields else None,
        "accept": list(field.accept) if field.type == "file" else None,
        "max_mb": field.max_mb if field.type == "file" else None,
        "not_in_future": field.not_in_future or None, "not_in_past": field.not_in_past or None,
    })


def step_json(step: Step) -> dict:
    return _without_empty({
        "id": step.id, "title": step.title, "intro": step.intro, "show_when": _expression(step.show_when),
        "fields": [field_json(f) for f in step.fields],
        "rules": [{"field": r.field, "check": r.check.source, "message": r.message} for r in step.rules],
    })


def summary_json(service: Service) -> dict:
    catalogue = get_catalogue()
    fewest, most = service.processing_range
    return _without_empty({
        "slug": service.slug, "version": service.version, "content_hash": service.content_hash,
        "title": service.title, "summary": service.summary, "audience": list(service.audience),
        "category": {"slug": service.category, "name": catalogue.categories[service.category].name},
        "agencies": [{"slug": slug, "name": catalogue.agencies[slug].name} for slug in service.agencies
                     if slug in catalogue.agencies],
        "processing_working_days": {"min": fewest, "max": most},
        "takes_applications": service.takes_applications,
        # From PORTAL_BASE_URL, never from the request's Host header (portal.domain.links).
        "links": {"self": links.external_url("api.get_service", slug=service.slug),
                  "page": links.external_url("public.service", slug=service.slug)},
    })


def service_json(service: Service) -> dict:
    return {
        **summary_json(service),
        **_without_empty({
            "eligibility": service.eligibility, "requirements": list(service.requirements),
            "legal_basis": service.legal_basis,
            "steps": [step_json(step) for step in service.steps],
            "documents": [_without_empty({
                "id": d.id, "label": d.label, "hint": d.hint, "accept": list(d.accept), "max_mb": d.max_mb,
                "required": d.required, "required_when": _expression(d.required_when)}) for d in service.documents],
            "fees": [_without_empty({
                "id": fee.id, "label": fee.label, "note": fee.note,
                "amounts": {currency: _money(amount) for currency, amount in fee.amounts.items()} or None,
                "computed": describe_fee_rule(fee.rule) if fee.rule else None,
                "currency": fee.rule.currency if fee.rule else None,
                "when": _expression(fee.when), "per": fee.per}) for fee in service.fees],
            "waivers": [{"id": w.id, "label": w.label, "when": w.when.source, "fees": list(w.fees)}
                        for w in service.waivers],
        }),
    }


@operation("/services", "GET", operation_id="list_services", tag="catalogue", response="ServiceList",
           summary=CATALOGUE["list_summary"], description=CATALOGUE["list_description"])
def list_services():
    return {"services": [summary_json(service) for service in get_catalogue().live()]}


@operation("/services/<slug>", "GET", operation_id="get_service", tag="catalogue", response="Service",
           errors=(404,), summary=CATALOGUE["get_summary"], description=CATALOGUE["get_description"])
def get_service(slug: str):
    service = get_catalogue().get(slug)
    if service is None or not service.is_listed:
        abort(404)
    return service_json(service)

