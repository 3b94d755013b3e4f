"""What staff see and answer for on a case: the name the application gives (not the account's phone
number), staff records (paid, documents checked, claimed, released, assigned) in the history and the
audit log, the clerk's hand-over for a decision, what the applicant changed after a request for more
information, and a confirmation before a decision that issues a certificate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.data import dashboard
from portal.data.db import db, utcnow
from portal.data.models import ApplicationEvent, DocumentRequest
from portal.web.i18n import khmer_spans
from tests import docfiles, journey
from tests.audit_log import entries
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, SLUG, services_fixture, submitted  # noqa: F401 - the `services` fixture

pytestmark = pytest.mark.usefixtures("services")

STALL = {"market": "olympic", "stall_number": "B12", "goods": "បន្លែ", "months": "2", "equity_card": "no"}
TRADER = {"name_km": "សុខ ចាន់ធី", "name_latin": "Sok Chanthy", "national_id": "012345678"}


@pytest.fixture
def nameless(factories):
    """An account with nothing but a phone number, as many citizens' are."""
    return factories.person(locale="en")


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")


def signed_in(client, person):
    sign_in_as(client, person)
    client.expected_lang = "en"
    return person


def apply_on_the_web(client, person, **answers):
    """`person` fills in and submits the permit application in the browser's way; the submitted row."""
    signed_in(client, person)
    first = journey.start(client, SLUG)
    documents = journey.fill_steps(client, first, {
        "trader": {**TRADER, "phone": "+85512777889", **answers}, "stall": STALL,
        "declaration": {"declaration": "y"}})
    journey.attach(client, documents, "id_card", docfiles.png(), "id.png")
    url = documents.removesuffix("/documents")
    journey.submit(client, url)
    return journey.application_for(url)


def case_url(application) -> str:
    return f"/staff/cases/{application.public_id}?lang=en"


def reload(application):
    db.session.expire_all()
    return db.session.get(type(application), application.id)


def facts(page) -> dict[str, str]:
    return {dt.get_text(" ", strip=True): dd.get_text(" ", strip=True)
            for div in page.soup.select("main dl.facts > div") for dt, dd in [(div.dt, div.dd)]}


def queue_rows(client, **search) -> list:
    page = client.submit(client.get("/staff/queue"), search) if search else client.get("/staff/queue")
    assert page.status_code == 200
    return page.soup.select("main table.queue-table tbody tr")


def post_case_form(client, application, selector: str, data: dict | None = None):
    response = client.submit(client.get(case_url(application)), data or {}, selector=f"main form[action$='{selector}']")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response


class TestTheNameTheApplicationGives:
    def test_the_queue_the_case_and_the_receipt_show_it_and_not_the_accounts_phone_number(
            self, client, factories, nameless):
        application = apply_on_the_web(client, nameless)
        signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
        row, = queue_rows(client)
        assert "Sok Chanthy" in row.get_text() and "សុខ ចាន់ធី" in row.get_text()
        assert nameless.phone not in row.get_text()
        # Its Khmer part takes the portal's Khmer font on an English page too (no boxes without a system font).
        assert row.select_one(".applicant-name [lang=km]").get_text() == "សុខ ចាន់ធី"
        assert facts(client.get(case_url(application)))["Name"] == "សុខ ចាន់ធី Sok Chanthy"
        receipt = db.session.scalar(select(DocumentRequest).where(
            DocumentRequest.application_id == application.id, DocumentRequest.output_id == "receipt"))
        # On the receipt each script has its own line (issue 12, point 14).
        assert receipt.context["applicant_name"] == receipt.holder_name == "សុខ ចាន់ធី"
        assert receipt.context["applicant_name_latin"] == "Sok Chanthy"

    def test_a_search_finds_the_name_typed_in_the_application_in_either_script(self, client, factories, nameless):
        application = apply_on_the_web(client, nameless)
        signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
        for typed in ("chanthy", "SOK CHAN", "ចាន់ធី"):
            rows = queue_rows(client, q=typed)
            assert [r.select_one("a.reference").get_text(strip=True) for r in rows] == [application.reference], typed

    def test_the_application_wins_over_the_profile_when_they_differ(self, client, factories, applicant):
        application = apply_on_the_web(client, applicant, name_km="ស៊ិន ស្រីពៅ", name_latin="Sin Sreypov")
        assert reload(application).applicant_name == "ស៊ិន ស្រីពៅ Sin Sreypov"
        signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
        assert queue_rows(client, q="Chanthy") == []
        assert len(queue_rows(client, q="sreypov")) == 1


