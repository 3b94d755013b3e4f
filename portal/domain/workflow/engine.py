"""The workflow engine: who may do what to an application now, and what follows when they do.

Plain Python on plain values: the caller reads its database row into a `Snapshot`, asks the engine, and
writes back what the returned `Decision` says (new state, event row, outbox rows for outputs and
notifications, due date, queue) in one transaction. The engine reads no clock (`now` is passed in), no
database and no request, so the same inputs always give the same answer. Optimistic concurrency is the
caller's: it compare-and-sets the state it read against `Decision.from_state`.

Roles. A transition lists who may take it: `"applicant"` or `"<agency>.<role>"` with role `clerk` or
`supervisor`. Staff carry `(agency, role)` pairs. A supervisor may do everything a clerk of the same agency
may (a `moc.clerk` transition is open to `("moc", "supervisor")`), not the other way round. The applicant
role matches any `Actor.applicant(...)`: checking that this person is the application's applicant (or a
member of the applying organisation) is the caller's job, as for every applicant route.

Placeholder agencies. `commune-office` in a definition means "the commune or sangkat office of the
application's address" (`district-office`, `province-office` likewise; a rule may route elsewhere, see
portal/domain/catalogue/routing.py). The caller says which concrete office the application is routed to in
`Snapshot.routed_agencies` (`{"commune-office": "sangkat-svay-por"}`); a staff role matches only that
concrete office. Any agency may be routed this way; a placeholder that is not routed matches nobody.

Assignment. A case assigned to one clerk is not actionable by another clerk (they see it blocked with
`assigned_to_other`); a supervisor of the agency may still act. An unassigned case is open to every clerk
of the agency. `assignment_actions` says who may claim, release or assign.

Built in, for every service, without writing it in the definition:
- `submit(...)`: the applicant moves the application from the implicit `draft` state to `workflow.start`.
- `withdraw`: the applicant may withdraw from any state that is neither terminal nor `withdrawn` (nor
  `draft`: a draft is simply discarded) into the terminal state `withdrawn` ("បានដកពាក្យវិញ" / "Withdrawn").
  A reason text is optional. Notification rules may name `withdrawn` in `on`. A definition's own `withdraw`
  transition replaces the built-in one in the states it leaves from.
Definitions may not declare the states `draft` or `withdrawn` (the loader refuses them).

Guards. `paid` and `documents_checked` read `Snapshot.facts`; any other guard is an expression (pre-parsed in
`Transition.guard_expressions`) evaluated on the answers and the facts together (facts win on a name
clash, so an answer cannot pose as a fact). A guard that cannot be evaluated does not hold. A transition's
`requires: [<staff step>]` holds when that staff step's required fields are filled in `Snapshot.staff_data`;
while not, the transition is blocked with the step's id among `guards`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal.domain.catalogue.expressions import Expression, parse
from portal.domain.catalogue.model import (
    APPLICANT,
    PLACEHOLDER_LEVELS,
    STAFF_FACTS,
    Output,
    Reason,
    Service,
    State,
    Transition,
)
from portal.domain.catalogue.staff_steps import step_of, unfilled
from portal.domain.workflow.calendar import WorkingCalendar, load_calendar

DRAFT = "draft"
WITHDRAWN = "withdrawn"
SUBMIT = "submit"
WITHDRAW = "withdraw"
CLERK, SUPERVISOR = "clerk", "supervisor"
GUARD_WORDS = STAFF_FACTS
PLACEHOLDER_AGENCIES = frozenset(PLACEHOLDER_LEVELS)
MAX_REASON_TEXT = 2000

# The built-in states' names, as the applicant reads them (portal.domain.applications.labels shows these).
DRAFT_STATE = State(id=DRAFT, label={"km": "សេចក្ដីព្រាង មិនទាន់ដាក់ស្នើ", "en": "Draft, not submitted"},
                    actor=APPLICANT)
WITHDRAWN_STATE = State(id=WITHDRAWN, label={"km": "បានដកពាក្យវិញ", "en": "Withdrawn"}, terminal=True)
WITHDRAW_TRANSITION = Transition(
    action=WITHDRAW,
    label={"km": "ដកពាក្យវិញ", "en": "Withdraw"},
    sources=(),  # every non-terminal state; see `_withdraw_applies`
    target=WITHDRAWN,
    roles=(APPLICANT,),
)
SUBMIT_TRANSITION = Transition(
    action=SUBMIT, label={"km": "ដាក់ពាក្យ", "en": "Submit"}, sources=(DRAFT,), target="", roles=(APPLICANT,)
)


class WorkflowError(ValueError):
    """The definition does not hold together (a transition to an unknown state, an unknown output).

    The loader refuses such definitions; this only guards hand-built ones."""


class NotAllowed(Exception):
    """The action cannot be taken. `code` is for programs, the message for logs and developers.

    Codes: no_workflow, unknown_state, not_a_draft, not_available (no such action from this state for this
    actor), terminal, guard_failed (`guards` lists which), assigned_to_other, reason_required,
    unknown_reason, reason_too_long, no_fields_chosen, unknown_field, fields_not_expected, not_routed.
    """

    def __init__(self, code: str, message: str, *, guards: tuple[str, ...] = ()):
        super().__init__(message)
        self.code = code
        self.guards = guards


@dataclass(frozen=True)
class Actor:
    """Who acts. Build it with `Actor.applicant(person_id)` or `Actor.staff(person_id, roles)`."""

    kind: str  # "applicant" or "staff"
    person_id: Any
    roles: frozenset[tuple[str, str]] = frozenset()  # (agency slug, "clerk" | "supervisor"), staff only

    @classmethod
    def applicant(cls, person_id: Any) -> Actor:
        return cls(kind=APPLICANT, person_id=person_id)

    @classmethod
    def staff(cls, person_id: Any, roles: set[tuple[str, str]] | frozenset[tuple[str, str]]) -> Actor:
        return cls(kind="staff", person_id=person_id, roles=frozenset((str(a), str(r)) for a, r in roles))

    @property
    def is_applicant(self) -> bool:
        return self.kind == APPLICANT

    def is_supervisor_of(self, agency: str | None) -> bool:
        return agency is not None and (agency, SUPERVISOR) in self.roles

    def works_at(self, agency: str | None) -> bool:
        return agency is not None and any(a == agency and r in (CLERK, SUPERVISOR) for a, r in self.roles)


@dataclass(frozen=True)
class Snapshot:
    """What the engine needs to know about one application, filled by the caller from its row.

    facts: the names a guard sees beyond the answers (`portal.domain.expression_contexts`: `paid`,
    `documents_checked`, `applicant` as {"kind": "person" | "organisation"}; the shorthand `applicant_kind`
    is accepted).
    routed_agencies: placeholder agency -> the concrete agency this application is routed to.
    """

    state: str
    answers: Mapping[str, Any] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)
    assignee: Any = None  # person id of the assigned clerk, or None
    routed_agencies: Mapping[str, str] = field(default_factory=dict)
    staff_data: Mapping[str, Any] = field(default_factory=dict)  # what staff filled in (staff_steps), as saved


@dataclass(frozen=True)
class Blocked:
    """A transition the actor's role allows from this state, but not now, and why."""

    transition: Transition
    code: str  # guard_failed or assigned_to_other
    guards: tuple[str, ...] = ()  # the guards that do not hold, as written in the definition

    @property
    def action(self) -> str:
        return self.transition.action


