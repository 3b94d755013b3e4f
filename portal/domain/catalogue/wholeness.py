"""A workflow that holds together: every state can be reached from the start, every state that is not
terminal has a way out, a terminal state exists and can be reached from every state. A definition that
breaks one of these loads no more (`flask services validate` says where), instead of leaving cases
stuck in a state nobody can leave or never reach.

The built-ins count as the engine has them (`portal.domain.workflow.engine`): submitting moves a draft to
`start`, so `start` is reached. The applicant's built-in withdrawal (to `withdrawn`) does not count as a
way out or as an ending: it leaves every state, so counting it would let a state with no way on for
staff pass as whole."""

from __future__ import annotations

from collections.abc import Iterable

from portal.domain.catalogue.model import State, Transition


def first_problem(start: str, states: dict[str, State], transitions: Iterable[Transition]) -> tuple[str, str] | None:
    """(where, problem) for the first thing that does not hold, in the order of the docstring; else None.
    `where` is a path inside the service.yaml: `workflow.states.inspection`."""
    onward: dict[str, set[str]] = {state: set() for state in states}
    for transition in transitions:
        for source in transition.sources:
            onward.setdefault(source, set()).add(transition.target)
    terminal = sorted(s.id for s in states.values() if s.terminal)
    if not terminal:
        return "workflow.states", "no state is terminal: mark the states where an application ends with terminal: true"
    reached = _reachable(onward, start)
    for state in states:
        if state not in reached:
            return f"workflow.states.{state}", f"cannot be reached from {start!r}"
    for state, spec in states.items():
        if not spec.terminal and not onward[state]:
            return f"workflow.states.{state}", "is not terminal and no transition leaves it"
    for state in states:
        if not _reachable(onward, state) & set(terminal):
            return f"workflow.states.{state}", f"no terminal state ({', '.join(terminal)}) can be reached from it"
    return None


def _reachable(onward: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in onward.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen
