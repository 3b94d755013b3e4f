"""Internal notes stay in the back office; messages reach the applicant's application page and inbox."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.data.db import db
from portal.data.models import CaseNote, Notification
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, services_fixture, submitted  # noqa: F401 - the `services` fixture

pytestmark = pytest.mark.usefixtures("services")

SECRET = "Checked the ID card number with the national register: matches."
MESSAGE = "សូមភ្ជាប់រូបថតអត្តសញ្ញាណប័ណ្ណដែលមើលឃើញច្បាស់។ Please attach a clearer photo of your ID card."


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")


@pytest.fixture
def clerk(factories):
    return factories.staff(AGENCY, "clerk", name_km="កែវ សុភា", name_latin="Keo Sophea", locale="en")


def case_url(application) -> str:
    return f"/staff/cases/{application.public_id}?lang=en"


def note_form(kind: str) -> str:
    return f"main form[action$='/notes/{kind}']"


def write(client, application, kind: str, body: str):
    return client.submit(client.get(case_url(application)), {"body": body}, note_form(kind))


def notes(application) -> int:
    return db.session.scalar(select(func.count(CaseNote.id)).where(CaseNote.application_id == application.id))


def test_an_internal_note_is_shown_to_staff_and_never_to_the_applicant(client, clerk, applicant):
    application = submitted(applicant)
    sign_in_as(client, clerk)
    response = write(client, application, "internal", SECRET)
    assert response.status_code == 303
    page = client.get(case_url(application))
    section = page.soup.select_one("#notes").get_text(" ", strip=True)
    assert SECRET in section and "Internal note: not shown to the applicant" in section and "Keo Sophea" in section

    sign_in_as(client, applicant)
    own_page = client.get(f"/applications/{application.public_id}?lang=en")
    assert own_page.status_code == 200 and SECRET not in own_page.text
    assert SECRET not in client.get("/inbox?lang=en").text
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.person_id == applicant.id, Notification.message == "case_message")) == 0


def test_a_message_reaches_the_applicants_page_and_inbox_in_their_language(client, clerk, applicant):
    application = submitted(applicant)
    sign_in_as(client, clerk)
    assert write(client, application, "message", MESSAGE).status_code == 303

    sign_in_as(client, applicant)
    own_page = client.get(f"/applications/{application.public_id}?lang=en")
    messages = own_page.soup.select_one("#messages").find_next("ol").get_text(" ", strip=True)
    assert MESSAGE in messages and "Phnom Penh" in messages
    assert "Keo Sophea" not in messages  # the applicant hears from the office, not a named clerk
    inbox = client.get("/inbox?lang=km").soup.select_one(".inbox").get_text(" ", strip=True)
    assert "សារ" in inbox and application.reference in inbox and MESSAGE in inbox


def test_only_the_office_holding_the_case_may_message_the_applicant(client, factories, applicant):
    application = submitted(applicant)
    earlier = factories.staff("moc", "clerk", locale="en")
    # A clerk of the Ministry acted on the case earlier, so they may still open it and write notes.
    from portal.data import applications as application_data
    application_data.add_event(application, actor_id=earlier.id, actor_role="moc.clerk", action="forward",
                               from_state="submitted", to_state="submitted")
    db.session.commit()
    sign_in_as(client, earlier)
    page = client.get(case_url(application))
    assert page.status_code == 200
    assert page.soup.select_one(note_form("internal")) is not None
    assert page.soup.select_one(note_form("message")) is None
    _action, values = client.form_values(page, note_form("internal"))
    refused = client.post(f"/staff/cases/{application.public_id}/notes/message",
                          data={"csrf_token": values["csrf_token"], "body": "hello"})
    assert refused.status_code == 403 and notes(application) == 0


def test_an_empty_or_too_long_note_is_refused_with_a_message_and_nothing_saved(client, clerk, applicant):
    application = submitted(applicant)
    sign_in_as(client, clerk)
    empty = write(client, application, "internal", "   ")
    assert empty.status_code == 400 and "Write something before you send it." in empty.text
    long = write(client, application, "message", "ក" * 2001)
    assert long.status_code == 400 and "Write at most 2000 characters." in long.text
    assert notes(application) == 0


def test_a_note_without_a_csrf_token_is_refused(client, clerk, applicant):
    application = submitted(applicant)
    sign_in_as(client, clerk)
    response = client.post(f"/staff/cases/{application.public_id}/notes/internal", data={"body": SECRET})
    assert response.status_code == 400 and notes(application) == 0


def test_staff_of_another_office_and_applicants_get_not_found(client, factories, applicant):
    application = submitted(applicant)
    for visitor in (factories.staff("moc", "clerk"), applicant):
        sign_in_as(client, visitor)
        page = client.get("/applications?lang=en")
        _action, values = client.form_values(page, "header form")
        for kind in ("internal", "message", "other"):
            response = client.post(f"/staff/cases/{application.public_id}/notes/{kind}",
                                   data={"csrf_token": values["csrf_token"], "body": SECRET})
            assert response.status_code == 404, (visitor, kind)
    assert notes(application) == 0


def test_a_refused_internal_note_never_lands_in_the_message_box(client, clerk, applicant):
    application = submitted(applicant)
    sign_in_as(client, clerk)
    refused = write(client, application, "internal", SECRET + "x" * 2000)
    assert refused.status_code == 400
    assert SECRET in refused.soup.select_one(f"{note_form('internal')} textarea").get_text()
    assert SECRET not in refused.soup.select_one(f"{note_form('message')} textarea").get_text()