@dataclass(frozen=True)
class Event:
    """The history row to append."""

    actor_kind: str
    actor_id: Any
    action: str
    from_state: str
    to_state: str
    at: datetime
    reason_id: str | None = None
    reason_text: str | None = None
    note: str | None = None
    # "applicant" or the "<agency>.<role>" through which the engine let a staff member act: the office
    # (and role) the history, the dashboard and the audit log credit the step to.
    acted_as: str | None = None


@dataclass(frozen=True)
class Notification:
    to: str  # "applicant"
    channels: tuple[str, ...]


@dataclass(frozen=True)
class RequestInfo:
    """What the applicant may change while answering a request for more information."""

    fields: tuple[str, ...]
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """Everything that follows from one allowed action; the caller applies it in one transaction."""

    action: str
    from_state: str
    to_state: str
    event: Event
    outputs: tuple[Output, ...] = ()  # documents to issue (the target state's `issue`)
    notifications: tuple[Notification, ...] = ()
    request_info: RequestInfo | None = None
    reason: Reason | None = None  # the chosen reason from the definition, for messages in both languages
    due_at: datetime | None = None  # SLA deadline of the target state (Asia/Phnom_Penh), None if no SLA
    queue_agency: str | None = None  # concrete agency whose queue the application is now in
    release_assignee: bool = False  # the case moved to another agency's queue: clear the assignee
    terminal: bool = False


