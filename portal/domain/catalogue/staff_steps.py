"""What staff fill in on a case (`staff_steps:` in a definition, docs/services.md "Staff steps"): a register
entry number, an inspection result, a permit number the portal assigns. Plain values read by the loader
(`staff_step_loader.py`); nothing here imports the field kinds, so the workflow engine may ask
`unfilled(...)` while staying pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from portal.domain.catalogue.model import Field, Text

SEQUENCE = "sequence"  # the built-in kind of a staff field whose value the portal assigns
# `{year}` and `{number}` (optionally zero-padded, `{number:06}`): the only placeholders of a format.
PLACEHOLDER = re.compile(r"\{(year|number(?::0([1-9]|1[0-2]))?)\}")
BLANK = (None, "", [], {})


@dataclass(frozen=True)
class SequenceField:
    """A number the portal takes, without gaps, in the transaction of the `assign_on` transition: one
    counter per `sequence` name, office and year (Phnom Penh time)."""

    id: str
    label: Text
    format: str  # e.g. "PERMIT/{year}/{number:06}"
    assign_on: str  # a transition's action
    sequence: str  # the counter's name: the field's `sequence:`, else the format's text before `{`
    show_to_applicant: bool = False
    written_at: str = field(default="", compare=False)  # its place in the definition, for the loader's messages

    def number(self, year: int, number: int) -> str:
        def put(match: re.Match) -> str:
            if match.group(1) == "year":
                return str(year)
            width = int(match.group(2) or 0)
            return str(number).zfill(width)

        return PLACEHOLDER.sub(put, self.format)


@dataclass(frozen=True)
class StaffStep:
    id: str
    title: Text
    roles: tuple[str, ...]  # "<agency>.<role>", as transitions say it
    states: tuple[str, ...]  # where it can be filled and changed
    fields: tuple[Field, ...]  # typed by staff, the same kinds as applicant fields
    sequences: tuple[SequenceField, ...] = ()
    shown: frozenset[str] = frozenset()  # field ids the applicant sees on their application page
    intro: Text | None = None
    rules: tuple = ()  # no cross-field rules yet; the step form asks for them

    @property
    def show_when(self):  # the step form's contract (a staff step is always shown)
        return None


def field_ids(service) -> set[str]:
    """Every staff field id of the service, typed and assigned."""
    return field_ids_of(service.staff_steps)


def field_ids_of(steps) -> set[str]:
    return {f.id for step in steps for f in (*step.fields, *step.sequences)}


def typed_fields(service) -> list[Field]:
    return [f for step in service.staff_steps for f in step.fields]


def sequences_on(service, action: str) -> list[SequenceField]:
    """The numbers to take when `action` is taken."""
    return [s for step in service.staff_steps for s in step.sequences if s.assign_on == action]


def step_of(service, step_id: str) -> StaffStep | None:
    return next((s for s in service.staff_steps if s.id == step_id), None)


def unfilled(step: StaffStep, staff_data: dict, values: dict[str, Any]) -> list[str]:
    """The required fields of `step` (those whose `show_when`, if any, holds on `values`) that have no value."""
    missing = []
    for spec in step.fields:
        needed = spec.required or (spec.required_when is not None and spec.required_when.is_true(values))
        shown = spec.show_when is None or spec.show_when.is_true(values)
        if needed and shown and (staff_data or {}).get(spec.id) in BLANK:
            missing.append(spec.id)
    return missing
