"""Roles an agency declares beside the built-in ones (services/agencies.yaml): a district office's technical
officer or governor, a ministry's front office. Each acts as a built-in role for queues, dashboards and
permissions (`acts_as`), and is also a role of its own: a definition may write `district-office.technical_officer`
in actors, transition roles and staff steps, and then only that role (not the clerk it acts as, nor a
supervisor) may take the step.

Declared for one agency (`roles:` on its entry) or for every office of a kind (`office_roles:` by kind); a
routing placeholder (`district-office`) has the roles of its kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

BUILT_IN = ("clerk", "supervisor", "cashier")
CASE_ROLES = ("clerk", "supervisor")  # the built-in roles that work cases
ROLE_ID = re.compile(r"^[a-z][a-z_]{1,19}$")  # fits staff_roles.role (20 characters)


@dataclass(frozen=True)
class AgencyRole:
    id: str
    title: dict  # {"km": ..., "en": ...}
    # clerk or supervisor: a declared role works cases (a cashier is built in and needs no other name; so
    # what a cashier may not see, the documents of a case, stays decided by the built-in role alone)
    acts_as: str


def read_roles(r, value: Any, where: str) -> tuple[AgencyRole, ...]:
    """`{technical_officer: {title: {km, en}, acts_as: clerk}, ...}` from agencies.yaml."""
    roles = r.mapping(value, where, set(), set(map(str, value or {}))) if value is not None else {}
    found = []
    for role_id, spec in roles.items():
        at = f"{where}.{role_id}"
        if not ROLE_ID.match(str(role_id)):
            raise r.fail(at, "expected a role id of 2 to 20 lower-case letters and underscores")
        if role_id in BUILT_IN:
            raise r.fail(at, f"{role_id!r} is built in; declare only other roles")
        r.mapping(spec, at, {"title", "acts_as"})
        found.append(AgencyRole(id=role_id, title=r.text(spec["title"], at + ".title"),
                                acts_as=r.one_of(spec["acts_as"], at + ".acts_as", CASE_ROLES)))
    return tuple(found)


def read_office_roles(r, value: Any, kinds: tuple[str, ...]) -> dict[str, tuple[AgencyRole, ...]]:
    """`office_roles: {district_office: {...roles...}}`: the roles every office of a kind has."""
    if value is None:
        return {}
    by_kind = r.mapping(value, "office_roles", set(), set(kinds))
    return {kind: read_roles(r, roles, f"office_roles.{kind}") for kind, roles in by_kind.items()}


def declared(agency, office_roles: dict[str, tuple[AgencyRole, ...]]) -> dict[str, AgencyRole]:
    """The roles an agency declares: those of its kind, then its own (which may retitle one of its kind's)."""
    return {role.id: role for role in (*office_roles.get(agency.kind, ()), *getattr(agency, "roles", ()))}


def of(catalogue, agency_slug: str) -> dict[str, AgencyRole]:
    """Every declared role of an agency at run time (generated local offices have those of their kind)."""
    agency = catalogue.agency(agency_slug)
    offices = getattr(catalogue, "offices", None)
    return declared(agency, getattr(offices, "office_roles", {})) if agency is not None else {}


def acts_as(catalogue, agency_slug: str, role: str) -> str | None:
    """The built-in role `role` acts as at this agency: itself for a built-in one; None if not declared."""
    if role in BUILT_IN:
        return role
    found = of(catalogue, agency_slug).get(role)
    return found.acts_as if found else None


def effective(catalogue, pairs) -> set[tuple[str, str]]:
    """(agency, role) pairs a person holds, with the built-in role each declared one acts as added:
    what the engine, the queue and the dashboard match against."""
    found = set()
    for agency, role in pairs:
        found.add((agency, role))
        built_in = acts_as(catalogue, agency, role)
        if built_in is not None:
            found.add((agency, built_in))
    return found


def with_office_roles(agencies: dict, office_roles: dict[str, tuple[AgencyRole, ...]]) -> dict:
    """The listed agencies (and routing placeholders) each carrying its kind's roles too, so that a
    definition's roles are checked against one agency alone (also for a pinned version)."""
    return {slug: replace(agency, roles=tuple(declared(agency, office_roles).values()))
            for slug, agency in agencies.items()}


def check(r, where: str, agency, role: str) -> None:
    """A definition's `<agency>.<role>`: a built-in role that works cases, or one the agency declares."""
    if role in CASE_ROLES or any(declared.id == role for declared in agency.roles):
        return
    known = [*CASE_ROLES, *(declared.id for declared in agency.roles)]
    raise r.fail(where, f"unknown role {role!r}; one of {', '.join(known)} at {agency.slug!r} "
                        "(services/agencies.yaml declares more: roles, office_roles)")


def acting_as(catalogue, agency_slug: str, built_ins: tuple[str, ...]) -> tuple[str, ...]:
    """The roles at this agency that act as one of `built_ins` (themselves included): whom an
    assign select lists, whom escalation tells."""
    return (*built_ins, *(r.id for r in of(catalogue, agency_slug).values() if r.acts_as in built_ins))


def every_declared(catalogue) -> dict[str, AgencyRole]:
    """Every role some agency declares, once by id (the first title found): the admin's role list."""
    found: dict[str, AgencyRole] = {}
    offices = getattr(catalogue, "offices", None)
    for roles in getattr(offices, "office_roles", {}).values():
        for role in roles:
            found.setdefault(role.id, role)
    for agency in catalogue.agencies.values():
        for role in agency.roles:
            found.setdefault(role.id, role)
    return found


def check_routed(r, workflow, staff_steps, routing: dict, agencies: dict) -> None:
    """A declared role of a routing placeholder (`district-office.technical_officer`) where its routing may
    send the case elsewhere (a rule's `to`, the `fallback`): each of those must declare the role too, or the
    case would wait there for a role nobody may hold."""
    named = []
    if workflow is not None:
        named += [(f"workflow.states.{s.id}.actor", s.actor) for s in workflow.states.values() if s.actor]
        named += [(f"workflow.transitions[{i}].roles[{j}]", role)
                  for i, t in enumerate(workflow.transitions) for j, role in enumerate(t.roles)]
    named += [(f"staff_steps[{i}].roles[{j}]", role)
              for i, step in enumerate(staff_steps) for j, role in enumerate(step.roles)]
    for where, value in named:
        placeholder, _, role = value.partition(".")
        route = routing.get(placeholder)
        if route is None or role in CASE_ROLES:
            continue
        for destination in sorted({rule.to for rule in route.rules} | ({route.fallback} if route.fallback else set())):
            target = agencies.get(destination)
            if target is not None and all(declared.id != role for declared in target.roles):
                raise r.fail(where, f"{destination!r}, where routing.{placeholder} may send the case, has no role "
                                    f"{role!r}: declare it there too (services/agencies.yaml)")
