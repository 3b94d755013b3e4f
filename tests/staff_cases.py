"""The fixture service with a fuller workflow (more information, rejection with reasons), and ways to
make submitted applications quickly through the data layer, for the back-office tests."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from portal.data import applications as application_data
from portal.data.db import db, utcnow
from portal.domain.applications import versions
from portal.domain.applications.reference import new_reference
from portal.domain.catalogue import get_catalogue
from tests.service_roots import copy_of_fixture, edit_service, services_root

SLUG = "market-stall-permit"
AGENCY = "phnom-penh-capital"
ANSWERS = {"name_km": "សុខ ចាន់ធី", "name_latin": "Sok Chanthy", "national_id": "012345678",
           "phone": "+85512777889", "market": "olympic", "stall_number": "B12", "goods": "បន្លែ", "months": 2,
           "equity_card": "no", "declaration": True}
STATES = {
    "more_info": {"label": {"km": "ត្រូវការព័ត៌មានបន្ថែម", "en": "More information needed"}, "actor": "applicant"},
    "rejected": {"label": {"km": "បានបដិសេធ", "en": "Rejected"}, "terminal": True},
}
TRANSITIONS = [
    {"action": "request_info", "label": {"km": "ស្នើសុំព័ត៌មានបន្ថែម", "en": "Ask for more information"},
     "from": "submitted", "to": "more_info", "roles": [f"{AGENCY}.clerk"], "request_info": True},
    {"action": "resubmit", "label": {"km": "ផ្ញើចម្លើយ", "en": "Send my answers"},
     "from": "more_info", "to": "submitted", "roles": ["applicant"]},
    {"action": "reject", "label": {"km": "បដិសេធ", "en": "Reject"}, "from": "submitted", "to": "rejected",
     "roles": [f"{AGENCY}.clerk"], "reason_required": True,
     "reasons": [{"id": "stall_taken", "label": {"km": "តូបនេះមានអ្នកជួលរួចហើយ", "en": "The stall is already rented"}}]},
]


def fuller_workflow(data):
    data["workflow"]["states"].update(STATES)
    data["workflow"]["transitions"] += TRANSITIONS


@pytest.fixture(name="services")
def services_fixture(app, tmp_path):
    """The fixture services root, with the fuller workflow; `services.edit(fn)` changes it again."""
    root = copy_of_fixture(tmp_path)
    edit_service(app, root, SLUG, fuller_workflow)
    with services_root(app, root, sync_agencies=True):
        yield SimpleNamespace(root=root, edit=lambda change: edit_service(app, root, SLUG, change))


def submitted(applicant, *, state: str = "submitted", due_in: timedelta | None = timedelta(days=5),
              agency: str | None = AGENCY, assignee=None, answers: dict | None = None, commit: bool = True):
    """A submitted application made straight in the database (the web journey is tested elsewhere)."""
    service = get_catalogue().get(SLUG)
    now = utcnow()
    application = application_data.create(
        service_version_id=versions.pin(service).id, service_slug=SLUG, applicant_person_id=applicant.id,
        state=state, answers=dict(answers or ANSWERS), reference=new_reference(service.reference_prefix),
        current_agency=agency, due_at=now + due_in if due_in is not None else None, submitted_at=now,
        assignee_id=assignee.id if assignee else None,
    )
    application_data.add_event(application, actor_id=applicant.id, actor_role="applicant", action="submit",
                               from_state="draft", to_state=state)
    if commit:
        db.session.commit()
    return application
