"""A `file` field (an answer naming a document, not a document requirement) in a definition: its document is
attached to the application, so the clerk sees and opens it under the field's label, closing the account keeps
it with the submitted case, retention takes it with the application, and "download my data" lists it."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.orm import Session

from portal.data import migrate
from portal.data.db import db
from portal.data.models import Application, ApplicationDocument, Blob, Document, Person, ServiceVersion
from portal.domain.documents import get_document_store
from portal.domain.retention import runs
from tests import docfiles, journey
from tests import factories as factory_module
from tests.retention_cases import (  # noqa: F401 - the fixtures
    SLUG,
    STALL,
    age_every_file,
    clerk_fixture,
    own_store_fixture,
    services_fixture,
)
from tests.service_roots import edit_service
from tests.sessions import sign_in_as

PLAN = {"id": "stall_plan", "type": "file", "accept": ["png", "pdf"], "max_mb": 1,
        "label": {"km": "ប្លង់តូប", "en": "Plan of the stall"}}


@pytest.fixture(name="with_plan")
def with_plan_fixture(app, services):
    def add_plan(data):
        stall = next(step for step in data["steps"] if step["id"] == "stall")
        stall["fields"].append(PLAN)
    edit_service(app, services, SLUG, add_plan)
    return services


def started_with_plan(client, person, plan: bytes, name: str = "plan.png") -> str:
    """A draft whose stall step was answered with `plan` uploaded: the application's URL."""
    sign_in_as(client, person)
    client.expected_lang = "en"
    first = journey.start(client, SLUG)
    documents = journey.fill_steps(client, first, {
        "trader": {}, "stall": {**STALL, "stall_plan-upload": (io.BytesIO(plan), name), "stall_plan-existing": ""},
        "declaration": {"declaration": "y"}})
    journey.attach(client, documents, "id_card", docfiles.png((50, 50)), "id.png")
    return documents.removesuffix("/documents")


def field_links(application_id: int) -> list[tuple[str, str]]:
    rows = db.session.execute(select(ApplicationDocument.requirement_id, Document.original_name)
                              .join(Document, Document.id == ApplicationDocument.document_id)
                              .where(ApplicationDocument.application_id == application_id)).all()
    return sorted((requirement, name) for requirement, name in rows if requirement.startswith("field:"))


def a_person(factories, phone: str):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy", national_id="012345678",
                            phone=phone)


def test_the_clerk_sees_and_opens_a_file_fields_document_under_its_label(app, client, factories, with_plan, clerk):
    url = started_with_plan(client, a_person(factories, "+85512500001"), docfiles.png((70, 70)), "plan.png")
    journey.submit(client, url)
    application = journey.application_for(url)
    assert field_links(application.id) == [("field:stall_plan", "plan.png")]
    document = db.session.scalar(select(Document).where(Document.public_id == application.answers["stall_plan"]))

    sign_in_as(client, clerk)
    client.expected_lang = "km"  # the clerk's language
    case = client.get(f"/staff/cases/{application.public_id}")
    assert case.status_code == 200
    text = case.get_data(as_text=True)
    assert "ប្លង់តូប" in text and f"/documents/{document.public_id}/download" in text
    download = client.get(f"/documents/{document.public_id}/download")
    assert download.status_code == 200 and hashlib.sha256(download.data).hexdigest() == document.sha256
    download.close()


def test_a_changed_answer_moves_the_attachment_and_the_link_cannot_be_removed_on_its_own(
        app, client, factories, with_plan):
    person = a_person(factories, "+85512500002")
    url = started_with_plan(client, person, docfiles.png((71, 71)), "first.png")
    application = journey.application_for(url)
    stall = client.get(f"{url}/steps/stall")
    again = client.submit(stall, {"stall_plan-upload": (io.BytesIO(docfiles.pdf("second plan")), "second.pdf"),
                                  "stall_plan-existing": ""},
                          selector="main form[enctype]", content_type="multipart/form-data")
    assert again.status_code == 302
    assert field_links(application.id) == [("field:stall_plan", "second.pdf")]

    document_id = journey.application_for(url).answers["stall_plan"]
    removed = client.post(f"{url}/documents/field:stall_plan/{document_id}/remove",
                          data={"csrf_token": client.csrf_token()})
    assert removed.status_code == 404
    assert field_links(application.id) == [("field:stall_plan", "second.pdf")]


