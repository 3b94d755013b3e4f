"""Where an application goes: the routing placeholders and a service's `routing:` key (docs/services.md §2).

`commune-office`, `district-office` and `province-office` in a service's `agencies` stand for the office of
that level for the application's *deciding address*: the address answer `routing.<placeholder>.address`
names, else the first answered address field, else the applicant's profile. Rules on the answers may send
the case elsewhere (another level for the same address, or an agency of agencies.yaml such as a ministry);
the first rule whose `when` holds wins. When the address has no office at the routed level, the case goes
to the declared `fallback`, else to the next level up.

Whichever office the case is routed to, its staff act with the placeholder's roles (`district-office.clerk`):
the engine maps the placeholder to that office (`Snapshot.routed_agencies`). A service may name several
placeholders (the commune certifies, the district issues): each is routed on its own, and the offices are
fixed at submission (`applications.routed_offices`; `routed_agency` keeps the first, for the queues).

This module reads and checks the YAML (`read_routing`, called by the loader) and works out the office from
plain values (`routed_office`); the caller reads the answers and the profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.domain.catalogue import contexts
from portal.domain.catalogue.expressions import Expression, ExpressionError, parse
from portal.domain.catalogue.model import (
    COMMUNE_OFFICE_KIND,
    DISTRICT_OFFICE_KIND,
    PLACEHOLDER_LEVELS,
    PROVINCE_OFFICE_KIND,
    Agency,
)
from portal.domain.expression_contexts import FORMS

# From the smallest place to the largest: the default fallback climbs this chain.
LEVELS = (COMMUNE_OFFICE_KIND, DISTRICT_OFFICE_KIND, PROVINCE_OFFICE_KIND)
PLACE_OF_LEVEL = {COMMUNE_OFFICE_KIND: "commune", DISTRICT_OFFICE_KIND: "district", PROVINCE_OFFICE_KIND: "province"}
CODE_LENGTH = {"commune": 6, "district": 4, "province": 2}
ROUTE_KEYS = {"address", "rules", "fallback"}
# What the service pages and the status guide call a placeholder's office before a case is routed
# (agencies.yaml may list a placeholder to give it another name, as it does `commune-office`).
PLACEHOLDER_NAMES = {
    "commune-office": {"km": "រដ្ឋបាលឃុំ សង្កាត់", "en": "Commune or sangkat office"},
    "district-office": {"km": "រដ្ឋបាលស្រុក ខណ្ឌ ក្រុង", "en": "District, khan or municipal office"},
    "province-office": {"km": "រដ្ឋបាលខេត្ត រាជធានី", "en": "Provincial or capital office"},
}


def placeholder_agencies(listed: Mapping[str, Agency]) -> dict[str, Agency]:
    """The placeholders agencies.yaml does not list, as agencies with a name (no place: nobody works there)."""
    return {slug: Agency(slug=slug, kind=kind, name=PLACEHOLDER_NAMES[slug])
            for slug, kind in PLACEHOLDER_LEVELS.items() if slug not in listed}


@dataclass(frozen=True)
class RoutingRule:
    when: Expression
    to: str  # a placeholder (another level for the same address) or an agency slug


@dataclass(frozen=True)
class Route:
    """How one placeholder is routed; `Route()` is the default (first answered address, then the profile)."""

    address: str | None = None  # the address field that decides
    rules: tuple[RoutingRule, ...] = ()
    fallback: str | None = None  # where the case goes when the address has no office at the routed level


def placeholders_of(agencies: tuple[str, ...]) -> tuple[str, ...]:
    """The routing placeholders a service's agencies name, in their order."""
    return tuple(a for a in agencies if a in PLACEHOLDER_LEVELS)


# --- reading the definition ----------------------------------------------------------------------------


def read_routing(r, data: Any, service_agencies: tuple[str, ...], fields: Mapping[str, Any], names: set[str],
                 agencies: Mapping[str, Any]) -> dict[str, Route]:
    """The service's `routing:` ({} when absent), checked against its agencies and fields; `r` is the
    loader's reader (its `fail` names the file and the place)."""
    if data is None:
        return {}
    routes = {}
    for placeholder, spec in r.mapping(data, "routing", set(), set(map(str, data or {}))).items():
        where = f"routing.{placeholder}"
        if placeholder not in PLACEHOLDER_LEVELS:
            raise r.fail(where, f"{placeholder!r} is not a routing placeholder ({', '.join(PLACEHOLDER_LEVELS)})")
        if placeholder not in service_agencies:
            raise r.fail(where, f"this service does not use {placeholder!r} in its agencies")
        r.mapping(spec if spec is not None else {}, where, set(), ROUTE_KEYS)
        spec = spec or {}
        routes[placeholder] = Route(
            address=_address(r, spec.get("address"), where + ".address", fields),
            rules=tuple(_rule(r, item, f"{where}.rules[{i}]", names, agencies)
                        for i, item in enumerate(r.list_of(spec.get("rules", []), where + ".rules", False))),
            fallback=_destination(r, spec["fallback"], where + ".fallback", agencies) if "fallback" in spec else None,
        )
    return routes