# --- reading the definition ----------------------------------------------------------------------------


def state_of(service: Service, state_id: str) -> State | None:
    """The state with this id, built-in ones (`draft`, `withdrawn`) included; None if unknown."""
    if state_id == DRAFT:
        return DRAFT_STATE
    if state_id == WITHDRAWN:
        return WITHDRAWN_STATE
    workflow = service.workflow
    return workflow.states.get(state_id) if workflow is not None else None


def queue_agency(service: Service, snapshot: Snapshot) -> str | None:
    """The concrete agency whose queue the application is in now (None for drafts and ended cases)."""
    state = state_of(service, snapshot.state)
    return _state_agency(state, snapshot) if state is not None else None


def _state_agency(state: State, snapshot: Snapshot) -> str | None:
    if state.terminal or state.id == DRAFT:
        return None
    agency = state.agency
    if agency is None and state.actor and state.actor != APPLICANT:
        agency = state.actor.split(".", 1)[0]
    return _resolve(agency, snapshot) if agency is not None else None


def _resolve(agency: str, snapshot: Snapshot) -> str | None:
    routed = (snapshot.routed_agencies or {}).get(agency)
    if routed:
        return routed
    return None if agency in PLACEHOLDER_AGENCIES else agency


def _candidates(service: Service, snapshot: Snapshot) -> list[Transition]:
    """Transitions leaving the current state, the built-in withdraw included; none from ended states."""
    state = state_of(service, snapshot.state)
    if state is None or state.terminal or state.id == DRAFT or service.workflow is None:
        return []
    found = [t for t in service.workflow.transitions if snapshot.state in t.sources]
    if not any(t.action == WITHDRAW for t in found):
        found.append(WITHDRAW_TRANSITION)
    return found


# --- who may act ---------------------------------------------------------------------------------------


def _matching_role(transition: Transition | Any, snapshot: Snapshot, actor: Actor) -> tuple[str, str] | None:
    """The (concrete agency, role) through which a staff actor may take this transition, or None."""
    for role in transition.roles:
        if role == APPLICANT or "." not in role:
            continue
        agency, needed = role.split(".", 1)
        concrete = _resolve(agency, snapshot)
        if concrete is None:
            continue
        if (concrete, needed) in actor.roles:
            return concrete, needed
        if needed == CLERK and (concrete, SUPERVISOR) in actor.roles:
            return concrete, SUPERVISOR
    return None


def _role_allows(transition: Transition, snapshot: Snapshot, actor: Actor) -> tuple[str, str] | None:
    if actor.is_applicant:
        return (APPLICANT, APPLICANT) if APPLICANT in transition.roles else None
    return _matching_role(transition, snapshot, actor)


def _failed_guards(service: Service, transition: Transition, snapshot: Snapshot) -> tuple[str, ...]:
    values = _guard_values(snapshot)
    expressions = {e.source: e for e in transition.guard_expressions}
    failed = []
    for guard in transition.guards:
        if guard in GUARD_WORDS:
            holds = values.get(guard) is True
        else:
            holds = _expression_holds(expressions.get(str(guard).strip()) or guard, values)
        if not holds:
            failed.append(guard)
    # `requires: [inspection]`: that staff step's required fields are filled (blocked names the step's id).
    for step_id in transition.requires:
        step = step_of(service, step_id)
        if step is None or unfilled(step, dict(snapshot.staff_data or {}), values):
            failed.append(step_id)
    return tuple(failed)


