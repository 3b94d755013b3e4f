"""Reads and checks a definition's `staff_steps:` (model in `staff_steps.py`, docs/services.md "Staff steps").

Two passes, because guards and documents may name staff fields while the staff steps name the workflow's
states and transitions: `read` before the workflow is read (fields, roles, ids), `check_workflow` after it
(states, `assign_on`, the transitions' `requires`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from portal.domain.catalogue.model import APPLICANT, Field, Workflow
from portal.domain.catalogue.staff_steps import PLACEHOLDER, SEQUENCE, SequenceField, StaffStep

STEP_KEYS = {"id", "title", "roles", "states", "fields"}
SEQUENCE_KEYS = {"id", "type", "label", "format", "assign_on"}
# Staff upload nothing here: their documents are the case's, not answers.
NOT_FOR_STAFF = ("file",)


ID = re.compile(r"^[a-z][a-z0-9_]{0,40}$")  # as the loader's ids


def read(r, raw: Any, agencies: tuple[str, ...], applicant_fields: dict[str, Field], names: set[str], *,
         read_field: Callable, read_role: Callable) -> tuple[StaffStep, ...]:
    """The staff steps; `names` are those the applicant's conditions may use (staff fields' conditions may
    also name staff fields); `read_field` and `read_role` are the loader's readers of a field and of a role
    (passed in: the loader calls this module, not the other way round)."""
    steps: list[StaffStep] = []
    seen_fields = set(applicant_fields)
    written: list[tuple[str, Field]] = []  # each typed field with its place, to check its conditions at the end
    for i, item in enumerate(r.list_of(raw if raw is not None else [], "staff_steps", False)):
        where = f"staff_steps[{i}]"
        r.mapping(item, where, STEP_KEYS, {"intro"})
        step_id = _id(r, item["id"], where + ".id")
        if any(s.id == step_id for s in steps):
            raise r.fail(where + ".id", f"{step_id!r} is the id of another staff step")
        roles = tuple(_role(r, role, f"{where}.roles[{k}]", agencies, read_role)
                      for k, role in enumerate(r.list_of(item["roles"], where + ".roles")))
        states = tuple(r.list_of(item["states"], where + ".states"))
        typed, sequences, shown = [], [], set()
        for j, spec in enumerate(r.list_of(item["fields"], where + ".fields")):
            at = f"{where}.fields[{j}]"
            field = _sequence(r, spec, at) if isinstance(spec, dict) and spec.get("type") == SEQUENCE \
                else _typed(r, spec, at, read_field)
            if field.id in seen_fields:
                raise r.fail(at + ".id", f"{field.id!r} is used twice in this service")
            seen_fields.add(field.id)
            (sequences if isinstance(field, SequenceField) else typed).append(field)
            if not isinstance(field, SequenceField):
                written.append((at, field))
            if spec.get("show_to_applicant", False):
                shown.add(field.id)
        steps.append(StaffStep(id=step_id, title=r.text(item["title"], where + ".title"), roles=roles,
                               states=states, fields=tuple(typed), sequences=tuple(sequences),
                               shown=frozenset(shown),
                               intro=r.text(item["intro"], where + ".intro") if "intro" in item else None))
    _check_conditions(r, written, names | seen_fields)
    return tuple(steps)


def _check_conditions(r, written: list[tuple[str, Field]], names: set[str]) -> None:
    for at, spec in written:
        for key in ("show_when", "required_when"):
            expression = getattr(spec, key)
            unknown = sorted(expression.names - names) if expression is not None else []
            if unknown:
                raise r.fail(f"{at}.{key}", f"unknown field {unknown[0]!r} in {expression.source!r}")


def check_workflow(r, steps: tuple[StaffStep, ...], workflow: Workflow | None) -> None:
    """States and transitions the staff steps name exist; every `requires` names a staff step."""
    if steps and workflow is None:
        raise r.fail("staff_steps", "staff steps need a workflow")
    if workflow is None:
        return
    actions = {t.action for t in workflow.transitions}
    for i, step in enumerate(steps):
        for k, state in enumerate(step.states):
            if state not in workflow.states or workflow.states[state].terminal:
                raise r.fail(f"staff_steps[{i}].states[{k}]",
                             f"unknown state {state!r}" if state not in workflow.states
                             else f"{state!r} is terminal: nothing can be changed there")
        for sequence in step.sequences:
            if sequence.assign_on not in actions:
                raise r.fail(sequence.written_at + ".assign_on", f"unknown transition {sequence.assign_on!r}")
    ids = {s.id for s in steps}
    for i, transition in enumerate(workflow.transitions):
        for k, name in enumerate(transition.requires):
            if name not in ids:
                raise r.fail(f"workflow.transitions[{i}].requires[{k}]", f"unknown staff step {name!r}")


def _id(r, value: Any, where: str) -> str:
    if not isinstance(value, str) or not ID.match(value):
        raise r.fail(where, "expected an id of lower-case letters, digits and underscores, starting with a letter")
    return value


def _bool(r, value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise r.fail(where, "expected true or false")
    return value


def _role(r, value: Any, where: str, agencies: tuple[str, ...], read_role: Callable) -> str:
    if value == APPLICANT:
        raise r.fail(where, "a staff step is for staff: expected '<agency>.<role>', e.g. moc.clerk")
    return read_role(r, value, where, agencies)


def _typed(r, spec: Any, where: str, read_field: Callable) -> Field:
    if not isinstance(spec, dict):
        raise r.fail(where, "expected a mapping of keys to values")
    if "show_to_applicant" in spec:
        _bool(r, spec["show_to_applicant"], where + ".show_to_applicant")
    if spec.get("type") in NOT_FOR_STAFF:
        raise r.fail(where + ".type", f"a {spec['type']} field cannot be in a staff step")
    if "prefill" in spec:
        raise r.fail(where + ".prefill", "staff fields are not prefilled from the applicant's profile")
    return read_field(r, {k: v for k, v in spec.items() if k != "show_to_applicant"}, where)


def _sequence(r, spec: dict, where: str) -> SequenceField:
    r.mapping(spec, where, SEQUENCE_KEYS, {"sequence", "show_to_applicant"})
    text = spec["format"]
    if not isinstance(text, str) or not text.strip() or len(text) > 60:
        raise r.fail(where + ".format", "expected a text of at most 60 characters, e.g. PERMIT/{year}/{number:06}")
    placeholders = PLACEHOLDER.findall(text)
    if sum(1 for p in placeholders if p[0].startswith("number")) != 1:
        raise r.fail(where + ".format", "needs {number} once (zero-padded: {number:06})")
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise r.fail(where + ".format", "only {year} and {number} (or {number:06}) may be in braces")
    name = spec.get("sequence", text.split("{", 1)[0])
    if not isinstance(name, str) or not name.strip():
        raise r.fail(where + ".sequence", "is required when the format starts with a placeholder: "
                                          "name the counter, e.g. permits")
    if not isinstance(spec["assign_on"], str):
        raise r.fail(where + ".assign_on", "expected the action of a transition, e.g. approve")
    return SequenceField(
        id=_id(r, spec["id"], where + ".id"),
        label=r.text(spec["label"], where + ".label"),
        format=text,
        assign_on=spec["assign_on"],
        sequence=name.strip()[:60],
        show_to_applicant=_bool(r, spec.get("show_to_applicant", False), where + ".show_to_applicant"),
        written_at=where,
    )