class TestStaffRecords:
    def test_marking_claiming_releasing_and_assigning_each_leave_an_event_and_an_audit_entry(
            self, app, client, factories, applicant):
        application = submitted(applicant)
        colleague = factories.staff(AGENCY, "clerk", name_km="កែវ សុភា", name_latin="Keo Sophea", locale="en")
        chief = signed_in(client, factories.staff(AGENCY, "supervisor", name_latin="Chan Dara", locale="en"))
        post_case_form(client, application, "/payments", {"receipt_number": "R-17"})
        post_case_form(client, application, "/facts/documents_checked")
        post_case_form(client, application, "/assignment/claim")
        post_case_form(client, application, "/assignment/release")
        post_case_form(client, application, "/assignment/assign", {"assignee": colleague.public_id})

        recorded = db.session.scalars(select(ApplicationEvent).where(
            ApplicationEvent.application_id == application.id).order_by(ApplicationEvent.id)).all()
        expected = ["case:payment", "case:documents_checked", "case:claim", "case:release", "case:assign"]
        assert [e.action for e in recorded] == ["submit", *expected]
        for event in recorded[1:]:
            assert (event.actor_id, event.actor_role) == (chief.id, f"{AGENCY}.supervisor")
            assert event.from_state == event.to_state == "submitted"
        assert recorded[-1].details == {"assignee": colleague.public_id}
        audited = entries("case_recorded")
        assert [e.details["action"] for e in audited] == expected
        assert all(e.actor_id == chief.id and e.details["agency"] == AGENCY and e.subject_id == application.public_id
                   for e in audited)

        history = client.get(case_url(application)).soup.select("main ol.timeline li.case-record")
        texts = [" ".join(li.get_text(" ", strip=True).split()) for li in history]
        assert len(texts) == 5
        assert texts[0].startswith(
            "Payment recorded : 320,000 ៛, Receipt R-17 ( Chan Dara , Phnom Penh Capital Administration)"), texts[0]
        assert texts[-1].startswith("Assigned the case : កែវ សុភា Keo Sophea ( Chan Dara , Phnom Penh Capital")
        # The supervisor dashboard's "work done" counts workflow steps, not these records.
        assert dashboard.actions_per_day([AGENCY], utcnow() - timedelta(days=1), timedelta(hours=7)) == []
        # The applicant's own history shows the workflow's steps only.
        other = app.test_client()
        signed_in(other, applicant)
        mine = other.get(f"/applications/{application.public_id}").get_data(as_text=True)
        assert "Payment recorded" not in mine and "Claimed" not in mine


@pytest.fixture
def chief_decides(services):
    """The commune-office pattern: the clerk checks (and may ask for more information), only the supervisor
    approves, once paid and checked, or refuses."""
    def chief(data):
        for transition in data["workflow"]["transitions"]:
            if transition["action"] in ("approve", "reject"):
                transition["roles"] = [f"{AGENCY}.supervisor"]
            if transition["action"] == "approve":
                transition["guards"] = ["paid", "documents_checked"]
    services.edit(chief)


