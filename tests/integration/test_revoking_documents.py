"""An issued document is revoked, or superseded by a corrected one: by a supervisor of the agency that issued it
(from the case page) or by an operator (`flask documents`); the holder is told and /verify says so."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
import yaml
from sqlalchemy import select

from portal.data import applications as application_data
from portal.data import document_requests, notifications, people
from portal.data.db import db
from portal.data.models import AuditEntry, Document, DocumentRequest, NotificationDelivery
from portal.domain.documents import get_document_store
from portal.domain.rendering.jobs import issue_document
from tests import journey
from tests.integration.test_notifications import files
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, services_fixture, submitted  # noqa: F401 - the `services` fixture

pytestmark = pytest.mark.usefixtures("services")

REASON = "ឈ្មោះម្ចាស់តូបសរសេរខុស / the trader's name was misspelt"


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy",
                            email="chanthy@example.com", phone="+85512555111")


@pytest.fixture
def issued(app, factories, applicant):
    """A case approved by a clerk of AGENCY and its permit issued by a real worker."""
    application = submitted(applicant)
    journey.staff_act(application, factories.staff(AGENCY, "clerk"), "approve")
    settle(app)
    (document,) = permits(application)
    assert document.issuing_agency.slug == AGENCY and document.status == "active"
    return application, document


def settle(app):
    """Run jobs until none is left (the issuing job schedules the "document issued" messages)."""
    journey.run_jobs(app)
    journey.run_jobs(app)


def permits(application) -> list[Document]:
    db.session.expire_all()
    return list(db.session.scalars(select(Document).where(
        Document.application_id == application.id, Document.kind == "issued").order_by(Document.id)))


def signed_in(client, person):
    """`person` signed in, reading English (their saved choice)."""
    people.set_locale(person, "en")
    db.session.commit()
    sign_in_as(client, person)
    client.expected_lang = "en"
    return person


def case_page(client, application):
    page = client.get(f"/staff/cases/{application.public_id}?lang=en")
    assert page.status_code == 200
    return page


def revoke_form(document) -> str:
    return f"main form[action$='/documents/{document.public_id}/revoke']"


def supersede_form(document) -> str:
    return f"main form[action$='/documents/{document.public_id}/supersede']"


def revoke_url(application, document, what: str = "revoke") -> str:
    return f"/staff/cases/{application.public_id}/documents/{document.public_id}/{what}"


def refused(client, application, document, whats=("revoke", "supersede")) -> set[int]:
    """The case page shows this person no button for the document, and the POSTs the buttons would send
    (with the session's CSRF token) get these statuses."""
    page = case_page(client, application)
    assert page.soup.select_one(revoke_form(document)) is None
    assert page.soup.select_one(supersede_form(document)) is None
    token = client.form_values(page, "form.language-switch")[1]["csrf_token"]
    return {client.post(revoke_url(application, document, what),
                        data={"csrf_token": token, "category": "other", "reason": REASON}).status_code
            for what in whats}


def verify(client, document):
    client.expected_lang = None
    response = client.get(f"/verify/{document.verification_token}")
    return response, response.soup.select_one(".verdict").get_text(" ", strip=True)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def reload(document) -> Document:
    db.session.expire_all()
    return db.session.get(Document, document.id)


class TestRevokingFromTheCasePage:
    def test_a_supervisor_of_the_issuing_agency_revokes_and_verify_says_revoked(self, client, factories, issued):
        application, document = issued
        supervisor = signed_in(client, factories.staff(AGENCY, "supervisor", name_latin="Chea Vuthy"))
        page = case_page(client, application)
        response = client.submit(page, {"category": "details_incorrect", "reason": REASON},
                                 selector=revoke_form(document))
        assert response.status_code == 303
        document = reload(document)
        assert (document.status, document.revoked_by_id, document.revocation_category, document.revocation_reason) \
            == ("revoked", supervisor.id, "details_incorrect", REASON)
        assert document.revoked_at is not None
        (entry,) = audit_entries("document_revoked")
        assert (entry.actor_id, entry.actor_role, entry.subject_id, entry.application_id) == (
            supervisor.id, f"{AGENCY}.supervisor", document.public_id, application.id)
        # The audit log keeps codes: the supervisor's words may name people.
        assert entry.details == {"category": "details_incorrect", "agency": AGENCY}
        after = case_page(client, application).soup.select_one(".issued-document").get_text(" ", strip=True)
        assert "Revoked" in after and REASON in after and "Chea Vuthy" in after and "The details on it" in after
        assert case_page(client, application).soup.select_one(revoke_form(document)) is None
        checked, verdict = verify(client, document)
        assert "revoked" in verdict and "Reason: The details on it were wrong" in verdict
        assert "Revoked on" in verdict
        # The reason in the supervisor's own words never reaches the public page.
        assert "misspelt" not in checked.get_data(as_text=True)

    def test_the_holder_is_told_by_inbox_email_and_sms_in_their_language(self, app, client, factories, issued,
                                                                         applicant):
        application, document = issued
        signed_in(client, factories.staff(AGENCY, "supervisor"))
        mails, texts = files(app, "mail"), files(app, "sms")
        client.submit(case_page(client, application), {"category": "issued_in_error", "reason": REASON},
                      selector=revoke_form(document))
        (message,) = [n for n in notifications.inbox(applicant.id) if n.message == "document_revoked"]
        assert message.params["category"] == {"km": "ចេញដោយច្រឡំ", "en": "Issued in error"}
        assert {d.channel for d in db.session.scalars(select(NotificationDelivery).where(
            NotificationDelivery.notification_id == message.id))} == {"email", "sms"}
        journey.run_jobs(app)
        (mail,) = files(app, "mail") - mails
        email = message_from_bytes(mail.read_bytes(), policy=policy.default)
        assert email["To"] == "chanthy@example.com"
        assert email["Subject"] == "Your Market stall permit has been revoked"
        assert "Reason: Issued in error" in email.get_content() and "misspelt" in email.get_content()
        (text,) = files(app, "sms") - texts
        assert "Market stall permit has been revoked" in text.read_text() and "misspelt" not in text.read_text()

    def test_a_khmer_reader_is_told_in_khmer(self, app, client, factories, applicant):
        khmer = factories.person(locale="km", email="dara@example.com")
        application = submitted(khmer)
        journey.staff_act(application, factories.staff(AGENCY, "clerk"), "approve")
        settle(app)
        (document,) = permits(application)
        signed_in(client, factories.staff(AGENCY, "supervisor"))
        mails = files(app, "mail")
        client.submit(case_page(client, application), {"category": "issued_in_error", "reason": REASON},
                      selector=revoke_form(document))
        journey.run_jobs(app)
        (mail,) = files(app, "mail") - mails
        email = message_from_bytes(mail.read_bytes(), policy=policy.default)
        assert "លិខិតអនុញ្ញាតតូបលក់ដូរ" in email["Subject"] and "Market stall permit" not in email["Subject"]
        assert "ចេញដោយច្រឡំ" in email.get_content()

    @pytest.mark.parametrize(("category", "reason"), [("details_incorrect", "  "), ("", REASON),
                                                       ("made-up", REASON), ("details_incorrect", "ក" * 501)])
    def test_a_reason_is_required_chosen_from_the_list_and_not_too_long(self, client, factories, issued,
                                                                         category, reason):
        application, document = issued
        signed_in(client, factories.staff(AGENCY, "supervisor"))
        response = client.submit(case_page(client, application), {"category": category, "reason": reason},
                                 selector=revoke_form(document))
        assert response.status_code == 400
        assert response.soup.select_one(".error-summary") is not None
        assert reload(document).status == "active" and not audit_entries("document_revoked")

    def test_a_stale_form_for_a_document_already_revoked_gets_409_and_a_message(self, client, factories, issued):
        application, document = issued
        signed_in(client, factories.staff(AGENCY, "supervisor"))
        page = case_page(client, application)
        first = client.submit(page, {"category": "other", "reason": REASON}, selector=revoke_form(document))
        second = client.submit(page, {"category": "issued_in_error", "reason": "again"}, selector=revoke_form(document))
        assert first.status_code == 303 and second.status_code == 409
        assert "already revoked" in second.soup.get_text(" ", strip=True)
        assert reload(document).revocation_category == "other" and len(audit_entries("document_revoked")) == 1
        superseding = client.submit(page, selector=supersede_form(document))
        assert superseding.status_code == 409

    def test_a_clerk_of_the_issuing_agency_sees_no_buttons_and_is_refused(self, client, factories, issued):
        application, document = issued
        signed_in(client, factories.staff(AGENCY, "clerk"))
        assert refused(client, application, document) == {403}
        assert reload(document).status == "active" and not permits(application)[1:]
        assert not audit_entries("document_correction_requested")

    def test_a_supervisor_of_an_agency_that_handled_the_case_but_did_not_issue_it_is_refused(
            self, client, factories, issued):
        application, document = issued
        # Another agency acted on the case before (as the event records it), so its staff may read it.
        earlier = factories.staff("moc", "clerk")
        application_data.add_event(application, actor_id=earlier.id, actor_role="moc.clerk", action="recommend",
                                   from_state="submitted", to_state="submitted")
        db.session.commit()
        signed_in(client, factories.staff("moc", "supervisor"))
        assert refused(client, application, document) == {403}
        assert reload(document).status == "active"

    def test_the_office_that_took_the_issuing_step_is_the_issuing_agency_not_the_next_one(
            self, app, client, factories, services, applicant):
        """The permit is issued as the case moves on to the Ministry of Commerce's queue: Commerce holds the
        case now and may read it, but the permit is AGENCY's, and so is revoking it."""
        agencies = yaml.safe_load((services.root / "agencies.yaml").read_text())
        agencies["agencies"].append({"slug": "moc", "kind": "ministry",
                                     "name": {"km": "ក្រសួងពាណិជ្ជកម្ម", "en": "Ministry of Commerce"}})
        (services.root / "agencies.yaml").write_text(yaml.safe_dump(agencies, allow_unicode=True))

        def handover(data):
            data["agencies"].append("moc")
            states = data["workflow"]["states"]
            states["approved"].pop("issue")
            states["handover"] = {"label": {"km": "បានបញ្ជូនទៅក្រសួង", "en": "With the Ministry"},
                                  "actor": "moc.clerk", "issue": ["permit"]}
            data["workflow"]["transitions"][0]["to"] = "handover"
            data["workflow"]["transitions"].append(
                {"action": "file", "label": {"km": "តម្កល់", "en": "File it"}, "from": "handover",
                 "to": "approved", "roles": ["moc.clerk"]})
        services.edit(handover)
        application = submitted(applicant)
        journey.staff_act(application, factories.staff(AGENCY, "clerk"), "approve")
        settle(app)
        (document,) = permits(application)
        assert application.current_agency == "moc" and document.issuing_agency.slug == AGENCY
        signed_in(client, factories.staff("moc", "supervisor"))
        assert refused(client, application, document) == {403}
        assert reload(document).status == "active"
        signed_in(client, factories.staff(AGENCY, "supervisor"))
        done = client.submit(case_page(client, application), {"category": "other", "reason": REASON},
                             selector=revoke_form(document))
        assert done.status_code == 303 and reload(document).status == "revoked"

    def test_a_supervisor_of_an_agency_that_never_handled_the_case_gets_not_found(self, client, factories, issued):
        application, document = issued
        signed_in(client, factories.staff("moc", "supervisor"))
        token = client.form_values(client.get("/staff/queue"), "form.language-switch")[1]["csrf_token"]
        for what in ("revoke", "supersede"):
            refused = client.post(revoke_url(application, document, what),
                                  data={"csrf_token": token, "category": "other", "reason": REASON})
            assert refused.status_code == 404, what
        assert reload(document).status == "active"

    def test_a_post_without_its_csrf_token_is_refused(self, client, factories, issued):
        application, document = issued
        signed_in(client, factories.staff(AGENCY, "supervisor"))
        refused = client.post(revoke_url(application, document), data={"category": "other", "reason": REASON})
        assert refused.status_code == 400 and reload(document).status == "active"


class TestSuperseding:
    def test_a_supervisor_issues_a_corrected_document_on_the_worker_and_the_old_one_is_superseded(
            self, app, client, factories, issued, applicant):
        application, old = issued
        # A correction made to the data (through the workflow, e.g. a request for information): the new
        # document is rendered from the application as it is now.
        application.answers = {**application.answers, "stall_number": "C7"}
        db.session.commit()
        signed_in(client, factories.staff(AGENCY, "supervisor"))
        page = case_page(client, application)
        assert client.submit(page, selector=supersede_form(old)).status_code == 303
        # Until the worker has issued the new one, the old one stays valid, and asking again is refused.
        assert reload(old).status == "active" and len(permits(application)) == 1
        waiting = case_page(client, application)
        assert "A corrected version is being made" in waiting.soup.select_one(".issued-document").get_text()
        assert waiting.soup.select_one(supersede_form(old)) is None
        assert client.submit(page, selector=supersede_form(old)).status_code == 409

        journey.run_jobs(app)
        old, new = permits(application)
        assert (old.status, old.superseded_by_id, new.status) == ("superseded", new.id, "active")
        assert new.issuing_agency.slug == AGENCY and new.verification_token != old.verification_token
        assert document_requests.issuing(new.id).context["stall_number"] == "C7"
        assert get_document_store().read(new).startswith(b"%PDF")
        requested, superseded = audit_entries("document_correction_requested"), audit_entries("document_superseded")
        assert [(e.actor_role, e.subject_id) for e in requested] == [(f"{AGENCY}.supervisor", old.public_id)]
        assert [(e.actor_role, e.subject_id, e.details) for e in superseded] == [
            ("system", old.public_id, {"by": new.public_id})]
        # The holder is told once, and has the new one in My documents; the old one is marked.
        told = [n.message for n in notifications.inbox(applicant.id)]
        assert told.count("document_replaced") == 1 and told.count("document_issued") == 1  # the first issue
        mine = client.application.test_client()
        sign_in_as(mine, applicant)
        listed = mine.get("/documents?lang=en").get_data(as_text=True)
        assert new.public_id in listed and old.public_id in listed and "Replaced by a newer version" in listed
        # The old QR code says a newer version exists, and when, but not where.
        checked, verdict = verify(client, old)
        assert "newer version" in verdict and "Ask the holder" in verdict
        assert new.verification_token not in checked.get_data(as_text=True)
        assert new.public_id not in checked.get_data(as_text=True)
        assert "Genuine and valid" in verify(client, new)[1]

    def test_the_corrected_document_is_issued_once_however_often_its_job_runs(self, app, client, factories, issued):
        application, old = issued
        signed_in(client, factories.staff(AGENCY, "supervisor"))
        client.submit(case_page(client, application), selector=supersede_form(old))
        journey.run_jobs(app)
        (request_id,) = db.session.scalars(select(DocumentRequest.id).where(
            DocumentRequest.replaces_document_id == old.id))
        with app.app_context():
            issue_document(request_id)
        assert len(permits(application)) == 2 and len(audit_entries("document_superseded")) == 1

    def test_a_document_revoked_while_its_correction_is_being_made_stays_revoked(self, app, client, factories,
                                                                                 issued):
        application, old = issued
        signed_in(client, factories.staff(AGENCY, "supervisor"))
        page = case_page(client, application)
        client.submit(page, selector=supersede_form(old))
        client.submit(case_page(client, application), {"category": "issued_in_error", "reason": REASON},
                      selector=revoke_form(old))
        journey.run_jobs(app)
        old, new = permits(application)
        assert (old.status, old.superseded_by_id, new.status) == ("revoked", None, "active")


class TestTheCommandLine:
    def run(self, app, *args):
        result = app.test_cli_runner().invoke(args=["documents", *args])
        db.session.expire_all()
        return result

    def test_an_operator_revokes_a_document_and_it_is_audited_as_the_operator(self, app, client, issued,
                                                                              applicant):
        application, document = issued
        result = self.run(app, "revoke", document.public_id, "--reason", REASON, "--category", "not_entitled")
        assert result.exit_code == 0, result.output
        assert "revoked" in result.output
        document = reload(document)
        assert (document.status, document.revoked_by_id, document.revocation_category) == (
            "revoked", None, "not_entitled")
        (entry,) = audit_entries("document_revoked")
        assert (entry.actor_id, entry.actor_role) == (None, "operator")
        assert "document_revoked" in [n.message for n in notifications.inbox(applicant.id)]
        assert "revoked" in verify(client, document)[1]

    def test_unknown_ids_and_documents_already_revoked_get_a_one_line_error(self, app, issued):
        _application, document = issued
        unknown = self.run(app, "revoke", "no-such-document", "--reason", REASON)
        assert unknown.exit_code == 1 and unknown.output.strip() == "Error: no document 'no-such-document'"
        assert self.run(app, "revoke", document.public_id, "--reason", REASON).exit_code == 0
        again = self.run(app, "revoke", document.public_id, "--reason", REASON)
        assert again.exit_code == 1
        assert again.output.strip() == f"Error: document {document.public_id} is already revoked"
        empty = self.run(app, "supersede", document.public_id)
        assert empty.exit_code == 1 and "already revoked" in empty.output
        assert len(audit_entries("document_revoked")) == 1

    def test_a_reason_is_required_and_limited(self, app, issued):
        _application, document = issued
        assert self.run(app, "revoke", document.public_id, "--reason", " ").output.strip() == \
            "Error: a reason is required"
        assert "longer than 500" in self.run(app, "revoke", document.public_id, "--reason", "x" * 501).output
        assert reload(document).status == "active"

    def test_an_operator_supersedes_a_document_and_a_worker_issues_the_correction(self, app, issued):
        application, old = issued
        result = self.run(app, "supersede", old.public_id)
        assert result.exit_code == 0, result.output
        journey.run_jobs(app)
        old, new = permits(application)
        assert (old.status, old.superseded_by_id) == ("superseded", new.id)
        (entry,) = audit_entries("document_correction_requested")
        assert entry.actor_role == "operator"
