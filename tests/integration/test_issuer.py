"""Who issues a document: the office (and the officer) whose staff step decided, not the service's
last-listed agency; an output's `issued_by` names another of the service's offices, signed by its own officer.
/verify shows that office, and the document's signature block names the same office's officer."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from portal.data import document_requests
from portal.data.db import db
from portal.data.models import Document
from portal.domain.applications import actions, versions
from portal.domain.catalogue import forget_loaded
from tests import docfiles, journey
from tests.service_roots import copy_of_fixture, edit_service, services_root
from tests.sessions import sign_in_as

SECOND = {"slug": "markets-office", "kind": "department",
          "name": {"km": "ការិយាល័យគ្រប់គ្រងផ្សារ", "en": "Markets Office"}}


def _with_offer(data, *, issued_by=None, second_office_last=False):
    """Approval by the capital's clerk makes an offer; the applicant's acceptance issues the permit (or, with
    `second_office_last`, the markets office's clerk files it and that issues the permit)."""
    data["agencies"] = ["phnom-penh-capital", "markets-office"]
    states = data["workflow"]["states"]
    issuing = states.pop("approved")
    states["offered"] = {"label": {"km": "បានផ្តល់ជូន", "en": "Offered"}, "actor": "applicant"}
    if second_office_last:
        states["offered"] = {"label": {"km": "កំពុងចុះបញ្ជី", "en": "Being filed"}, "actor": "markets-office.clerk"}
    states["approved"] = issuing
    last = {"action": "file", "label": {"km": "ចុះបញ្ជី", "en": "File"}, "from": "offered", "to": "approved",
            "roles": ["markets-office.clerk"]} if second_office_last else \
        {"action": "accept", "label": {"km": "ទទួលយក", "en": "Accept"}, "from": "offered", "to": "approved",
         "roles": ["applicant"]}
    data["workflow"]["transitions"] = [
        {"action": "approve", "label": {"km": "អនុម័ត", "en": "Approve"}, "from": "submitted", "to": "offered",
         "roles": ["phnom-penh-capital.clerk"]}, last]
    if issued_by:
        data["outputs"]["permit"]["issued_by"] = issued_by


@pytest.fixture
def root(app, tmp_path):
    root = copy_of_fixture(tmp_path)
    agencies = yaml.safe_load((root / "agencies.yaml").read_text())
    agencies["agencies"].append(SECOND)
    (root / "agencies.yaml").write_text(yaml.safe_dump(agencies, allow_unicode=True, sort_keys=False))
    return root


def _submitted(client, factories):
    trader = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                              national_id="012345678", phone="+85512777888")
    sign_in_as(client, trader)
    client.expected_lang = "en"
    documents_url = journey.fill_steps(client, journey.start(client, "market-stall-permit"), {
        "stall": {"market": "olympic", "stall_number": "B12", "goods": "ក្រណាត់", "months": "៣",
                  "equity_card": "no"},
        "declaration": {"declaration": "y"},
    })
    journey.attach(client, documents_url, "id_card", docfiles.jpeg(), "id.jpg")
    application_url = documents_url.removesuffix("/documents")
    journey.submit(client, application_url)
    return trader, journey.application_for(application_url)


def _issued(app, client, application):
    journey.run_jobs(app)
    permit = db.session.scalar(select(Document).where(Document.application_id == application.id,
                                                      Document.kind == "issued"))
    assert permit is not None
    client.expected_lang = None
    page = client.get(f"/verify/{permit.verification_token}").get_data(as_text=True)
    return permit, document_requests.issuing(permit.id).context, page


@pytest.mark.parametrize("second_office_last", [False, True], ids=["applicant-accepts", "markets-office-files"])
def test_the_officer_who_decided_issues_when_the_last_step_is_the_applicants_or_issued_by_says(
        app, client, factories, root, second_office_last):
    edit_service(app, root, "market-stall-permit",
                 lambda d: _with_offer(d, second_office_last=second_office_last,
                                       issued_by="phnom-penh-capital" if second_office_last else None))
    with services_root(app, root, sync_agencies=True):
        clerk = factories.staff("phnom-penh-capital", "clerk", name_km="កែវ សុភា", name_latin="Keo Sophea")
        filer = factories.staff("markets-office", "clerk", name_km="ចាន់ ដារា", name_latin="Chan Dara")
        trader, application = _submitted(client, factories)
        journey.staff_act(application, clerk, "approve")
        if second_office_last:
            journey.staff_act(application, filer, "file")
        else:
            actions.take_step(versions.definition_for(application), application, trader, "accept",
                              as_applicant=True)
            db.session.commit()
        permit, context, page = _issued(app, client, application)
        assert permit.issuing_agency.slug == "phnom-penh-capital"
        assert "Phnom Penh Capital Administration" in page and "Markets Office" not in page
        assert "Genuine and valid" in page
        assert context["agency_en"] == "Phnom Penh Capital Administration"
        assert context["signer_name_latin"] == "Keo Sophea"
    forget_loaded(app)


def test_without_issued_by_the_last_staff_step_issues(app, client, factories, root):
    edit_service(app, root, "market-stall-permit", lambda d: _with_offer(d, second_office_last=True))
    with services_root(app, root, sync_agencies=True):
        clerk = factories.staff("phnom-penh-capital", "clerk", name_latin="Keo Sophea")
        filer = factories.staff("markets-office", "clerk", name_km="ចាន់ ដារា", name_latin="Chan Dara")
        _trader, application = _submitted(client, factories)
        journey.staff_act(application, clerk, "approve")
        journey.staff_act(application, filer, "file")
        permit, context, page = _issued(app, client, application)
        assert permit.issuing_agency.slug == "markets-office"
        assert context["signer_name_latin"] == "Chan Dara" and "Markets Office" in page