def test_closing_the_account_keeps_the_submitted_cases_file_field_document(app, client, factories, with_plan):
    person = a_person(factories, "+85512500003")
    url = started_with_plan(client, person, docfiles.png((72, 72)))
    journey.submit(client, url)
    application = journey.application_for(url)
    plan_public_id, application_id = application.answers["stall_plan"], application.id
    plan = db.session.scalar(select(Document).where(Document.public_id == plan_public_id))
    plan_id, plan_sha = plan.id, plan.sha256

    sign_in_as(client, person)
    page = client.get("/account/close")
    assert client.submit(page, {"password": factory_module.PASSWORD, "understood": "y"}).status_code == 302

    db.session.expire_all()
    assert db.session.get(Person, person.id).closed_at is not None
    assert db.session.get(Application, application_id).answers["stall_plan"] == plan_public_id
    assert db.session.get(Document, plan_id) is not None and get_document_store().storage.exists(plan_sha)
    assert get_document_store().fsck().healthy


def test_retention_takes_a_file_fields_document_with_its_application(app, client, factories, with_plan, clerk):
    url = started_with_plan(client, a_person(factories, "+85512500004"), docfiles.png((73, 73)))
    journey.submit(client, url)
    application = journey.application_for(url)
    journey.staff_act(application, clerk, "approve")
    journey.run_jobs(app)
    application_id = application.id
    plan = db.session.scalar(select(Document).where(Document.public_id == application.answers["stall_plan"]))
    plan_id, plan_sha = plan.id, plan.sha256
    age_every_file()

    from tests.integration.test_retention import a_year_and_a_day

    dry = runs.run(a_year_and_a_day(), dry_run=True)
    real = runs.run(a_year_and_a_day())
    assert [vars(line) for line in real.lines] == [vars(line) for line in dry.lines]
    db.session.expire_all()
    assert db.session.get(Application, application_id) is None
    assert db.session.get(Document, plan_id) is None and not get_document_store().storage.exists(plan_sha)
    assert get_document_store().fsck().healthy


@pytest.fixture(name="with_conditional_plan")
def with_conditional_plan_fixture(app, services):
    """The plan asked on a step of its own, only of Equity Card holders."""
    def add(data):
        at = [s["id"] for s in data["steps"]].index("stall") + 1
        data["steps"].insert(at, {"id": "equity", "title": {"km": "ប័ណ្ណសមធម៌", "en": "Equity Card"},
                                  "show_when": "equity_card == 'yes'", "fields": [PLAN]})
    edit_service(app, services, SLUG, add)
    return services


def test_a_file_given_for_a_question_no_longer_asked_is_no_part_of_the_application(
        app, client, factories, with_conditional_plan, clerk):
    sign_in_as(client, a_person(factories, "+85512500005"))
    client.expected_lang = "en"
    first = journey.start(client, SLUG)
    documents = journey.fill_steps(client, first, {
        "trader": {}, "stall": {**STALL, "equity_card": "yes"},
        "equity": {"stall_plan-upload": (io.BytesIO(docfiles.png((74, 74))), "card.png"), "stall_plan-existing": ""},
        "declaration": {"declaration": "y"}})
    url = documents.removesuffix("/documents")
    application_id = journey.application_for(url).id
    assert field_links(application_id) == [("field:stall_plan", "card.png")]

    stall = client.get(f"{url}/steps/stall")  # no Equity Card after all: the step with the file is not asked
    assert client.submit(stall, {**STALL, "equity_card": "no"}, selector="main form[enctype]").status_code == 302
    assert field_links(application_id) == []
    journey.attach(client, documents, "id_card", docfiles.png((50, 50)), "id.png")
    journey.submit(client, url)
    application = journey.application_for(url)
    card = application.answers["stall_plan"]  # kept in the answers, should the question come back

    sign_in_as(client, clerk)
    client.expected_lang = "km"
    assert f"/documents/{card}/" not in client.get(f"/staff/cases/{application.public_id}").get_data(as_text=True)
    refused = client.get(f"/documents/{card}/download")
    assert refused.status_code == 404
    refused.close()