class TestReadyForDecision:
    def test_the_clerk_hands_a_checked_case_over_and_the_queue_and_case_say_it_is_ready(
            self, client, factories, applicant, chief_decides):
        application = submitted(applicant)
        waiting = submitted(applicant)
        signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
        page = client.get(case_url(application))
        assert page.soup.select_one("main form[action$='/hand-over']") is None
        assert "Hand over for a decision: not paid, documents not checked" in page.soup.get_text(" ", strip=True)
        post_case_form(client, application, "/payments", {"receipt_number": "R-18"})
        post_case_form(client, application, "/facts/documents_checked")
        post_case_form(client, application, "/hand-over")

        assert reload(application).ready_for_decision and not reload(waiting).ready_for_decision
        assert entries("case_recorded")[-1].details["action"] == "case:hand_over"
        case_page = client.get(case_url(application))
        assert "Checked, ready for decision" in facts(case_page)["Status"]
        assert case_page.soup.select_one("main form[action$='/hand-over']") is None  # once
        by_reference = {r.select_one("a.reference").get_text(strip=True): r for r in queue_rows(client)}
        assert by_reference[application.reference].select_one(".tag-ready").get_text(strip=True) \
            == "Checked, ready for decision"
        assert by_reference[waiting.reference].select_one(".tag-ready") is None
        ready_only = client.get("/staff/queue?state=_ready").soup.select("main tbody a.reference")
        assert [a.get_text(strip=True) for a in ready_only] == [application.reference]

    def test_there_is_no_hand_over_where_the_clerk_decides(self, client, factories, applicant):
        application = submitted(applicant)
        signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
        assert client.get(case_url(application)).soup.select_one("main form[action$='/hand-over']") is None
        token = client.form_values(client.get(case_url(application)), "main form[action$='/act/approve']")[1]
        refused = client.post(f"/staff/cases/{application.public_id}/hand-over",
                              data={"csrf_token": token["csrf_token"], "seen_state": "submitted"})
        assert refused.status_code == 403 and not reload(application).ready_for_decision

    def test_a_step_on_the_case_ends_the_hand_over(self, client, factories, applicant, chief_decides):
        application = submitted(applicant)
        signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
        post_case_form(client, application, "/payments", {"receipt_number": "R-19"})
        for path in ("/facts/documents_checked", "/hand-over"):
            post_case_form(client, application, path)
        post_case_form(client, application, "/act/request_info", {"editable": ["goods"], "message": "សូមបញ្ជាក់"})
        assert not reload(application).ready_for_decision

    def test_after_more_information_the_case_shows_each_changed_answer_before_and_now(
            self, app, client, factories, applicant):
        application = apply_on_the_web(client, applicant)
        clerk = factories.staff(AGENCY, "clerk", locale="en")
        journey.staff_act(application, clerk, "request_info", editable_fields=("goods", "months"),
                          reason_text="សូមបញ្ជាក់ប្រភេទទំនិញ")
        url = f"/applications/{application.public_id}"
        stall = client.get(url + "/steps/stall")
        assert client.submit(stall, {"goods": "បន្លែ និងផ្លែឈើ"}, selector="main form[enctype]").status_code == 302
        client.submit(client.get(url + "/review"), {}, selector="main form[action$='/act/resubmit']")
        assert reload(application).state == "submitted"

        signed_in(client, clerk)
        table = client.get(case_url(application)).soup.select_one("main table.answer-changes")
        rows = [[cell.get_text(" ", strip=True) for cell in tr.select("th, td")] for tr in table.select("tbody tr")]
        assert rows == [["Goods sold", "បន្លែ", "បន្លែ និងផ្លែឈើ"]]  # months was opened but not changed


class TestConfirmingADecisionThatIssuesACertificate:
    def test_approving_asks_once_naming_the_document_and_only_the_second_post_approves(
            self, client, factories, applicant):
        application = submitted(applicant)
        signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
        asked = client.submit(client.get(case_url(application)), selector="main form[action$='/act/approve']")
        assert asked.status_code == 200 and reload(application).state == "submitted"
        consequences = asked.soup.select_one(".confirmation-consequences").get_text(" ", strip=True)
        assert "Market stall permit" in consequences and "cannot be undone" in consequences
        form = asked.soup.select_one("main form.confirmation")
        assert form.select_one("input[name=csrf_token]")["value"]
        assert form.select_one("input[name=seen_state]")["value"] == "submitted"
        assert client.confirm(asked).status_code == 303
        assert reload(application).state == "approved"

    def test_the_confirmation_post_without_a_csrf_token_changes_nothing(self, client, factories, applicant):
        application = submitted(applicant)
        signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
        client.expected_lang = None
        response = client.post(f"/staff/cases/{application.public_id}/act/approve",
                               data={"seen_state": "submitted", "confirm": "1"})
        assert response.status_code == 400 and reload(application).state == "submitted"


def test_a_name_in_both_scripts_marks_its_khmer_part_and_escapes_the_rest():
    assert str(khmer_spans("ស៊ិន ស្រីពៅ Sin <Sreypov>")) == '<span lang="km">ស៊ិន ស្រីពៅ</span> Sin &lt;Sreypov&gt;'
