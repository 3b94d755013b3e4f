"""What each application status means, read from the workflows of the definitions (the help page).

Generated, not written by hand: a new service's states, or a state renamed in its YAML, appear on the
help page without anyone editing a list. Each state is explained by what the definition says about it:
who acts next, which office, in how many working days, whether it ends the application and what is
issued on entering it.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.catalogue import Catalogue, Service
from portal.domain.catalogue.model import APPLICANT, State, Text
from portal.domain.workflow.engine import DRAFT_STATE, WITHDRAWN_STATE

# What the person reading the status should understand; the web layer words each one in both languages.
YOU_ACT = "you_act"  # the application waits for the applicant
OFFICE_ACTS = "office_acts"  # an office is working on it
ISSUED = "issued"  # finished, and something was issued
DECIDED = "decided"  # finished without a document: the message says what was decided
WAITING = "waiting"  # neither: it moves on by itself
DRAFT = "draft"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class StatusMeaning:
    id: str
    label: Text
    kind: str
    office: Text | None = None  # the office that acts, when an office acts
    working_days: int | None = None  # the step's time limit, when the definition sets one
    issued: tuple[Text, ...] = ()  # titles of what is issued on entering the state


@dataclass(frozen=True)
class ServiceStatuses:
    service: Service
    statuses: tuple[StatusMeaning, ...]


# Every service has these without writing them (the engine's own states).
COMMON_STATUSES = (
    StatusMeaning(id=DRAFT_STATE.id, label=DRAFT_STATE.label, kind=DRAFT),
    StatusMeaning(id=WITHDRAWN_STATE.id, label=WITHDRAWN_STATE.label, kind=WITHDRAWN),
)


def status_guide(catalogue: Catalogue) -> list[ServiceStatuses]:
    """For each service someone may have an application with (live or retired), its states in the
    definition's order, each with what it means."""
    return [
        ServiceStatuses(service, tuple(_meaning(service, state, catalogue)
                                       for state in service.workflow.states.values()))
        for service in catalogue.services
        if service.status != "draft" and service.workflow is not None
    ]


def _meaning(service: Service, state: State, catalogue: Catalogue) -> StatusMeaning:
    issued = tuple(service.outputs[output].title for output in state.issue if output in service.outputs)
    if state.terminal:
        kind = ISSUED if issued else DECIDED
    elif state.actor == APPLICANT:
        kind = YOU_ACT
    elif state.actor or state.agency:
        kind = OFFICE_ACTS
    else:
        kind = WAITING
    office = None
    if kind == OFFICE_ACTS:
        slug = state.agency or state.actor.partition(".")[0]
        agency = catalogue.agencies.get(slug)
        office = agency.name if agency else None
    return StatusMeaning(id=state.id, label=state.label, kind=kind, office=office,
                         working_days=state.sla_working_days if kind == OFFICE_ACTS else None, issued=issued)