def _guard_values(snapshot: Snapshot) -> dict[str, Any]:
    facts = dict(snapshot.facts or {})
    if "applicant" not in facts and "applicant_kind" in facts:
        facts["applicant"] = {"kind": facts["applicant_kind"]}
    return {**dict(snapshot.answers or {}), **facts}


def _expression_holds(expression: Expression | str, values: dict[str, Any]) -> bool:
    try:
        if not isinstance(expression, Expression):
            expression = parse(expression)  # definitions built by hand (tests) may skip the loader's parsing
        return expression.is_true(values)
    except Exception:
        # A guard that cannot be evaluated on these answers (or is not a valid expression) does not hold:
        # the clerk sees the action blocked rather than an error page.
        return False


def _assignment_blocks(snapshot: Snapshot, actor: Actor, via: tuple[str, str]) -> bool:
    if actor.is_applicant or snapshot.assignee is None or snapshot.assignee == actor.person_id:
        return False
    agency, role = via
    return not (role == SUPERVISOR or actor.is_supervisor_of(agency))


def _evaluate(service: Service, snapshot: Snapshot, actor: Actor) -> list[tuple[Transition, Blocked | None]]:
    """Every transition the actor's role allows from here, with why it is blocked (None: available)."""
    results = []
    for transition in _candidates(service, snapshot):
        via = _role_allows(transition, snapshot, actor)
        if via is None:
            continue
        if _assignment_blocks(snapshot, actor, via):
            results.append((transition, Blocked(transition, "assigned_to_other")))
            continue
        failed = _failed_guards(service, transition, snapshot)
        results.append((transition, Blocked(transition, "guard_failed", failed) if failed else None))
    return results


def available_actions(service: Service, snapshot: Snapshot, actor: Actor) -> list[Transition]:
    """The transitions this actor may take now, in definition order, the built-in withdraw last."""
    return [transition for transition, blocked in _evaluate(service, snapshot, actor) if blocked is None]


def blocked_actions(service: Service, snapshot: Snapshot, actor: Actor) -> list[Blocked]:
    """Transitions the actor's role allows from this state but that cannot be taken now, and why."""
    return [blocked for _, blocked in _evaluate(service, snapshot, actor) if blocked is not None]


def staff_step_role(step, snapshot: Snapshot, actor: Actor) -> tuple[str, str] | None:
    """The (concrete agency, role) through which a staff actor may fill `step` now (its `states`, its
    `roles` matched as a transition's are: a supervisor of the office may fill a clerk's step); None if not."""
    if actor.is_applicant or snapshot.state not in step.states:
        return None
    return _matching_role(step, snapshot, actor)


def assignment_actions(service: Service, snapshot: Snapshot, actor: Actor) -> frozenset[str]:
    """Which of claim, release and assign this actor may do on the case now.

    Staff of the agency whose queue the case is in may claim an unassigned case and release their own;
    a supervisor of that agency may also assign it to someone (or release anyone's).
    """
    agency = queue_agency(service, snapshot)
    if actor.is_applicant or not actor.works_at(agency):
        return frozenset()
    allowed = set()
    if snapshot.assignee is None:
        allowed.add("claim")
    elif snapshot.assignee == actor.person_id or actor.is_supervisor_of(agency):
        allowed.add("release")
    if actor.is_supervisor_of(agency):
        allowed.add("assign")
    return frozenset(allowed)


