"""The clerk's case page: who may open it, and every action on it through the web, with its CSRF token."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.data import applications as application_data
from portal.data import documents as document_data
from portal.data.db import db
from portal.data.models import ApplicationEvent
from portal.domain.documents import get_document_store
from tests import docfiles, journey
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, services_fixture, submitted  # noqa: F401 - the `services` fixture

pytestmark = pytest.mark.usefixtures("services")


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")


@pytest.fixture
def clerk(client, factories):
    person = factories.staff(AGENCY, "clerk", name_km="កែវ សុភា", name_latin="Keo Sophea", locale="en")
    sign_in_as(client, person)
    client.expected_lang = "en"
    return person


# A decision that issues a document asks once (portal.web.confirmation); these tests say yes at once.
CONFIRMED = {"confirm": "1"}

def case_url(application) -> str:
    return f"/staff/cases/{application.public_id}?lang=en"


def events(application, action: str) -> int:
    return db.session.scalar(select(func.count(ApplicationEvent.id)).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.action == action))


def reload(application):
    db.session.expire_all()
    return db.session.get(type(application), application.id)


def action_form(action: str) -> str:
    return f"main form[action$='/act/{action}']"


class TestWhoMayOpenACase:
    def test_anonymous_people_are_sent_to_sign_in(self, client, applicant):
        application = submitted(applicant)
        for url in ("/staff/queue", case_url(application)):
            response = client.get(url)
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"]

    def test_a_signed_in_person_without_a_staff_role_gets_not_found(self, client, applicant):
        application = submitted(applicant)
        sign_in_as(client, applicant)
        assert client.get("/staff/queue").status_code == 404
        assert client.get(case_url(application)).status_code == 404

    def test_a_clerk_of_another_agency_gets_not_found_on_the_page_and_every_post(self, client, factories, applicant):
        application = submitted(applicant)
        outsider = factories.staff("moc", "clerk")
        sign_in_as(client, outsider)
        assert client.get(case_url(application)).status_code == 404
        _action, values = client.form_values(client.get("/staff/queue"))
        token = {"csrf_token": values["csrf_token"], "seen_state": "submitted", "seen_assignee": ""}
        base = f"/staff/cases/{application.public_id}"
        for path in ("/act/approve", "/act/reject", "/act/request_info", "/assignment/claim",
                     "/assignment/assign", "/facts/documents_checked", "/payments"):
            assert client.post(base + path, data=token).status_code == 404, path
        assert reload(application).state == "submitted" and not reload(application).paid

    def test_the_case_page_shows_the_case_and_is_never_cached(self, client, clerk, applicant):
        application = submitted(applicant)
        page = client.get(case_url(application))
        assert page.status_code == 200
        assert "no-store" in page.headers["Cache-Control"]
        text = page.soup.get_text(" ", strip=True)
        for expected in (application.reference, "Market stall permit", "Check and approve", "Sok Chanthy",
                         "សុខ ចាន់ធី", "Olympic Market", "B12"):
            assert expected in text
        assert page.soup.select_one(action_form("approve")) is not None

    def test_attached_documents_link_to_a_download_the_clerk_may_read(self, client, clerk, applicant):
        application = submitted(applicant)
        document = get_document_store().add_upload(docfiles.png(), "id.png", created_by=applicant,
                                                   max_bytes=5_000_000, owner_person=applicant)
        application_data.attach(application, "id_card", document.id)
        db.session.commit()
        page = client.get(case_url(application))
        link = page.soup.select_one(f"a[href='/documents/{document.public_id}/view']")
        assert link is not None and link.get_text(strip=True) == "id.png"
        assert client.get(link["href"]).status_code == 200
        download = page.soup.select_one(f"a[href='/documents/{document.public_id}/download']")
        assert client.get(download["href"]).headers["Content-Disposition"].startswith("attachment;")


class TestActions:
    def test_approving_issues_the_permit(self, app, client, clerk, applicant):
        application = submitted(applicant)
        response = client.submit(client.get(case_url(application)), CONFIRMED, selector=action_form("approve"))
        assert response.status_code == 303
        assert reload(application).state == "approved"
        journey.run_jobs(app)
        issued = [d for d in document_data.for_application(application.id) if d.kind == "issued"]
        assert len(issued) == 1 and issued[0].verification_id
        assert events(application, "approve") == 1
        # The clerk still sees the case they approved, without any action left on it.
        after = client.get(case_url(application))
        assert after.status_code == 200 and after.soup.select_one(action_form("approve")) is None

    def test_two_approvals_of_the_same_case_make_one_transition(self, app, client, clerk, applicant):
        application = submitted(applicant)
        page = client.get(case_url(application))
        first = client.submit(page, CONFIRMED, selector=action_form("approve"))
        second = client.submit(page, CONFIRMED, selector=action_form("approve"))
        assert first.status_code == 303
        assert second.status_code == 409
        assert "Someone else acted on this case first" in second.get_data(as_text=True)
        assert events(application, "approve") == 1
        journey.run_jobs(app)
        assert len([d for d in document_data.for_application(application.id) if d.kind == "issued"]) == 1

    def test_rejecting_needs_a_reason(self, client, clerk, applicant):
        application = submitted(applicant)
        page = client.get(case_url(application))
        refused = client.submit(page, {"reason": "", "reason_text": "  "}, selector=action_form("reject"))
        assert refused.status_code == 400
        assert refused.soup.select_one(".error-summary") is not None
        assert reload(application).state == "submitted"
        forged = client.submit(page, {"reason": "no-such-reason"}, selector=action_form("reject"))
        assert forged.status_code == 400
        done = client.submit(page, {"reason": "stall_taken", "reason_text": "តូបនេះជួលរួចហើយ 🙏"},
                             selector=action_form("reject"))
        assert done.status_code == 303
        application = reload(application)
        assert application.state == "rejected"
        note = application.events[-1].note
        assert "The stall is already rented" in note and "តូបនេះជួលរួចហើយ" in note

    def test_asking_for_more_information_opens_only_the_chosen_fields_to_the_applicant(
            self, app, client, clerk, applicant):
        application = submitted(applicant)
        page = client.get(case_url(application))
        nothing_chosen = client.submit(page, {"message": "សូមបញ្ជាក់"}, selector=action_form("request_info"))
        assert nothing_chosen.status_code == 400
        response = client.submit(page, {"editable": ["goods", "id_card"], "message": "សូមបញ្ជាក់ប្រភេទទំនិញ"},
                                 selector=action_form("request_info"))
        assert response.status_code == 303
        application = reload(application)
        assert application.state == "more_info"
        assert sorted(application.editable) == ["goods", "id_card"]
        other = app.test_client()
        sign_in_as(other, applicant)
        url = f"/applications/{application.public_id}"
        assert "សូមបញ្ជាក់ប្រភេទទំនិញ" in other.get(url + "?lang=en").get_data(as_text=True)
        assert other.get(url + "/steps/stall").status_code == 200
        assert other.get(url + "/steps/trader").status_code == 404

    def test_a_guarded_action_is_shown_blocked_until_the_counter_payment_settles_what_is_owed(
            self, client, clerk, applicant, services):
        services.edit(lambda d: d["workflow"]["transitions"][0].update(guards=["paid"]))
        application = submitted(applicant)  # owes 20,000 + 2 months × 150,000 = 320,000 riel
        page = client.get(case_url(application))
        assert page.soup.select_one(action_form("approve")) is None
        assert "not paid" in page.soup.get_text(" ", strip=True)
        assert page.soup.select_one("main form[action$='/facts/paid']") is None  # no tick box any more
        refused = client.post(f"/staff/cases/{application.public_id}/act/approve",
                              data=client.form_values(page, action_form("reject"))[1])
        assert refused.status_code == 303 and reload(application).state == "submitted"
        partial = client.submit(page, {"amount": "300,000", "receipt_number": "A-0001"},
                                selector="main form[action$='/payments']")
        assert partial.status_code == 303, partial.soup.select_one(".error-summary").get_text(" ", strip=True)
        assert not reload(application).paid
        page = client.get(case_url(application))
        assert page.soup.select_one(action_form("approve")) is None
        assert "20,000" in page.soup.select_one("#payment .balance-due").get_text()
        rest = client.submit(page, {"receipt_number": "A-0002"}, selector="main form[action$='/payments']")
        assert rest.status_code == 303 and reload(application).paid
        again = client.get(case_url(application))
        assert client.submit(again, CONFIRMED, selector=action_form("approve")).status_code == 303
        assert reload(application).state == "approved"


class TestAssignment:
    def test_a_clerk_claims_and_releases_a_case_and_a_stale_claim_is_refused(self, client, clerk, applicant):
        application = submitted(applicant)
        page = client.get(case_url(application))
        assert client.submit(page, selector="main form[action$='/assignment/claim']").status_code == 303
        assert reload(application).assignee_id == clerk.id
        assert client.submit(page, selector="main form[action$='/assignment/claim']").status_code == 409
        claimed = client.get(case_url(application))
        assert client.submit(claimed, selector="main form[action$='/assignment/release']").status_code == 303
        assert reload(application).assignee_id is None

    def test_a_case_claimed_by_another_clerk_is_blocked_for_this_one(self, client, clerk, factories, applicant):
        colleague = factories.staff(AGENCY, "clerk")
        application = submitted(applicant, assignee=colleague)
        page = client.get(case_url(application))
        assert page.soup.select_one(action_form("approve")) is None
        assert "assigned to someone else" in page.soup.get_text(" ", strip=True)

    def test_a_supervisor_assigns_a_case_to_a_clerk_of_the_agency(self, client, factories, applicant):
        supervisor = factories.staff(AGENCY, "supervisor", locale="en")
        colleague = factories.staff(AGENCY, "clerk", name_latin="Chea Dara")
        outsider = factories.staff("moc", "clerk")
        sign_in_as(client, supervisor)
        client.expected_lang = "en"
        application = submitted(applicant)
        page = client.get(case_url(application))
        selector = "main form[action$='/assignment/assign']"
        forged = client.submit(page, {"assignee": outsider.public_id}, selector=selector)
        assert forged.status_code == 303 and reload(application).assignee_id is None
        assert client.submit(page, {"assignee": colleague.public_id}, selector=selector).status_code == 303
        assert reload(application).assignee_id == colleague.id


class TestInKhmer:
    def test_a_khmer_speaking_clerk_works_a_case_in_khmer(self, client, factories, applicant):
        clerk = factories.staff(AGENCY, "clerk", locale="km")
        sign_in_as(client, clerk)
        client.expected_lang = "km"
        application = submitted(applicant)
        assert client.get("/staff/queue").status_code == 200
        page = client.get(f"/staff/cases/{application.public_id}")
        assert page.status_code == 200 and "ត្រូវពិនិត្យ និងអនុម័ត" in page.get_data(as_text=True)
        refused = client.submit(page, {"reason": ""}, selector=action_form("reject"))
        assert refused.status_code == 400 and refused.soup.select_one(".error-summary") is not None


def test_the_applicant_sees_that_a_clerk_opened_their_case(client, clerk, applicant):
    application = submitted(applicant)
    client.get(case_url(application))
    sign_in_as(client, applicant)
    page = client.get(f"/applications/{application.public_id}")
    looked = page.get_data(as_text=True)
    assert "Keo Sophea" in looked or "កែវ សុភា" in looked


def test_a_clerk_views_an_attached_image_or_pdf_in_the_browser_and_the_applicant_sees_it(
        client, clerk, applicant):
    application = submitted(applicant)
    store = get_document_store()
    photo = store.add_upload(docfiles.png(), "id.png", created_by=applicant, max_bytes=5_000_000,
                             owner_person=applicant)
    scan = store.add_upload(docfiles.pdf("lease"), "lease.pdf", created_by=applicant, max_bytes=5_000_000,
                            owner_person=applicant)
    application_data.attach(application, "id_card", photo.id)
    application_data.attach(application, "id_card", scan.id)
    db.session.commit()
    page = client.get(case_url(application))
    for document, media_type in ((photo, "image/png"), (scan, "application/pdf")):
        link = page.soup.select_one(f"a[href='/documents/{document.public_id}/view']")
        assert link is not None and link["target"] == "_blank" and "noopener" in link["rel"]
        assert page.soup.select_one(f"a[href='/documents/{document.public_id}/download'][download]") is not None
        shown = client.get(link["href"])
        assert shown.status_code == 200 and shown.mimetype == media_type
        assert shown.headers["Content-Disposition"].startswith("inline;")
        assert "script-src" not in shown.headers["Content-Security-Policy"]
        assert shown.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert shown.headers["Cache-Control"] == "no-store"
    sign_in_as(client, applicant)
    looked = client.get(f"/applications/{application.public_id}?lang=en").soup.get_text(" ", strip=True)
    assert "Keo Sophea" in looked and "Downloaded documents 2 times" in looked  # the image and the PDF


def test_a_role_granted_later_at_another_agency_does_not_open_the_case_to_that_agency(
        client, clerk, applicant, factories):
    from portal.data import agencies

    application = submitted(applicant)
    page = client.get(case_url(application))
    assert client.submit(page, {"body": "checked"}, selector="main form[action$='/notes/internal']").status_code == 303
    assert client.submit(client.get(case_url(application)), {"reason": "stall_taken"},
                         selector=action_form("reject")).status_code == 303
    # The clerk who rejected it is later also given a role at the Ministry of Commerce.
    agencies.grant_role(clerk, agencies.get_by_slug("moc"), "clerk")
    db.session.commit()
    sign_in_as(client, factories.staff("moc", "clerk"))
    assert client.get(case_url(application)).status_code == 404
