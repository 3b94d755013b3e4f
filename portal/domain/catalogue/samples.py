"""Sample answers beside a service definition (`services/<slug>/samples.yaml`): who applies, what each step's
form is sent with, which documents are attached, and optionally which workflow paths to walk. The generic
test (tests/integration/test_every_service.py) walks every service with them; `flask services validate`
checks them with the file and the path of each mistake (docs/services.md, "Sample answers")."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from portal.domain.catalogue.loader import DefinitionError, _Reader
from portal.domain.catalogue.model import Service, Workflow, for_persons

FILE_NAME = "samples.yaml"
APPLICANTS = ("person", "business")
FILE_KINDS = ("image", "pdf")
MAX_PATH_STEPS = 12


@dataclass(frozen=True)
class Samples:
    applicant: str  # person or business
    steps: dict[str, dict[str, str]]  # step id -> the form's fields as sent (`address-province`, `owners-0-share`)
    documents: dict[str, str]  # requirement id -> image or pdf
    paths: tuple[tuple[str, ...], ...]  # actions from the workflow's start to a terminal state
    # staff step id -> its form's fields as sent: the walk fills each staff step before a workflow step from
    # a state where the step can be filled (docs/services.md, "Staff steps")
    staff_steps: dict[str, dict[str, str]] = field(default_factory=dict)


def samples_path(root: Path, service: Service) -> Path:
    return Path(root) / service.slug / FILE_NAME


def load_samples(root: Path, service: Service) -> Samples:
    """The service's samples; DefinitionError naming the file and the place when missing or wrong."""
    path = samples_path(root, service)
    r = _Reader(f"{Path(root).name}/{service.slug}/{FILE_NAME}")
    if not path.is_file():
        raise r.fail("", "is missing: every service has sample answers beside its service.yaml")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        raise r.fail(f"line {line + 1}" if line is not None else "", "is not valid YAML") from None
    r.mapping(data, "", {"applicant", "steps"}, {"documents", "paths", "staff_steps"})
    applicant = r.one_of(data["applicant"], "applicant", APPLICANTS)
    if not (for_persons(service.audience) if applicant == "person" else "business" in service.audience):
        raise r.fail("applicant", f"{applicant!r} cannot apply: the service's audience is "
                                  f"{', '.join(service.audience)}")
    steps = {s.id: s for s in service.steps}
    answers = {}
    for step_id, given in r.mapping(data["steps"], "steps", set(), set(steps)).items():
        where = f"steps.{step_id}"
        fields = {f.id for f in steps[step_id].fields}
        r.mapping(given or {}, where, set(), fields)
        answers[step_id] = {}
        for field_id, value in (given or {}).items():
            answers[step_id].update(_form_values(r, f"{where}.{field_id}", field_id, value))
    requirements = {d.id for d in service.documents}
    documents = {
        requirement: r.one_of(kind, f"documents.{requirement}", FILE_KINDS)
        for requirement, kind in r.mapping(data.get("documents") or {}, "documents", set(), requirements).items()
    }
    if service.workflow is None:
        raise r.fail("", "the service has no workflow to walk")
    if "paths" in data:
        paths = tuple(_path(r, service.workflow, item, f"paths[{i}]")
                      for i, item in enumerate(r.list_of(data["paths"], "paths")))
    else:
        paths = default_paths(service.workflow)
    return Samples(applicant=applicant, steps=answers, documents=documents, paths=paths,
                   staff_steps=_staff_answers(r, service, data.get("staff_steps")))


def _staff_answers(r: _Reader, service: Service, given: Any) -> dict[str, dict[str, str]]:
    """Sample staff answers, one mapping per staff step (numbers the portal assigns are never typed). A staff
    step that a transition `requires` needs its samples, or the walk would stop there."""
    steps = {s.id: s for s in service.staff_steps}
    answers = {}
    for step_id, values in r.mapping(given or {}, "staff_steps", set(), set(steps)).items():
        where = f"staff_steps.{step_id}"
        r.mapping(values or {}, where, set(), {f.id for f in steps[step_id].fields})
        answers[step_id] = {}
        for field_id, value in (values or {}).items():
            answers[step_id].update(_form_values(r, f"{where}.{field_id}", field_id, value))
    required = {name for t in (service.workflow.transitions if service.workflow else ()) for name in t.requires}
    for step_id in sorted(required - set(answers)):
        raise r.fail("staff_steps", f"needs sample answers for {step_id!r}, which a transition requires")
    return answers


def _form_values(r: _Reader, where: str, name: str, value: Any) -> dict[str, str]:
    """A field's answer as its form sends it: a mapping's parts as `name-part`, a list's items as
    `name-0-part`, `true` as a ticked box, numbers as written."""
    if isinstance(value, dict):
        found = {}
        for key, part in value.items():
            found.update(_form_values(r, f"{where}.{key}", f"{name}-{key}", part))
        return found
    if isinstance(value, list):
        found = {}
        for i, item in enumerate(value):
            found.update(_form_values(r, f"{where}[{i}]", f"{name}-{i}", item))
        return found
    if value is True:
        return {name: "y"}
    if value is None or value is False:
        return {}
    if isinstance(value, (str, int, float)):
        return {name: str(value)}
    raise r.fail(where, "expected text, a number, true, a mapping or a list")


def _path(r: _Reader, workflow: Workflow, item: Any, where: str) -> tuple[str, ...]:
    actions = r.list_of(item, where)
    if len(actions) > MAX_PATH_STEPS:
        raise r.fail(where, f"more than {MAX_PATH_STEPS} steps")
    state = workflow.start
    for i, action in enumerate(actions):
        step = next((t for t in workflow.transitions if t.action == action and state in t.sources), None)
        if step is None:
            raise r.fail(f"{where}[{i}]", f"no transition {action!r} from state {state!r}")
        state = step.target
    if not workflow.states[state].terminal:
        raise r.fail(where, f"ends in {state!r}, which is not a terminal state")
    return tuple(actions)


def default_paths(workflow: Workflow) -> tuple[tuple[str, ...], ...]:
    """One path to each terminal state: the shortest from the start, preferring steps that are no request for
    information (a tie is broken by the order of the transitions)."""
    found: dict[str, tuple[str, ...]] = {workflow.start: ()}
    queue = deque([workflow.start])
    ordered = sorted(workflow.transitions, key=lambda t: t.request_info)
    while queue:
        state = queue.popleft()
        if workflow.states[state].terminal or len(found[state]) >= MAX_PATH_STEPS:
            continue
        for step in ordered:
            if state in step.sources and step.target not in found:
                found[step.target] = (*found[state], step.action)
                queue.append(step.target)
    return tuple(path for state, path in found.items() if workflow.states[state].terminal)


__all__ = ["DefinitionError", "Samples", "default_paths", "load_samples"]