def hand_over_missing(service: Service, snapshot: Snapshot, actor: Actor, *,
                      handed_over: bool) -> tuple[str, ...] | None:
    """The clerk's hand-over ("checked, ready for decision"): None when this actor cannot hand the case
    over now, else the staff facts (paid, documents_checked) still to be marked first (empty: go ahead).

    It exists where the case waits in a clerk's queue and every way on from there, but a request for
    information, is a supervisor's (a commune chief approving or refusing): the clerk says the file is
    complete, and the queue shows it. Where the clerk moves the case on (`recommend`) or decides, none.
    """
    agency = queue_agency(service, snapshot)
    if handed_over or actor.is_applicant or not actor.works_at(agency) or service.workflow is None:
        return None
    state = service.workflow.states.get(snapshot.state)
    if state is None or not state.actor or state.actor.rsplit(".", 1)[-1] != CLERK:
        return None
    decisions = [t for t in service.workflow.transitions
                 if snapshot.state in t.sources and not t.request_info and APPLICANT not in t.roles]
    if not decisions or not all(role.rsplit(".", 1)[-1] == SUPERVISOR for t in decisions for role in t.roles):
        return None
    return tuple(fact for fact in STAFF_FACTS
                 if any(fact in t.guards for t in decisions) and not snapshot.facts.get(fact))


# --- deciding ------------------------------------------------------------------------------------------


