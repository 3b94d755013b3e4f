"""The workflow engine on tiny definitions built here: who may act, guards, reasons, requests for
information, agencies in sequence, built-in submit and withdraw, and the effects of a decision."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.catalogue.expressions import parse
from portal.domain.catalogue.model import (
    DocumentRequirement,
    Field,
    NotificationRule,
    Output,
    Reason,
    Service,
    State,
    Step,
    Transition,
    Workflow,
)
from portal.domain.workflow import (
    Actor,
    NotAllowed,
    Snapshot,
    WorkflowError,
    WorkingCalendar,
    assignment_actions,
    available_actions,
    blocked_actions,
    decide,
    hand_over_missing,
    queue_agency,
    state_of,
    submit,
)
from portal.domain.workflow.calendar import PHNOM_PENH

WEEKENDS_ONLY = WorkingCalendar()
MONDAY = datetime(2025, 6, 2, 10, 0, tzinfo=PHNOM_PENH)


def text(en: str) -> dict[str, str]:
    return {"km": "ខ្មែរ", "en": en}


def state(state_id: str, **kwargs) -> State:
    return State(id=state_id, label=text(state_id), **kwargs)


def transition(action: str, sources, target: str, roles, **kwargs) -> Transition:
    guards = tuple(kwargs.pop("guards", ()))
    expressions = tuple(parse(g) for g in guards if g not in ("paid", "documents_checked"))
    return Transition(
        action=action,
        label=text(action),
        sources=(sources,) if isinstance(sources, str) else tuple(sources),
        target=target,
        roles=tuple(roles),
        guards=guards,
        guard_expressions=expressions,
        **kwargs,
    )


def service(states, transitions, *, start, agencies, outputs=(), notifications=(), steps=(), documents=()) -> Service:
    return Service(
        slug="fixture",
        version=1,
        status="live",
        audience=("citizen",),
        agencies=tuple(agencies),
        category="civil",
        title=text("Fixture"),
        summary=text("Fixture"),
        eligibility=text("Anyone"),
        requirements=(),
        processing_working_days=5,
        fees=(),
        legal_basis=text("None"),
        source="tests/fixture/service.yaml",
        steps=tuple(steps),
        documents=tuple(documents),
        workflow=Workflow(start=start, states={s.id: s for s in states}, transitions=tuple(transitions)),
        outputs={o.id: o for o in outputs},
        notifications=tuple(notifications),
    )


CERTIFICATE = Output(id="certificate", template="certificate.html", title=text("Certificate"), data={})
INCOMPLETE = Reason(id="incomplete", label=text("Incomplete file"))
DUPLICATE = Reason(id="duplicate_name", label=text("Name already registered"))

# Commerce then taxation, like business registration.
TWO_AGENCIES = service(
    states=[
        state("submitted", actor="moc.clerk", agency="moc", sla_working_days=5),
        state("more_info", actor="applicant"),
        state("tax_review", actor="gdt.clerk", agency="gdt", sla_working_days=3),
        state("registered", terminal=True, issue=("certificate",)),
        state("rejected", terminal=True),
    ],
    transitions=[
        transition("request_info", "submitted", "more_info", ["moc.clerk"], request_info=True),
        transition("resubmit", "more_info", "submitted", ["applicant"]),
        transition("forward", "submitted", "tax_review", ["moc.clerk"], guards=["paid", "documents_checked"]),
        transition(
            "reject", ["submitted", "tax_review"], "rejected", ["moc.supervisor", "gdt.supervisor"],
            reason_required=True, reasons=(INCOMPLETE, DUPLICATE),
        ),
        transition("approve", "tax_review", "registered", ["gdt.clerk"], guards=["capital.amount >= 4000000"]),
    ],
    start="submitted",
    agencies=["moc", "gdt"],
    outputs=[CERTIFICATE],
    notifications=[
        NotificationRule(on=("more_info", "registered", "rejected"), to="applicant", channels=("inbox", "sms")),
        NotificationRule(on=("registered",), to="applicant", channels=("email",)),
        NotificationRule(on=("withdrawn",), to="applicant", channels=("inbox",)),
    ],
    steps=[
        Step(id="business", title=text("Business"), fields=(
            Field(id="name_km", type="khmer_name", label=text("Name in Khmer")),
            Field(id="capital", type="money", label=text("Capital")),
        )),
    ],
    documents=[DocumentRequirement(id="id_card", label=text("ID card"), accept=("pdf",), max_mb=5)],
)

# One commune office, like the residence certificate: the concrete office comes from the application.
COMMUNE = service(
    states=[
        state("submitted", actor="commune-office.clerk", sla_working_days=3),
        state("certified", terminal=True, issue=("certificate",)),
    ],
    transitions=[transition("certify", "submitted", "certified", ["commune-office.clerk"], guards=["paid"])],
    start="submitted",
    agencies=["commune-office"],
    outputs=[CERTIFICATE],
)

APPLICANT = Actor.applicant(1)
MOC_CLERK = Actor.staff(10, {("moc", "clerk")})
MOC_CLERK_2 = Actor.staff(11, {("moc", "clerk")})
MOC_SUPERVISOR = Actor.staff(12, {("moc", "supervisor")})
GDT_CLERK = Actor.staff(20, {("gdt", "clerk")})
GDT_SUPERVISOR = Actor.staff(21, {("gdt", "supervisor")})
SVAY_POR_CLERK = Actor.staff(30, {("sangkat-svay-por", "clerk")})
BKK1_CLERK = Actor.staff(31, {("sangkat-boeng-keng-kang-1", "clerk")})

READY = {"paid": True, "documents_checked": True}


def at(state_id: str, facts=None, answers=None, assignee=None, routed=None) -> Snapshot:
    return Snapshot(
        state=state_id, answers=answers or {}, facts=READY if facts is None else facts, assignee=assignee,
        routed_agencies=routed or {},
    )


def actions(svc, snapshot, actor) -> list[str]:
    return [t.action for t in available_actions(svc, snapshot, actor)]


@contextmanager
def refused(code: str):
    with pytest.raises(NotAllowed) as info:
        yield info
    assert info.value.code == code, str(info.value)


class TestWhoMayAct:
    def test_the_clerk_of_the_agency_sees_the_clerk_actions_of_the_state(self):
        assert actions(TWO_AGENCIES, at("submitted"), MOC_CLERK) == ["request_info", "forward"]

    def test_a_supervisor_may_do_what_a_clerk_of_the_same_agency_may_and_more(self):
        assert actions(TWO_AGENCIES, at("submitted"), MOC_SUPERVISOR) == ["request_info", "forward", "reject"]

    def test_a_clerk_may_not_take_a_supervisor_action(self):
        with refused("not_available"):
            decide(TWO_AGENCIES, at("submitted"), MOC_CLERK, "reject", reason_id="incomplete", now=MONDAY)

    def test_another_agencys_clerk_and_supervisor_get_nothing(self):
        assert actions(TWO_AGENCIES, at("submitted"), GDT_CLERK) == []
        assert actions(TWO_AGENCIES, at("submitted"), Actor.staff(22, {("mpwt", "supervisor")})) == []
        assert blocked_actions(TWO_AGENCIES, at("submitted"), GDT_CLERK) == []

    def test_a_supervisor_of_another_agency_does_not_inherit_this_agencys_clerk_actions(self):
        assert actions(TWO_AGENCIES, at("submitted"), GDT_SUPERVISOR) == ["reject"]

    def test_the_applicant_may_only_withdraw_while_the_clerk_has_the_case(self):
        assert actions(TWO_AGENCIES, at("submitted"), APPLICANT) == ["withdraw"]

    def test_the_applicant_answers_a_request_for_information(self):
        assert actions(TWO_AGENCIES, at("more_info"), APPLICANT) == ["resubmit", "withdraw"]
        assert actions(TWO_AGENCIES, at("more_info"), MOC_CLERK) == []

    def test_staff_without_roles_can_do_nothing(self):
        assert actions(TWO_AGENCIES, at("submitted"), Actor.staff(99, set())) == []


class TestGuards:
    def test_forward_is_blocked_until_paid_and_the_clerk_says_why(self):
        snapshot = at("submitted", facts={"paid": False, "documents_checked": True})
        assert "forward" not in actions(TWO_AGENCIES, snapshot, MOC_CLERK)
        [blocked] = blocked_actions(TWO_AGENCIES, snapshot, MOC_CLERK)
        assert (blocked.action, blocked.code, blocked.guards) == ("forward", "guard_failed", ("paid",))

    def test_every_failing_guard_is_reported(self):
        [blocked] = blocked_actions(TWO_AGENCIES, at("submitted", facts={}), MOC_CLERK)
        assert blocked.guards == ("paid", "documents_checked")

    def test_deciding_a_blocked_action_names_the_guard(self):
        with refused("guard_failed") as info:
            decide(TWO_AGENCIES, at("submitted", facts={"paid": True}), MOC_CLERK, "forward", now=MONDAY)
        assert info.value.guards == ("documents_checked",)

    def test_a_truthy_value_that_is_not_true_does_not_count_as_paid(self):
        snapshot = at("submitted", facts={"paid": "yes", "documents_checked": 1})
        assert "forward" not in actions(TWO_AGENCIES, snapshot, MOC_CLERK)

    def test_an_expression_guard_reads_the_answers(self):
        rich = at("tax_review", answers={"capital": {"amount": 4000000, "currency": "KHR"}})
        poor = at("tax_review", answers={"capital": {"amount": 100000, "currency": "KHR"}})
        assert actions(TWO_AGENCIES, rich, GDT_CLERK) == ["approve"]
        assert actions(TWO_AGENCIES, poor, GDT_CLERK) == []
        assert [b.guards for b in blocked_actions(TWO_AGENCIES, poor, GDT_CLERK)] == [("capital.amount >= 4000000",)]

    def test_an_expression_guard_on_a_missing_answer_does_not_hold(self):
        assert actions(TWO_AGENCIES, at("tax_review"), GDT_CLERK) == []

    def test_an_answer_cannot_pose_as_a_fact(self):
        svc = service(
            [state("open", actor="moc.clerk"), state("done", terminal=True)],
            [transition("close", "open", "done", ["moc.clerk"], guards=["paid == true"])],
            start="open", agencies=["moc"],
        )
        assert actions(svc, at("open", facts={"paid": False}, answers={"paid": True}), MOC_CLERK) == []

    def test_guards_may_use_the_kind_of_applicant(self):
        svc = service(
            [state("open", actor="moc.clerk"), state("done", terminal=True)],
            [transition("close", "open", "done", ["moc.clerk"], guards=["applicant.kind == 'organisation'"])],
            start="open", agencies=["moc"],
        )
        assert actions(svc, at("open", facts={"applicant": {"kind": "organisation"}}), MOC_CLERK) == ["close"]
        assert actions(svc, at("open", facts={"applicant_kind": "organisation"}), MOC_CLERK) == ["close"]
        assert actions(svc, at("open", facts={"applicant_kind": "person"}), MOC_CLERK) == []


class TestReasons:
    def test_a_reason_is_required_to_reject(self):
        with refused("reason_required"):
            decide(TWO_AGENCIES, at("submitted"), MOC_SUPERVISOR, "reject", reason_text="   ", now=MONDAY)

    def test_a_reason_from_the_definition_is_recorded_with_its_labels(self):
        decision = decide(TWO_AGENCIES, at("submitted"), MOC_SUPERVISOR, "reject", reason_id="duplicate_name",
                          now=MONDAY)
        assert decision.event.reason_id == "duplicate_name"
        assert decision.reason == DUPLICATE
        assert decision.to_state == "rejected"

    def test_free_text_alone_is_a_reason(self):
        decision = decide(TWO_AGENCIES, at("submitted"), MOC_SUPERVISOR, "reject",
                          reason_text="  ឈ្មោះមិនត្រឹមត្រូវ  ", now=MONDAY)
        assert (decision.event.reason_id, decision.event.reason_text) == (None, "ឈ្មោះមិនត្រឹមត្រូវ")

    def test_a_reason_id_that_is_not_one_of_the_transitions_is_refused(self):
        with refused("unknown_reason"):
            decide(TWO_AGENCIES, at("submitted"), MOC_SUPERVISOR, "reject", reason_id="rude", now=MONDAY)
        with refused("unknown_reason"):
            decide(TWO_AGENCIES, at("submitted", facts=READY), MOC_CLERK, "forward", reason_id="incomplete",
                   now=MONDAY)

    def test_an_endless_reason_is_refused(self):
        with refused("reason_too_long"):
            decide(TWO_AGENCIES, at("submitted"), MOC_SUPERVISOR, "reject", reason_text="ក" * 2001, now=MONDAY)


class TestRequestInfo:
    def test_the_clerk_must_choose_what_the_applicant_may_change(self):
        with refused("no_fields_chosen"):
            decide(TWO_AGENCIES, at("submitted"), MOC_CLERK, "request_info", now=MONDAY)

    def test_the_chosen_fields_and_documents_are_opened(self):
        decision = decide(TWO_AGENCIES, at("submitted"), MOC_CLERK, "request_info",
                          editable_fields=["capital", "id_card", "capital"], note="Please attach your ID card",
                          now=MONDAY)
        assert decision.request_info.fields == ("capital",)
        assert decision.request_info.documents == ("id_card",)
        assert decision.to_state == "more_info"
        assert decision.event.note == "Please attach your ID card"

    def test_a_field_the_service_does_not_have_is_refused(self):
        with refused("unknown_field"):
            decide(TWO_AGENCIES, at("submitted"), MOC_CLERK, "request_info", editable_fields=["salary"],
                   now=MONDAY)

    def test_fields_cannot_be_opened_by_an_action_that_does_not_request_information(self):
        with refused("fields_not_expected"):
            decide(TWO_AGENCIES, at("submitted"), MOC_CLERK, "forward", editable_fields=["capital"], now=MONDAY)

    def test_other_actions_open_nothing(self):
        decision = decide(TWO_AGENCIES, at("submitted"), MOC_CLERK, "forward", now=MONDAY, calendar=WEEKENDS_ONLY)
        assert decision.request_info is None

    def test_the_clerk_keeps_the_case_while_the_applicant_answers(self):
        decision = decide(TWO_AGENCIES, at("submitted", assignee=10), MOC_CLERK, "request_info",
                          editable_fields=["capital"], now=MONDAY)
        assert (decision.queue_agency, decision.release_assignee, decision.due_at) == (None, False, None)
        back = decide(TWO_AGENCIES, at("more_info", assignee=10), APPLICANT, "resubmit", now=MONDAY,
                      calendar=WEEKENDS_ONLY)
        assert (back.queue_agency, back.release_assignee) == ("moc", False)


class TestAgenciesInSequence:
    def test_forwarding_moves_the_case_to_taxation(self):
        decision = decide(TWO_AGENCIES, at("submitted", assignee=10), MOC_CLERK, "forward", now=MONDAY,
                          calendar=WEEKENDS_ONLY)
        assert (decision.from_state, decision.to_state) == ("submitted", "tax_review")
        assert decision.queue_agency == "gdt"
        assert decision.release_assignee is True

    def test_after_forwarding_the_tax_clerk_acts_and_the_commerce_clerk_cannot(self):
        snapshot = at("tax_review", answers={"capital": {"amount": 5000000, "currency": "KHR"}})
        assert queue_agency(TWO_AGENCIES, snapshot) == "gdt"
        assert actions(TWO_AGENCIES, snapshot, GDT_CLERK) == ["approve"]
        assert actions(TWO_AGENCIES, snapshot, MOC_CLERK) == []
        with refused("not_available"):
            decide(TWO_AGENCIES, snapshot, MOC_CLERK, "approve", now=MONDAY)

    def test_a_commune_office_role_matches_the_office_the_application_is_routed_to(self):
        snapshot = at("submitted", routed={"commune-office": "sangkat-svay-por"})
        assert actions(COMMUNE, snapshot, SVAY_POR_CLERK) == ["certify"]
        assert actions(COMMUNE, snapshot, BKK1_CLERK) == []
        assert queue_agency(COMMUNE, snapshot) == "sangkat-svay-por"

    def test_an_application_not_routed_to_an_office_is_actionable_by_no_office(self):
        assert actions(COMMUNE, at("submitted"), SVAY_POR_CLERK) == []
        assert actions(COMMUNE, at("submitted"), Actor.staff(32, {("commune-office", "supervisor")})) == []
        assert queue_agency(COMMUNE, at("submitted")) is None

    def test_submitting_to_an_office_needs_the_application_routed(self):
        routed = Snapshot(state="draft", routed_agencies={"commune-office": "sangkat-svay-por"})
        assert submit(COMMUNE, routed, APPLICANT, now=MONDAY, calendar=WEEKENDS_ONLY).queue_agency == "sangkat-svay-por"
        with refused("not_routed"):
            submit(COMMUNE, Snapshot(state="draft"), APPLICANT, now=MONDAY, calendar=WEEKENDS_ONLY)


class TestAssignment:
    def test_a_case_assigned_to_another_clerk_is_blocked_for_this_clerk(self):
        snapshot = at("submitted", assignee=11)
        assert actions(TWO_AGENCIES, snapshot, MOC_CLERK) == []
        assert {b.code for b in blocked_actions(TWO_AGENCIES, snapshot, MOC_CLERK)} == {"assigned_to_other"}
        with refused("assigned_to_other"):
            decide(TWO_AGENCIES, snapshot, MOC_CLERK, "forward", now=MONDAY)

    def test_the_assignee_and_the_supervisor_may_act(self):
        snapshot = at("submitted", assignee=11)
        assert actions(TWO_AGENCIES, snapshot, MOC_CLERK_2) == ["request_info", "forward"]
        assert actions(TWO_AGENCIES, snapshot, MOC_SUPERVISOR) == ["request_info", "forward", "reject"]

    def test_claim_release_and_assign(self):
        assert assignment_actions(TWO_AGENCIES, at("submitted"), MOC_CLERK) == {"claim"}
        assert assignment_actions(TWO_AGENCIES, at("submitted", assignee=10), MOC_CLERK) == {"release"}
        assert assignment_actions(TWO_AGENCIES, at("submitted", assignee=11), MOC_CLERK) == set()
        assert assignment_actions(TWO_AGENCIES, at("submitted", assignee=11), MOC_SUPERVISOR) == {"release", "assign"}
        assert assignment_actions(TWO_AGENCIES, at("submitted"), GDT_SUPERVISOR) == set()
        assert assignment_actions(TWO_AGENCIES, at("submitted"), APPLICANT) == set()
        assert assignment_actions(TWO_AGENCIES, at("registered"), MOC_SUPERVISOR) == set()


# The commune pattern of the residence certificate: the clerk checks or asks for more, the chief decides.
CHIEF_DECIDES = service(
    states=[
        state("submitted", actor="commune-office.clerk", sla_working_days=3),
        state("more_info", actor="applicant"),
        state("certified", terminal=True),
        state("refused", terminal=True),
    ],
    transitions=[
        transition("request_info", "submitted", "more_info", ["commune-office.clerk"], request_info=True),
        transition("resubmit", "more_info", "submitted", ["applicant"]),
        transition("certify", "submitted", "certified", ["commune-office.supervisor"],
                   guards=["paid", "documents_checked"]),
        transition("refuse", "submitted", "refused", ["commune-office.supervisor"]),
    ],
    start="submitted",
    agencies=["commune-office"],
)
SVAY_POR = {"commune-office": "sangkat-svay-por"}
SVAY_POR_CHIEF = Actor.staff(32, {("sangkat-svay-por", "supervisor")})


class TestHandOverForADecision:
    def test_the_clerk_may_hand_over_once_the_facts_the_chief_needs_are_marked(self):
        assert hand_over_missing(CHIEF_DECIDES, at("submitted", facts={}, routed=SVAY_POR), SVAY_POR_CLERK,
                                 handed_over=False) == ("paid", "documents_checked")
        assert hand_over_missing(CHIEF_DECIDES, at("submitted", facts={"paid": True}, routed=SVAY_POR),
                                 SVAY_POR_CLERK, handed_over=False) == ("documents_checked",)
        assert hand_over_missing(CHIEF_DECIDES, at("submitted", routed=SVAY_POR), SVAY_POR_CLERK,
                                 handed_over=False) == ()

    def test_not_twice_not_by_others_and_not_outside_the_clerks_state(self):
        ready = at("submitted", routed=SVAY_POR)
        assert hand_over_missing(CHIEF_DECIDES, ready, SVAY_POR_CLERK, handed_over=True) is None
        assert hand_over_missing(CHIEF_DECIDES, ready, BKK1_CLERK, handed_over=False) is None
        assert hand_over_missing(CHIEF_DECIDES, ready, APPLICANT, handed_over=False) is None
        assert hand_over_missing(CHIEF_DECIDES, at("more_info", routed=SVAY_POR), SVAY_POR_CLERK,
                                 handed_over=False) is None
        assert hand_over_missing(CHIEF_DECIDES, ready, SVAY_POR_CHIEF, handed_over=False) == ()

    def test_none_where_the_clerk_moves_the_case_on_or_decides(self):
        # Business registration's pattern: the clerk forwards; and the commune clerk who certifies alone.
        assert hand_over_missing(TWO_AGENCIES, at("submitted"), MOC_CLERK, handed_over=False) is None
        assert hand_over_missing(COMMUNE, at("submitted", routed=SVAY_POR), SVAY_POR_CLERK, handed_over=False) is None


class TestEndedCases:
    @pytest.mark.parametrize("ended", ["registered", "rejected", "withdrawn"])
    def test_a_terminal_state_allows_nothing_to_anyone(self, ended):
        for actor in (APPLICANT, MOC_CLERK, MOC_SUPERVISOR, GDT_CLERK, GDT_SUPERVISOR):
            assert available_actions(TWO_AGENCIES, at(ended), actor) == []
            assert blocked_actions(TWO_AGENCIES, at(ended), actor) == []
        with refused("terminal"):
            decide(TWO_AGENCIES, at(ended), APPLICANT, "withdraw", now=MONDAY)

    def test_an_unknown_state_allows_nothing_and_is_named_when_deciding(self):
        assert available_actions(TWO_AGENCIES, at("aproved"), MOC_SUPERVISOR) == []
        with refused("unknown_state"):
            decide(TWO_AGENCIES, at("aproved"), MOC_SUPERVISOR, "reject", now=MONDAY)


class TestWithdraw:
    def test_the_applicant_withdraws_into_the_built_in_terminal_state(self):
        decision = decide(TWO_AGENCIES, at("tax_review", assignee=20), APPLICANT, "withdraw",
                          reason_text="Changed my mind", now=MONDAY)
        assert (decision.to_state, decision.terminal, decision.due_at) == ("withdrawn", True, None)
        assert decision.event.reason_text == "Changed my mind"
        assert [n.channels for n in decision.notifications] == [("inbox",)]
        assert state_of(TWO_AGENCIES, "withdrawn").label == {"km": "បានដកពាក្យវិញ", "en": "Withdrawn"}

    def test_staff_cannot_withdraw_for_the_applicant(self):
        with refused("not_available"):
            decide(TWO_AGENCIES, at("submitted"), MOC_SUPERVISOR, "withdraw", now=MONDAY)

    def test_a_draft_is_not_withdrawn_but_submitted(self):
        assert available_actions(TWO_AGENCIES, at("draft"), APPLICANT) == []
        with refused("not_available"):
            decide(TWO_AGENCIES, at("draft"), APPLICANT, "withdraw", now=MONDAY)

    def test_a_withdraw_transition_in_the_definition_replaces_the_built_in_one_where_it_applies(self):
        svc = service(
            [state("open", actor="moc.clerk"), state("cancelled", terminal=True)],
            [transition("withdraw", "open", "cancelled", ["applicant"], reason_required=True)],
            start="open", agencies=["moc"],
        )
        with refused("reason_required"):
            decide(svc, at("open"), APPLICANT, "withdraw", now=MONDAY)
        assert decide(svc, at("open"), APPLICANT, "withdraw", reason_text="x", now=MONDAY).to_state == "cancelled"


class TestSubmit:
    def test_submitting_moves_a_draft_to_the_start_state_with_its_deadline_and_queue(self):
        friday = datetime(2025, 6, 6, 16, 0, tzinfo=PHNOM_PENH)
        decision = submit(TWO_AGENCIES, Snapshot(state="draft"), APPLICANT, now=friday, calendar=WEEKENDS_ONLY)
        assert (decision.action, decision.from_state, decision.to_state) == ("submit", "draft", "submitted")
        assert decision.due_at == datetime(2025, 6, 13, 17, 0, tzinfo=PHNOM_PENH)
        assert decision.queue_agency == "moc"
        assert (decision.event.actor_kind, decision.event.actor_id, decision.event.at) == ("applicant", 1, friday)

    def test_only_a_draft_can_be_submitted_and_only_by_the_applicant(self):
        with refused("not_a_draft"):
            submit(TWO_AGENCIES, at("submitted"), APPLICANT, now=MONDAY)
        with refused("not_available"):
            submit(TWO_AGENCIES, Snapshot(state="draft"), MOC_CLERK, now=MONDAY)

    def test_a_service_without_a_workflow_takes_no_application(self):
        bare = dataclasses.replace(TWO_AGENCIES, workflow=None)
        with refused("no_workflow"):
            submit(bare, Snapshot(state="draft"), APPLICANT, now=MONDAY)
        assert available_actions(bare, at("submitted"), APPLICANT) == []

    def test_now_must_carry_a_time_zone(self):
        with pytest.raises(ValueError, match="aware"):
            submit(TWO_AGENCIES, Snapshot(state="draft"), APPLICANT, now=datetime(2025, 6, 6, 16, 0))


class TestEffects:
    def test_approval_issues_the_certificate_and_notifies_by_every_matching_rule(self):
        snapshot = at("tax_review", answers={"capital": {"amount": 5000000, "currency": "KHR"}}, assignee=20)
        decision = decide(TWO_AGENCIES, snapshot, GDT_CLERK, "approve", now=MONDAY)
        assert decision.outputs == (CERTIFICATE,)
        assert [(n.to, n.channels) for n in decision.notifications] == [
            ("applicant", ("inbox", "sms")), ("applicant", ("email",)),
        ]
        assert (decision.terminal, decision.due_at, decision.queue_agency) == (True, None, None)
        assert decision.event == decision.event.__class__(
            actor_kind="staff", actor_id=20, action="approve", from_state="tax_review", to_state="registered",
            at=MONDAY, acted_as="gdt.clerk",
        )

    def test_a_state_without_notification_rules_notifies_nobody(self):
        decision = decide(TWO_AGENCIES, at("submitted"), MOC_CLERK, "forward", now=MONDAY, calendar=WEEKENDS_ONLY)
        assert decision.notifications == () and decision.outputs == ()

    def test_the_due_date_skips_the_weekend(self):
        friday = datetime(2025, 6, 6, 9, 0, tzinfo=PHNOM_PENH)
        decision = decide(TWO_AGENCIES, at("submitted"), MOC_CLERK, "forward", now=friday, calendar=WEEKENDS_ONLY)
        assert decision.due_at == datetime(2025, 6, 11, 17, 0, tzinfo=PHNOM_PENH)  # 3 days: Mon, Tue, Wed

    def test_the_due_date_skips_khmer_new_year_with_the_shipped_calendar(self):
        friday = datetime(2025, 4, 11, 9, 0, tzinfo=PHNOM_PENH)
        decision = decide(TWO_AGENCIES, at("submitted"), MOC_CLERK, "forward", now=friday)
        # 14-16 April 2025 are Khmer New Year: Thursday 17, Friday 18, Monday 21.
        assert decision.due_at == datetime(2025, 4, 21, 17, 0, tzinfo=PHNOM_PENH)

    def test_the_same_inputs_give_the_same_decision(self):
        def once():
            return decide(TWO_AGENCIES, at("submitted"), MOC_SUPERVISOR, "reject", reason_id="incomplete",
                          now=MONDAY)

        assert once() == once()

    def test_a_definition_issuing_an_unknown_output_is_a_definition_error(self):
        svc = service(
            [state("open", actor="moc.clerk"), state("done", terminal=True, issue=("licence",))],
            [transition("close", "open", "done", ["moc.clerk"])],
            start="open", agencies=["moc"],
        )
        with pytest.raises(WorkflowError, match="licence"):
            decide(svc, at("open"), MOC_CLERK, "close", now=MONDAY)

    def test_a_decision_taken_in_utc_counts_days_in_cambodia(self):
        # Friday 20:00 UTC is already Saturday 03:00 in Phnom Penh: Monday is the first working day.
        late_friday = datetime(2025, 6, 6, 20, 0, tzinfo=UTC)
        decision = submit(COMMUNE, Snapshot(state="draft", routed_agencies={"commune-office": "sangkat-svay-por"}),
                          APPLICANT, now=late_friday, calendar=WEEKENDS_ONLY)
        assert decision.due_at == datetime(2025, 6, 11, 17, 0, tzinfo=PHNOM_PENH)


AGENCIES = ["moc", "gdt", "commune-office", "sangkat-svay-por", "mpwt", ""]
ROLES = ["clerk", "supervisor", "chief", ""]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
ACTORS = st.one_of(
    st.builds(Actor.applicant, st.integers(0, 3)),
    st.builds(Actor.staff, st.integers(0, 30), st.sets(st.tuples(st.sampled_from(AGENCIES), st.sampled_from(ROLES)))),
)
SNAPSHOTS = st.builds(
    Snapshot,
    state=st.one_of(
        st.sampled_from(["draft", "withdrawn", "submitted", "more_info", "tax_review", "registered", "rejected"]),
        st.text(max_size=8),
    ),
    answers=st.dictionaries(st.sampled_from(["capital", "name_km", "paid", "x"]), VALUES, max_size=3),
    facts=st.dictionaries(
        st.sampled_from(["paid", "documents_checked", "applicant", "applicant_kind", "fees_total"]), VALUES
    ),
    assignee=st.one_of(st.none(), st.integers(0, 30)),
    routed_agencies=st.dictionaries(st.sampled_from(["commune-office", "moc"]), st.sampled_from(AGENCIES)),
)


class TestNeverRaises:
    @settings(max_examples=400, deadline=None)
    @given(svc=st.sampled_from([TWO_AGENCIES, COMMUNE]), snapshot=SNAPSHOTS, actor=ACTORS)
    def test_available_actions_never_raises_and_every_available_action_can_be_decided(self, svc, snapshot, actor):
        available = available_actions(svc, snapshot, actor)
        blocked = blocked_actions(svc, snapshot, actor)
        assignment_actions(svc, snapshot, actor)
        assert {id(t) for t in available}.isdisjoint({id(b.transition) for b in blocked})
        for t in available:
            try:
                decision = decide(
                    svc, snapshot, actor, t.action, now=MONDAY, calendar=WEEKENDS_ONLY, reason_text="ok",
                    editable_fields=("capital",) if t.request_info else (),
                )
            except NotAllowed as error:
                assert error.code == "not_routed"
            else:
                assert decision.from_state == snapshot.state


class TestWhoTheStepIsCreditedTo:
    """The event says through which office and role the engine let the person act."""

    def test_a_clerk_step_taken_by_a_supervisor_is_credited_to_the_supervisor_role(self):
        snapshot = at("submitted", facts={"paid": True, "documents_checked": True})
        assert decide(TWO_AGENCIES, snapshot, MOC_SUPERVISOR, "forward", now=MONDAY).event.acted_as == "moc.supervisor"
        assert decide(TWO_AGENCIES, snapshot, MOC_CLERK, "forward", now=MONDAY).event.acted_as == "moc.clerk"

    def test_someone_at_two_agencies_is_credited_to_the_one_the_step_belongs_to(self):
        both = Actor.staff(30, {("gdt", "clerk"), ("moc", "clerk")})
        snapshot = at("tax_review", answers={"capital": {"amount": 5000000, "currency": "KHR"}})
        assert decide(TWO_AGENCIES, snapshot, both, "approve", now=MONDAY).event.acted_as == "gdt.clerk"

    def test_the_applicant_is_the_applicant(self):
        assert decide(TWO_AGENCIES, at("more_info"), APPLICANT, "resubmit", now=MONDAY).event.acted_as == "applicant"


class TestStaffSteps:
    """`requires: [<staff step>]` and who may fill a staff step (docs/services.md, "Staff steps")."""

    @staticmethod
    def permit():
        from portal.domain.catalogue.staff_steps import StaffStep

        inspection = StaffStep(
            id="inspection", title=text("Inspection"), roles=("moc.clerk",), states=("submitted",),
            fields=(Field(id="register_number", type="text", label=text("Register"), required=True),
                    Field(id="note", type="text", label=text("Note"))))
        built = service(
            states=[state("submitted", actor="moc.clerk", agency="moc"), state("approved", terminal=True)],
            transitions=[transition("approve", "submitted", "approved", ["moc.clerk"], requires=("inspection",))],
            start="submitted", agencies=["moc"])
        return dataclasses.replace(built, staff_steps=(inspection,)), inspection

    def test_a_transition_waits_for_the_required_fields_of_the_staff_step_it_requires(self):
        permit, _step = self.permit()
        clerk = Actor.staff(1, {("moc", "clerk")})
        empty = Snapshot(state="submitted", staff_data={"note": "seen"})
        (blocked,) = blocked_actions(permit, empty, clerk)
        assert blocked.code == "guard_failed" and blocked.guards == ("inspection",)
        with pytest.raises(NotAllowed) as refused:
            decide(permit, empty, clerk, "approve", now=MONDAY, calendar=WEEKENDS_ONLY)
        assert refused.value.guards == ("inspection",)
        filled = Snapshot(state="submitted", staff_data={"register_number": "R-1"})
        assert [t.action for t in available_actions(permit, filled, clerk)] == ["approve"]

    def test_a_staff_step_is_filled_by_its_roles_and_their_supervisors_in_its_states_only(self):
        from portal.domain.workflow.engine import staff_step_role

        _permit, step = self.permit()
        now = Snapshot(state="submitted")
        assert staff_step_role(step, now, Actor.staff(1, {("moc", "clerk")})) == ("moc", "clerk")
        assert staff_step_role(step, now, Actor.staff(2, {("moc", "supervisor")})) == ("moc", "supervisor")
        assert staff_step_role(step, now, Actor.staff(3, {("gdt", "clerk")})) is None
        assert staff_step_role(step, now, Actor.applicant(4)) is None
        assert staff_step_role(step, Snapshot(state="approved"), Actor.staff(1, {("moc", "clerk")})) is None
