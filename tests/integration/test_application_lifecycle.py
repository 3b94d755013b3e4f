"""Versions, retirement, requests for more information, withdrawal, and whose applications
are whose, on a copy of the YAML-only fixture service that a test may change."""

from __future__ import annotations

import pytest

from tests import docfiles, journey
from tests.service_roots import copy_of_fixture, edit_service, services_root
from tests.sessions import sign_in_as

SLUG = "market-stall-permit"
STALL = {"market": "olympic", "stall_number": "B12", "goods": "បន្លែ", "months": "2", "equity_card": "no"}
MORE_INFO = {
    "states": {"more_info": {"label": {"km": "ត្រូវការព័ត៌មានបន្ថែម", "en": "More information needed"},
                             "actor": "applicant"}},
    "transitions": [
        {"action": "request_info", "label": {"km": "ស្នើសុំព័ត៌មានបន្ថែម", "en": "Ask for more information"},
         "from": "submitted", "to": "more_info", "roles": ["phnom-penh-capital.clerk"], "request_info": True},
        {"action": "resubmit", "label": {"km": "ផ្ញើចម្លើយ", "en": "Send my answers"},
         "from": "more_info", "to": "submitted", "roles": ["applicant"]},
    ],
}


@pytest.fixture
def services(app, tmp_path):
    with services_root(app, copy_of_fixture(tmp_path), sync_agencies=True) as root:
        yield root


def change(app, root, edit):
    edit_service(app, root, SLUG, edit)


def add_more_info(data):
    data["workflow"]["states"].update(MORE_INFO["states"])
    data["workflow"]["transitions"] += MORE_INFO["transitions"]


def draft(client):
    first = journey.start(client, SLUG)
    documents = journey.fill_steps(client, first, {"stall": STALL, "declaration": {"declaration": "y"}})
    journey.attach(client, documents, "id_card", docfiles.png(), "id.png")
    return documents.removesuffix("/documents")


class TestVersions:
    def test_an_application_keeps_the_version_it_started_on(self, app, client, trader, services):
        url = draft(client)
        change(app, services, lambda d: (d.update(version=2), d["steps"][1]["fields"].append(
            {"id": "stall_size", "type": "integer", "required": True,
             "label": {"km": "ទំហំតូប", "en": "Stall size (m²)"}})))
        journey.submit(client, url)
        application = journey.application_for(url)
        assert application.state == "submitted"
        assert application.service_version.version == 1
        assert "stall_size" not in application.answers
        new_step = client.get(journey.start(client, SLUG).replace("/trader", "/stall"))
        assert new_step.soup.select_one("[name=stall_size]") is not None

    def test_a_retired_service_takes_no_new_applications_but_its_applications_go_on(
            self, app, client, trader, services):
        url = draft(client)
        change(app, services, lambda d: d.update(status="retired"))
        assert client.get(f"/services/{SLUG}/start").status_code == 404
        assert "no longer takes new applications" in client.get(f"/services/{SLUG}").get_data(as_text=True)
        journey.submit(client, url)
        assert journey.application_for(url).state == "submitted"


class TestMoreInformation:
    def test_the_applicant_changes_only_what_the_clerk_opened(self, app, client, trader, services, factories):
        change(app, services, add_more_info)
        url = draft(client)
        journey.submit(client, url)
        application = journey.application_for(url)
        clerk = factories.staff("phnom-penh-capital", "clerk")
        journey.staff_act(application, clerk, "request_info", editable_fields=("goods",),
                          note="សូមបញ្ជាក់ប្រភេទបន្លែ")
        page = client.get(url)
        assert "asks you for more information" in page.get_data(as_text=True)
        assert client.get(url + "/steps/trader").status_code == 404
        stall = client.get(url + "/steps/stall")
        response = client.submit(stall, {"goods": "បន្លែ និងផ្លែឈើ", "months": "9"}, selector="main form[enctype]")
        assert response.status_code == 302
        application = journey.application_for(url)
        assert application.answers["goods"] == "បន្លែ និងផ្លែឈើ"
        assert application.answers["months"] == 2  # not opened: unchanged
        review = client.get(url + "/review")
        client.submit(review, {}, selector="main form[action$='/act/resubmit']")
        application = journey.application_for(url)
        assert application.state == "submitted" and application.editable == []


class TestWithdrawing:
    def test_a_submitted_application_can_be_withdrawn(self, client, trader, services):
        url = draft(client)
        journey.submit(client, url)
        asked = client.submit(client.get(url), {}, selector="main form[action$='/act/withdraw']")
        assert journey.application_for(url).state == "submitted"  # asked first, once
        assert "cannot be undone" in asked.soup.select_one(".confirmation-consequences").get_text()
        client.confirm(asked)
        application = journey.application_for(url)
        assert application.state == "withdrawn"
        assert "Withdrawn" in client.get(url).soup.select_one(".facts").get_text()

    def test_a_draft_can_be_deleted(self, client, trader, services):
        url = draft(client)
        asked = client.submit(client.get(url), {}, selector="main form[action$='/act/withdraw']")
        assert journey.application_for(url) is not None  # asked first, once
        assert asked.soup.select_one("main form.confirmation input[name=csrf_token]") is not None
        client.confirm(asked)
        assert journey.application_for(url) is None


class TestWhoseApplications:
    def test_another_person_gets_404_on_every_application_page(self, client, trader, services, factories):
        url = draft(client)
        sign_in_as(client, factories.person())
        client.expected_lang = None
        for path in ("", "/review", "/documents", "/steps/stall"):
            assert client.get(url + path).status_code == 404, path
        token = client.csrf_token()
        for path in ("/submit", "/act/withdraw"):
            assert client.post(url + path, data={"csrf_token": token}).status_code == 404, path
        assert journey.application_for(url).state == "draft"

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, trader, services):
        url = draft(client)
        client.delete_cookie("session")
        assert client.get(url).status_code == 302


class TestStaffReadingDocuments:
    def test_staff_of_the_handling_agency_may_read_an_applications_documents_others_may_not(
            self, client, trader, services, factories):
        url = draft(client)
        journey.submit(client, url)
        application = journey.application_for(url)
        document = application.attachments[0].document
        download = f"/documents/{document.public_id}/download"
        client.expected_lang = None
        sign_in_as(client, factories.staff("phnom-penh-capital", "clerk"))
        assert client.get(download).status_code == 200
        sign_in_as(client, factories.staff("moc", "clerk"))
        assert client.get(download).status_code == 404
        sign_in_as(client, factories.person())
        assert client.get(download).status_code == 404

    def test_a_draft_does_not_open_documents_to_staff(self, client, trader, services, factories):
        url = draft(client)
        document = journey.application_for(url).attachments[0].document
        client.expected_lang = None
        sign_in_as(client, factories.staff("phnom-penh-capital", "clerk"))
        assert client.get(f"/documents/{document.public_id}/download").status_code == 404