@pytest.mark.no_db_transaction
def test_applications_saved_before_0038_get_what_their_file_fields_name_attached(tmp_path):
    """Migration 0038 attaches what saving the answers would have, from the pinned definition's text."""
    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    migrate.upgrade(url, "0037")
    engine = create_engine(url)
    definition = ("slug: s\nsteps:\n  - id: one\n    fields:\n      - {id: plan, type: file}\n"
                  "      - {id: owners, type: group, fields: [{id: photo, type: file}]}\n")
    with Session(engine) as session:
        person = Person(phone="+85512600001", password_hash="x")
        version = ServiceVersion(slug="s", version=1, content_hash="h", definition=definition)
        session.add_all([person, version, Blob(sha256="a" * 64, size=1, media_type="image/png")])
        session.flush()
        plan = Document(sha256="a" * 64, kind="upload", original_name="plan.png", retain_until=date(2040, 1, 1),
                        owner_person_id=person.id)
        session.add(plan)
        session.flush()
        answered = Application(service_version_id=version.id, service_slug="s", applicant_person_id=person.id,
                               answers={"plan": plan.public_id, "photo": plan.public_id})
        unanswered = Application(service_version_id=version.id, service_slug="s", applicant_person_id=person.id,
                                 answers={"plan": "no-such-document"})
        # Retention removed its documents already (the record is kept): a link now would keep the file for ever.
        past_documents = Application(service_version_id=version.id, service_slug="s", applicant_person_id=person.id,
                                     state="approved", closed_at=datetime(2015, 1, 1),
                                     documents_removed_at=datetime(2020, 1, 1), answers={"plan": plan.public_id})
        session.add_all([answered, unanswered, past_documents])
        session.commit()
        ids = answered.id, unanswered.id
    migrate.upgrade(url, "head")
    with engine.connect() as connection:
        links = connection.execute(text("SELECT application_id, requirement_id FROM application_documents")).all()
    engine.dispose()
    assert links == [(ids[0], "field:plan")]


@pytest.mark.parametrize("button", ["save_draft", None])
def test_a_draft_submitted_from_another_tab_while_a_step_is_saved_keeps_its_answers(
        app, client, factories, with_plan, monkeypatch, button):
    """The step page decided what to save for a draft; by the time it saves, another tab has submitted it."""
    from portal.web.applicant import applications as route

    url = started_with_plan(client, a_person(factories, "+85512500006"), docfiles.png((75, 75)))
    application = journey.application_for(url)
    application_id, answers_before = application.id, dict(application.answers)
    checked = route.limits.refusals if button is None else route.builder.relax_for_draft

    def checked_then_another_tab_submits(*args, **kwargs):
        result = checked(*args, **kwargs)
        db.session.execute(update(Application).where(Application.id == application_id)
                           .values(state="submitted", editable=[]).execution_options(synchronize_session=False))
        return result

    monkeypatch.setattr(route.limits if button is None else route.builder, checked.__name__,
                        checked_then_another_tab_submits)
    stall = client.get(f"{url}/steps/stall")
    response = client.submit(stall, {"stall_number": "Z9", **({button: "1"} if button else {})},
                             selector="main form[enctype]")
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "changed while you were saving" in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application_id).answers == answers_before