def decide(
    service: Service,
    snapshot: Snapshot,
    actor: Actor,
    action: str,
    *,
    now: datetime,
    reason_id: str | None = None,
    reason_text: str | None = None,
    editable_fields: tuple[str, ...] | list[str] = (),
    note: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> Decision:
    """Check that `actor` may take `action` now with these details and return what follows.

    Raises NotAllowed (see its codes) when not; never changes anything itself.
    """
    _check_now(now)
    if service.workflow is None:
        raise NotAllowed("no_workflow", f"{service.slug} has no workflow")
    state = state_of(service, snapshot.state)
    if state is None:
        raise NotAllowed("unknown_state", f"{service.slug} has no state {snapshot.state!r}")
    if state.terminal:
        raise NotAllowed("terminal", f"{snapshot.state!r} is terminal: nothing can be done any more")
    if state.id == DRAFT:
        raise NotAllowed("not_available", "a draft can only be submitted (use submit)")
    evaluated = [(t, b) for t, b in _evaluate(service, snapshot, actor) if t.action == action]
    if not evaluated:
        raise NotAllowed("not_available", f"{action!r} is not open to this actor in state {snapshot.state!r}")
    open_now = [t for t, b in evaluated if b is None]
    if not open_now:
        blocked = evaluated[0][1]
        if blocked.code == "assigned_to_other":
            raise NotAllowed("assigned_to_other", f"{action!r}: the case is assigned to someone else")
        raise NotAllowed(
            "guard_failed", f"{action!r} needs {', '.join(blocked.guards)}", guards=blocked.guards
        )
    transition = open_now[0]
    reason = _check_reason(transition, reason_id, reason_text)
    request_info = _check_request_info(service, transition, editable_fields)
    reason_text = (reason_text or "").strip() or None
    return _decision(
        service, snapshot, actor, transition, now=now, reason=reason, reason_text=reason_text,
        request_info=request_info, note=note, calendar=calendar,
    )


def submit(
    service: Service,
    snapshot: Snapshot,
    actor: Actor,
    *,
    now: datetime,
    calendar: WorkingCalendar | None = None,
) -> Decision:
    """The applicant submits a draft: from `draft` to the workflow's start state.

    Whether the answers are complete and the service still takes applications is the caller's to check
    before; the engine only checks who and from where.
    """
    _check_now(now)
    if service.workflow is None:
        raise NotAllowed("no_workflow", f"{service.slug} has no workflow")
    if snapshot.state != DRAFT:
        raise NotAllowed("not_a_draft", f"only a draft can be submitted, not an application in {snapshot.state!r}")
    if not actor.is_applicant:
        raise NotAllowed("not_available", "only the applicant submits an application")
    transition = Transition(
        action=SUBMIT, label=SUBMIT_TRANSITION.label, sources=(DRAFT,), target=service.workflow.start,
        roles=(APPLICANT,),
    )
    return _decision(service, snapshot, actor, transition, now=now, calendar=calendar)


def _check_now(now: datetime) -> None:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be an aware datetime")


def _check_reason(transition: Transition, reason_id: str | None, reason_text: str | None) -> Reason | None:
    reason = None
    if reason_id is not None:
        reason = next((r for r in transition.reasons if r.id == reason_id), None)
        if reason is None:
            raise NotAllowed("unknown_reason", f"{reason_id!r} is not a reason of {transition.action!r}")
    text = (reason_text or "").strip()
    if len(text) > MAX_REASON_TEXT:
        raise NotAllowed("reason_too_long", f"a reason may be at most {MAX_REASON_TEXT} characters")
    if transition.reason_required and reason is None and not text:
        raise NotAllowed("reason_required", f"{transition.action!r} needs a reason")
    return reason


def _check_request_info(
    service: Service, transition: Transition, editable: tuple[str, ...] | list[str]
) -> RequestInfo | None:
    chosen = list(dict.fromkeys(editable or ()))
    if not transition.request_info:
        if chosen:
            raise NotAllowed("fields_not_expected", f"{transition.action!r} does not open fields for editing")
        return None
    if not chosen:
        raise NotAllowed("no_fields_chosen", "choose at least one field or document the applicant may change")
    field_ids = {f.id for f in service.all_fields()}
    document_ids = {d.id for d in service.documents}
    unknown = [x for x in chosen if x not in field_ids and x not in document_ids]
    if unknown:
        raise NotAllowed("unknown_field", f"{unknown[0]!r} is not a field or document of {service.slug}")
    return RequestInfo(
        fields=tuple(x for x in chosen if x in field_ids),
        documents=tuple(x for x in chosen if x not in field_ids),
    )


def _decision(
    service: Service,
    snapshot: Snapshot,
    actor: Actor,
    transition: Transition,
    *,
    now: datetime,
    reason: Reason | None = None,
    reason_text: str | None = None,
    request_info: RequestInfo | None = None,
    note: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> Decision:
    target = state_of(service, transition.target)
    if target is None:
        raise WorkflowError(f"{service.source}: {transition.action!r} leads to unknown state {transition.target!r}")
    agency_now = queue_agency(service, snapshot)
    agency_next = _state_agency(target, snapshot)
    if agency_next is None and not target.terminal and _names_agency(target):
        raise NotAllowed("not_routed", f"{target.id!r} is handled by an agency this application is not routed to")
    due_at = None
    if target.sla_working_days and not target.terminal:
        due_at = (calendar or load_calendar()).add_working_days(now, target.sla_working_days)
    missing = [output for output in target.issue if output not in service.outputs]
    if missing:
        raise WorkflowError(f"{service.source}: state {target.id!r} issues unknown output {missing[0]!r}")
    via = None if actor.is_applicant else _role_allows(transition, snapshot, actor)
    return Decision(
        action=transition.action,
        from_state=snapshot.state,
        to_state=target.id,
        event=Event(
            acted_as=".".join(via) if via else actor.kind,
            actor_kind=actor.kind,
            actor_id=actor.person_id,
            action=transition.action,
            from_state=snapshot.state,
            to_state=target.id,
            at=now,
            reason_id=reason.id if reason else None,
            reason_text=reason_text,
            note=(note or "").strip() or None,
        ),
        outputs=tuple(service.outputs[output] for output in target.issue),
        notifications=tuple(
            Notification(to=rule.to, channels=tuple(rule.channels))
            for rule in service.notifications
            if target.id in rule.on
        ),
        request_info=request_info,
        reason=reason,
        due_at=due_at,
        queue_agency=agency_next,
        # While it is the applicant's turn (no queue) the case keeps its clerk for when it comes back.
        release_assignee=agency_now is not None and agency_next is not None and agency_next != agency_now,
        terminal=target.terminal,
    )


def _names_agency(state: State) -> bool:
    return state.agency is not None or bool(state.actor and state.actor != APPLICANT)