def _address(r, value: Any, where: str, fields: Mapping[str, Any]) -> str | None:
    if value is None:
        return None
    found = fields.get(value) if isinstance(value, str) else None
    if found is None or found.type != "address":
        raise r.fail(where, f"{value!r} is not an address field of this service")
    return value


def _rule(r, item: Any, where: str, names: set[str], agencies: Mapping[str, Any]) -> RoutingRule:
    r.mapping(item, where, {"when", "to"})
    try:
        when = parse(item["when"])
    except ExpressionError as error:
        raise r.fail(where + ".when", f"bad expression: {error}") from None
    # Worked out at submission from the answers, like the form's own rules (the FORMS context).
    problem = contexts.unknown_name(when, FORMS, names)
    if problem:
        raise r.fail(where + ".when", problem)
    return RoutingRule(when=when, to=_destination(r, item["to"], where + ".to", agencies))


def _destination(r, value: Any, where: str, agencies: Mapping[str, Any]) -> str:
    """A level (`district-office`) or an agency agencies.yaml lists (not a placeholder it lists)."""
    if value in PLACEHOLDER_LEVELS:
        return value
    agency = agencies.get(value) if isinstance(value, str) else None
    if agency is None or agency.is_routing_placeholder:
        raise r.fail(where, f"unknown office {value!r}: expected {', '.join(PLACEHOLDER_LEVELS)} "
                            "or an agency of services/agencies.yaml")
    return value


# --- routing an application ----------------------------------------------------------------------------


def deciding_place(route: Route, address_fields: list[str], answers: Mapping[str, Any],
                   profile: Mapping[str, str | None]) -> dict[str, str | None]:
    """The commune, district and province codes that decide: those of the address answer the route names
    (when answered), else of the first address answer with a commune, else of the applicant's profile."""
    if route.address:
        chosen = _codes(answers.get(route.address))
    else:
        chosen = next((codes for codes in (_codes(answers.get(f)) for f in address_fields) if codes.get("commune")),
                      {})
    if not any(chosen.values()):
        chosen = {place: profile.get(place) for place in CODE_LENGTH}
    commune = chosen.get("commune") or ""
    # A code carries those above it (commune 171001 is in district 1710, province 17): fill what is missing.
    district = chosen.get("district") or commune[:4] or None
    province = chosen.get("province") or (district or "")[:2] or None
    return {"commune": commune or None, "district": district, "province": province}


def _codes(value: Any) -> dict[str, str | None]:
    if not isinstance(value, dict):
        return {}
    return {place: (str(value[place]) if value.get(place) else None) for place in CODE_LENGTH}


def routed_office(placeholder: str, route: Route, values: Mapping[str, Any], place: Mapping[str, str | None],
                  offices) -> str | None:
    """The slug of the office a case goes to: the first rule whose `when` holds on `values` (the answers as
    expressions see them), else the placeholder's own level, for `place`; when that level has no office
    there, the declared fallback, else the next level up. None when no office can be found at all."""
    target = next((rule.to for rule in route.rules if _holds(rule.when, values)), placeholder)
    office = _office(target, place, offices)
    if office is None and route.fallback:
        office = _office(route.fallback, place, offices)
    if office is None and target in PLACEHOLDER_LEVELS:
        above = LEVELS[LEVELS.index(PLACEHOLDER_LEVELS[target]) + 1:]
        office = next((found for level in above if (found := _level_office(level, place, offices))), None)
    return office


def _office(target: str, place: Mapping[str, str | None], offices) -> str | None:
    if target not in PLACEHOLDER_LEVELS:
        return target  # an agency of agencies.yaml (the loader checked it)
    return _level_office(PLACEHOLDER_LEVELS[target], place, offices)


def _level_office(level: str, place: Mapping[str, str | None], offices) -> str | None:
    if offices is None:
        return None
    found = offices.for_place(level, place.get(PLACE_OF_LEVEL[level]))
    return found.slug if found is not None else None


def _holds(expression: Expression, values: Mapping[str, Any]) -> bool:
    try:
        return expression.is_true(dict(values))
    except Exception:
        # A rule that cannot be evaluated on these answers (a number left empty) does not hold, as a guard.
        return False


def may_route_to(service, agency, placeholder: str | None = None) -> bool:
    """Whether a case of `service` can be routed to `agency` (a catalogue Agency) through `placeholder` (by
    default, through any of its placeholders): an office of the placeholder's level or above (the default
    fallback climbs), of a level a rule or the fallback names, or an agency a rule or the fallback names."""
    if placeholder is None:
        return any(may_route_to(service, agency, p) for p in placeholders_of(service.agencies))
    if agency is None:
        return False
    route = service.routing.get(placeholder, Route())
    destinations = {rule.to for rule in route.rules} | ({route.fallback} if route.fallback else set())
    if agency.slug in destinations:
        return True
    if not agency.is_local_office:
        return False
    kinds = set(LEVELS[LEVELS.index(PLACEHOLDER_LEVELS[placeholder]):])
    kinds |= {PLACEHOLDER_LEVELS[d] for d in destinations if d in PLACEHOLDER_LEVELS}
    return agency.kind in kinds
