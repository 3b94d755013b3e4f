"""What an application's state is called, for the applicant, in both languages."""

from __future__ import annotations

from portal.domain.catalogue import Service, get_catalogue
from portal.domain.workflow.engine import DRAFT_STATE, SUBMIT_TRANSITION, WITHDRAW_TRANSITION, WITHDRAWN_STATE

# The states every service has without writing them: named once, by the engine.
BUILT_IN = {state.id: state.label for state in (DRAFT_STATE, WITHDRAWN_STATE)}


def state_label(service: Service, state: str) -> dict[str, str]:
    if state in BUILT_IN:
        return BUILT_IN[state]
    found = service.workflow.states.get(state) if service.workflow else None
    return found.label if found else {"km": state, "en": state}


def staff_state_label(service: Service, state: str) -> dict[str, str]:
    """What staff call the state (its `staff_label`, such as "Review the file"), else the applicant's name for it."""
    found = service.workflow.states.get(state) if service.workflow else None
    return dict(found.staff_label or found.label) if found else state_label(service, state)


def agency_name(slug: str) -> dict[str, str]:
    """The agency's name in both languages; its slug when the catalogue no longer lists it."""
    agency = get_catalogue().agency(slug)
    return dict(agency.name) if agency else {"km": slug, "en": slug}


def action_label(service: Service, action: str, from_state: str) -> dict[str, str]:
    """What a step in the history was called: the definition's label of the transition taken (the same
    action can be labelled differently from different states), or the engine's own submit and withdraw."""
    transitions = [*(service.workflow.transitions if service.workflow else ()), SUBMIT_TRANSITION,
                   WITHDRAW_TRANSITION]
    named = [t for t in transitions if t.action == action]
    chosen = next((t for t in named if from_state in t.sources), named[0] if named else None)
    return dict(chosen.label) if chosen else {"km": action, "en": action}
