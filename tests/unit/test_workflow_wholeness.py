"""Issue 15, item 9: the loader refuses a workflow that does not hold together, saying which state and why,
so that `flask services validate` catches it in any new folder (not only a test of the shipped services)."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from portal.domain.catalogue import DefinitionError, load_catalogue
from portal.paths import PROJECT_ROOT
from tests.service_roots import FIXTURE_ROOT, services_root

VEHICLE = "services/vehicle-registration/service.yaml"


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(PROJECT_ROOT / "services", root)
    return root


def edit_workflow(root, change, slug="vehicle-registration"):
    path = root / slug / "service.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["workflow"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def transition(workflow, action):
    return next(t for t in workflow["transitions"] if t["action"] == action)


def without(action):
    return lambda w: w["transitions"].remove(transition(w, action))


def no_ending(workflow):
    for state in workflow["states"].values():
        state.pop("terminal", None)
    workflow["transitions"] = [t for t in workflow["transitions"] if t["to"] not in ("approved", "rejected")]


def a_loop_with_no_way_out(workflow):
    """Inspection and approval send the case to each other and nothing from either ends it (not even
    a request for information); the endings are reached straight from `submitted`."""
    transition(workflow, "request_info")["from"] = ["submitted"]
    workflow["transitions"] = [t for t in workflow["transitions"]
                               if t["action"] not in ("approve", "reject", "fail_inspection")]
    for action, target in (("back_to_inspection", "inspection"), ("approve_now", "approved"),
                           ("reject_now", "rejected")):
        added = dict(transition(workflow, "pass_inspection"), action=action, to=target)
        added["from"] = "approval" if target == "inspection" else "submitted"
        workflow["transitions"].append(added)


@pytest.mark.parametrize(("change", "message"), [
    (without("send_to_inspection"), f"{VEHICLE}: workflow.states.inspection: cannot be reached from 'submitted'"),
    (lambda w: transition(w, "pass_inspection").update(to="rejected"),
     f"{VEHICLE}: workflow.states.approval: cannot be reached from 'submitted'"),
    (without("resubmit"), f"{VEHICLE}: workflow.states.more_info: is not terminal and no transition leaves it"),
    (no_ending, f"{VEHICLE}: workflow.states: no state is terminal"),
    (a_loop_with_no_way_out,
     f"{VEHICLE}: workflow.states.inspection: no terminal state (approved, rejected) can be reached from it"),
], ids=["unreachable", "unreachable-behind-a-detour", "no-way-out", "no-ending",
        "no-road-to-an-ending"])
def test_a_workflow_that_does_not_hold_together_is_refused_at_the_state(services, change, message):
    edit_workflow(services, change)
    with pytest.raises(DefinitionError, match=re.escape(message)):
        load_catalogue(services)


def test_the_applicants_withdrawal_is_no_way_out_for_staff(services):
    """Every state can be withdrawn from (built in); a state only that leaves is still a dead end."""
    edit_workflow(services, without("resubmit"))
    with pytest.raises(DefinitionError, match="more_info: is not terminal"):
        load_catalogue(services)


def test_the_start_is_reached_by_submitting(tmp_path):
    """The built-in submit reaches `start`: a one-step workflow (start, then the end) is whole."""
    root = tmp_path / "services"
    shutil.copytree(FIXTURE_ROOT, root)
    service = load_catalogue(root).get("market-stall-permit")
    assert service.workflow.start == "submitted" and len(service.workflow.states) == 2


def test_flask_services_validate_reports_it_for_any_folder(app, services):
    edit_workflow(services, without("send_to_inspection"))
    with services_root(app, services):
        result = app.test_cli_runner().invoke(args=["services", "validate"])
    assert result.exit_code != 0
    assert "workflow.states.inspection: cannot be reached from 'submitted'" in result.output
