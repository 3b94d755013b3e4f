"""Issue 17: a business's software files an application end to end through the API with a token: a draft, every
step answered (checked exactly as the step's page checks it), the documents attached (the same upload checks),
submitted once however often the POST is retried with its Idempotency-Key, then read back.

Every service a business applies for is filed with its own sample answers (`<slug>/samples.yaml`, the same
ones the web walk uses), so the monthly tax return is filed here without this file naming any service."""

from __future__ import annotations

import io
import uuid

import pytest
import yaml
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from portal.data.db import db
from portal.data.models import Application, ApplicationEvent, Document
from portal.domain import api_tokens
from portal.domain.catalogue import get_catalogue
from portal.domain.catalogue.samples import samples_path
from portal.paths import PROJECT_ROOT
from portal.web.api import PREFIX
from tests import docfiles, journey
from tests.integration.test_api_document import document

ROOT = PROJECT_ROOT / "services"


def _samples(service) -> dict:
    return yaml.safe_load(samples_path(ROOT, service).read_text(encoding="utf-8"))


def business_services() -> list[str]:
    """Every live service whose samples apply as a business (read when the tests are collected)."""
    from portal.domain.catalogue import load_catalogue

    catalogue = load_catalogue(ROOT)
    return [service.slug for service in catalogue.live() if service.takes_applications
            and "business" in service.audience and samples_path(ROOT, service).is_file()
            and yaml.safe_load(samples_path(ROOT, service).read_text(encoding="utf-8"))["applicant"] == "business"]


class Filer:
    """A business, its owner, and a token that reads and files."""

    def __init__(self, factories, email: str = "owner@example.com", phone: str = "+85512770001"):
        # Services prefill the contact details from the profile, as their pages do.
        self.owner = factories.person(email=email, phone=phone, name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")
        self.organisation = factories.business(owner=self.owner, name_km="ហាងលក់គ្រឿងទេសស្រីស្រស់",
                                               name_en="Srey Sros Spice Shop", tax_id="K001-901234567")
        self.secret = api_tokens.make(self.organisation, self.owner, "Books", ("read", "file"), 30).secret
        db.session.commit()

    def headers(self, language: str = "en", key: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.secret}", "Accept-Language": language}
        return {**headers, "Idempotency-Key": key} if key else headers


@pytest.fixture
def filer(factories):
    return Filer(factories)


def _validates(client, body: dict, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document(client)["components"]}
    assert list(Draft202012Validator(schema).iter_errors(body)) == []


def _applications() -> int:
    return db.session.scalar(select(func.count()).select_from(Application))


def _file(requirement: str, kind: str) -> tuple[bytes, str]:
    if kind == "pdf":
        return docfiles.pdf(requirement), f"{requirement}.pdf"
    return docfiles.jpeg((480, 600)), f"{requirement}.jpg"  # large enough for a photo


def _answer_every_step(client, filer, draft: dict, samples: dict) -> dict:
    """Each visible step in turn, with the samples' answers (a step may appear once an earlier one is answered)."""
    answered: set[str] = set()
    while True:
        step = next((s["id"] for s in draft["steps"] if s["id"] not in answered), None)
        if step is None:
            return draft
        answer = client.put(f"{PREFIX}/applications/{draft['id']}/steps/{step}", headers=filer.headers(),
                            json=samples["steps"].get(step) or {})
        assert answer.status_code == 200, (step, answer.json)
        answered.add(step)
        draft = answer.json


@pytest.mark.parametrize("slug", business_services())
def test_a_business_files_its_application_end_to_end_through_the_api(app, client, factories, filer, slug):
    samples = _samples(get_catalogue().get(slug))
    before = _applications()
    create_key = str(uuid.uuid4())
    created = client.post(f"{PREFIX}/applications", headers=filer.headers(key=create_key), json={"service": slug})
    assert created.status_code == 201, created.json
    _validates(client, created.json, "Draft")
    again = client.post(f"{PREFIX}/applications", headers=filer.headers(key=create_key), json={"service": slug})
    assert (again.status_code, again.json, again.headers["Idempotent-Replayed"]) == (201, created.json, "true")
    assert again.headers["Location"] == created.headers["Location"]
    assert _applications() == before + 1  # the retried POST made no second draft

    draft = _answer_every_step(client, filer, created.json, samples)
    for requirement, kind in (samples.get("documents") or {}).items():
        data, name = _file(requirement, kind)
        attached = client.post(f"{PREFIX}/applications/{draft['id']}/documents", headers=filer.headers(),
                               data={"requirement": requirement, "file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        assert attached.status_code == 201, attached.json
        draft = attached.json
    assert draft["missing"] == []
    _validates(client, draft, "Draft")

    submit_key = str(uuid.uuid4())
    submitted = client.post(f"{PREFIX}/applications/{draft['id']}/submit", headers=filer.headers(key=submit_key))
    assert submitted.status_code == 200, submitted.json
    service = get_catalogue().get(slug)
    assert submitted.json["state"] == service.workflow.start and submitted.json["reference"]
    retried = client.post(f"{PREFIX}/applications/{draft['id']}/submit", headers=filer.headers(key=submit_key))
    assert (retried.status_code, retried.json) == (200, submitted.json)
    assert retried.headers["Idempotent-Replayed"] == "true"
    unkeyed = client.post(f"{PREFIX}/applications/{draft['id']}/submit", headers=filer.headers())
    assert (unkeyed.status_code, unkeyed.mimetype) == (409, "application/problem+json")

    application = db.session.scalar(select(Application).where(Application.public_id == draft["id"]))
    submissions = db.session.scalar(select(func.count()).select_from(ApplicationEvent).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.action == "submit"))
    assert submissions == 1  # filed once
    assert application.organisation_id == filer.organisation.id and application.applicant_person_id == filer.owner.id

    journey.run_jobs(app)  # a real worker issues what the submission asked for (the receipt)
    read = client.get(f"{PREFIX}/applications/{draft['id']}", headers=filer.headers())
    assert read.status_code == 200 and read.json["state"] == service.workflow.start
    assert [event["action"] for event in read.json["history"]] == ["submit"]
    assert read.json["issued_documents"], "the submission's receipt"
    for issued in read.json["issued_documents"]:
        pdf = client.get(issued["download"][issued["download"].index(PREFIX):], headers=filer.headers())
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
        other = Filer(factories, email="b@example.com", phone="+85512770009")
        assert client.get(issued["download"][issued["download"].index(PREFIX):],
                          headers=other.headers()).status_code == 404  # B's token finds nothing of A's


def _first_step_with_a_required_field(service):
    return next(step for step in service.steps if any(f.required and f.show_when is None for f in step.fields))


def _draft(client, filer, slug: str) -> dict:
    created = client.post(f"{PREFIX}/applications", headers=filer.headers(), json={"service": slug})
    assert created.status_code == 201, created.json
    return created.json


@pytest.mark.parametrize("slug", business_services())
def test_answers_are_checked_as_the_page_checks_them_and_nothing_is_saved_until_all_pass(client, filer, slug):
    service = get_catalogue().get(slug)
    step = _first_step_with_a_required_field(service)
    required = [f.id for f in step.fields if f.required and f.show_when is None]
    draft = _draft(client, filer, slug)
    url = f"{PREFIX}/applications/{draft['id']}/steps/{step.id}"
    good = _samples(service)["steps"].get(step.id) or {}
    given = {**good, **dict.fromkeys(required), "no_such_field": "x", required[0]: None}
    answers = {}
    for language in ("en", "km"):
        answer = client.put(url, headers=filer.headers(language), json=given)
        assert (answer.status_code, answer.mimetype) == (422, "application/problem+json"), answer.json
        _validates(client, answer.json, "Problem")
        answers[language] = answer.json
        named = {error["field"] for error in answer.json["errors"]}
        # Every required field left out is named by its id (a prefilled one keeps the profile's answer).
        assert {f for f in required if f not in _prefilled(step)} <= named
        assert "no_such_field" in named
    assert answers["en"]["errors"] != answers["km"]["errors"]  # in the language asked for
    db.session.expire_all()
    application = db.session.scalar(select(Application).where(Application.public_id == draft["id"]))
    assert application.answers == {}  # nothing saved


def _prefilled(step) -> set[str]:
    return {f.id for f in step.fields if f.prefill}


def test_an_answer_of_the_wrong_shape_is_named_and_not_a_500(client, filer):
    slug = business_services()[0]
    service = get_catalogue().get(slug)
    step = _first_step_with_a_required_field(service)
    draft = _draft(client, filer, slug)
    url = f"{PREFIX}/applications/{draft['id']}/steps/{step.id}"
    for value in ([1, 2], {"a": {"b": 1}}, True, [{"x": None}], 12.5, "x" * 5000):
        given = {field.id: value for field in step.fields}
        answer = client.put(url, headers=filer.headers(), json=given)
        assert answer.status_code == 422, (value, answer.status_code)
        assert answer.json["errors"] and all(e["message"] for e in answer.json["errors"])
    for body in (b"[1, 2]", b"not json", b'"text"'):
        answer = client.put(url, headers={**filer.headers(), "Content-Type": "application/json"}, data=body)
        assert (answer.status_code, answer.mimetype) == (400, "application/problem+json")


def test_an_unknown_service_or_step_is_a_problem_and_makes_nothing(client, filer, factories):
    before = _applications()
    for body in ({"service": "no-such-service"}, {"service": ["x"]}, {}):
        answer = client.post(f"{PREFIX}/applications", headers=filer.headers(), json=body)
        assert answer.status_code == 422 and answer.json["errors"][0]["field"] == "service"
    person_only = next((s for s in get_catalogue().live() if "business" not in s.audience), None)
    if person_only is not None:
        answer = client.post(f"{PREFIX}/applications", headers=filer.headers(), json={"service": person_only.slug})
        assert answer.status_code == 422
    assert _applications() == before
    draft = _draft(client, filer, business_services()[0])
    answer = client.put(f"{PREFIX}/applications/{draft['id']}/steps/no_such_step", headers=filer.headers(), json={})
    assert answer.status_code == 404


def test_a_refused_file_is_named_and_nothing_is_kept(client, filer):
    slug = business_services()[0]
    draft = _draft(client, filer, slug)
    requirement = draft["documents"][0]["id"]
    documents = db.session.scalar(select(func.count()).select_from(Document))
    url = f"{PREFIX}/applications/{draft['id']}/documents"
    for data, name in ((b"MZ\x90\x00 a program", "invoice.pdf"), (b"", "empty.pdf")):
        answer = client.post(url, headers=filer.headers("km"), content_type="multipart/form-data",
                             data={"requirement": requirement, "file": (io.BytesIO(data), name)})
        assert answer.status_code == 422, answer.json
        assert answer.json["errors"][0]["field"] == "file" and answer.json["errors"][0]["message"]
    unknown = client.post(url, headers=filer.headers(), content_type="multipart/form-data",
                          data={"requirement": "no_such", "file": (io.BytesIO(docfiles.pdf()), "a.pdf")})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "requirement"
    no_file = client.post(url, headers=filer.headers(), content_type="multipart/form-data",
                          data={"requirement": requirement})
    assert no_file.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Document)) == documents
    assert client.get(f"{PREFIX}/applications/{draft['id']}", headers=filer.headers()).status_code == 200


def test_an_idempotency_key_is_for_one_request_only(client, filer):
    slug = business_services()[0]
    key = str(uuid.uuid4())
    first = client.post(f"{PREFIX}/applications", headers=filer.headers(key=key), json={"service": slug})
    assert first.status_code == 201
    other = client.post(f"{PREFIX}/applications", headers=filer.headers(key=key), json={"service": slug, "x": 1})
    assert (other.status_code, other.mimetype) == (422, "application/problem+json")
    for bad in ("", "a b", "x" * 256, "ключ"):
        answer = client.post(f"{PREFIX}/applications", json={"service": slug},
                             headers={**filer.headers(), "Idempotency-Key": bad})
        assert answer.status_code == 400, repr(bad)


def test_a_failed_submission_is_not_kept_under_its_key(client, filer):
    """Only a success is stored: once the draft is complete, the same key submits it."""
    slug = business_services()[0]
    draft = _draft(client, filer, slug)
    key = str(uuid.uuid4())
    missing = client.post(f"{PREFIX}/applications/{draft['id']}/submit", headers=filer.headers(key=key))
    assert missing.status_code == 422 and missing.json["errors"]
    assert all(error["message"] for error in missing.json["errors"])
    samples = _samples(get_catalogue().get(slug))
    _answer_every_step(client, filer, draft, samples)
    for requirement, kind in (samples.get("documents") or {}).items():
        data, name = _file(requirement, kind)
        client.post(f"{PREFIX}/applications/{draft['id']}/documents", headers=filer.headers(),
                    data={"requirement": requirement, "file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    done = client.post(f"{PREFIX}/applications/{draft['id']}/submit", headers=filer.headers(key=key))
    assert done.status_code == 200 and "Idempotent-Replayed" not in done.headers


def test_bodies_no_one_means_are_problems_never_500s(client, filer):
    slug = business_services()[0]
    draft = _draft(client, filer, slug)
    url = f"{PREFIX}/applications/{draft['id']}/steps/{draft['steps'][0]['id']}"
    json_headers = {**filer.headers(), "Content-Type": "application/json"}
    deep = client.put(url, headers=json_headers, data=b"[" * 100_000 + b"]" * 100_000)
    assert (deep.status_code, deep.mimetype) == (400, "application/problem+json")
    lone = client.put(url, headers=json_headers, data=b'{"\\ud800": 1, "a/b~c": 2}')
    assert lone.status_code == 422
    unknown = {error["pointer"]: error["field"] for error in lone.json["errors"]
               if error["pointer"] in ("/a~1b~0c", "/\ud800")}
    assert unknown == {"/a~1b~0c": None, "/\ud800": None}  # escaped as JSON Pointers; no field has these ids


def _fields_of(service, kind: str):
    for step in service.steps:
        for field in step.fields:
            if field.type == kind:
                yield step, field


def test_a_part_a_money_or_address_answer_does_not_have_is_named(client, filer):
    found = [(slug, step, field) for slug in business_services()
             for step, field in _fields_of(get_catalogue().get(slug), "money")]
    if not found:
        pytest.skip("no business service asks for an amount")
    slug, step, field = found[0]
    draft = _draft(client, filer, slug)
    given = {**(_samples(get_catalogue().get(slug))["steps"].get(step.id) or {}),
             field.id: {"amount": "1", "currency": "KHR", "bogus": "x"}}
    answer = client.put(f"{PREFIX}/applications/{draft['id']}/steps/{step.id}", headers=filer.headers(), json=given)
    assert answer.status_code == 422
    assert (field.id, f"/{field.id}/bogus") in {(e["field"], e["pointer"]) for e in answer.json["errors"]}
    wrong = client.put(f"{PREFIX}/applications/{draft['id']}/steps/{step.id}", headers=filer.headers(),
                       json={**given, field.id: {"amount": "not money", "currency": "KHR"}})
    assert f"/{field.id}/amount" in {e["pointer"] for e in wrong.json["errors"]}


def test_an_answer_to_a_hidden_question_in_a_group_item_is_refused_not_dropped(client, filer):
    found = [(slug, step, group, inner) for slug in business_services()
             for step, group in _fields_of(get_catalogue().get(slug), "group")
             for inner in group.fields if inner.show_when is not None]
    if not found:
        pytest.skip("no business service has a conditional question inside a group")
    slug, step, group, inner = found[0]
    samples = _samples(get_catalogue().get(slug))["steps"].get(step.id) or {}
    items = samples.get(group.id) or []
    draft = _draft(client, filer, slug)
    url = f"{PREFIX}/applications/{draft['id']}/steps/{step.id}"
    # Each sample item, with the conditional question answered: wherever it is hidden, that is a problem.
    answered = [{**item, inner.id: item.get(inner.id) or "M12345678"} for item in items]
    answer = client.put(url, headers=filer.headers(), json={**samples, group.id: answered})
    hidden = [f"/{group.id}/{i}/{inner.id}" for i, item in enumerate(items) if item.get(inner.id) is None]
    if not hidden:
        pytest.skip("the samples answer the conditional question in every item")
    assert answer.status_code == 422
    assert set(hidden) <= {e["pointer"] for e in answer.json["errors"]}


def _request_info_transition(service):
    start = service.workflow.start
    return next((t for t in service.workflow.transitions if t.request_info and start in t.sources), None)


def test_after_a_request_for_information_the_software_corrects_the_opened_answer_and_sends_it_back(
        app, client, factories, filer):
    for slug in business_services():
        service = get_catalogue().get(slug)
        asking = _request_info_transition(service)
        agency, _dot, role = (asking.roles[0] if asking else "").partition(".")
        if asking and get_catalogue().agency(agency) is not None:
            break
    else:
        pytest.skip("no business service whose office asks for more information from its first state")
    samples = _samples(service)
    draft = _answer_every_step(client, filer, _draft(client, filer, slug), samples)
    for requirement, kind in (samples.get("documents") or {}).items():
        data, name = _file(requirement, kind)
        client.post(f"{PREFIX}/applications/{draft['id']}/documents", headers=filer.headers(),
                    data={"requirement": requirement, "file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")
    assert client.post(f"{PREFIX}/applications/{draft['id']}/submit", headers=filer.headers()).status_code == 200
    opened_step = next(step for step in service.steps if samples["steps"].get(step.id))
    closed_step = next(step for step in service.steps if step.id != opened_step.id and samples["steps"].get(step.id))
    opened = next(iter(samples["steps"][opened_step.id]))
    application = db.session.scalar(select(Application).where(Application.public_id == draft["id"]))
    reason = asking.reasons[0].id if asking.reasons else None
    journey.staff_act(application, factories.staff(agency, role), asking.action, reason_id=reason,
                      editable_fields=[opened])
    url = f"{PREFIX}/applications/{draft['id']}"
    closed = client.put(f"{url}/steps/{closed_step.id}", headers=filer.headers(),
                        json=samples["steps"][closed_step.id])
    assert closed.status_code == 409  # not opened again by the clerk
    corrected = client.put(f"{url}/steps/{opened_step.id}", headers=filer.headers(),
                           json=samples["steps"][opened_step.id])
    assert corrected.status_code == 200, corrected.json
    sent = client.post(f"{url}/submit", headers=filer.headers(key=str(uuid.uuid4())))
    assert sent.status_code == 200, sent.json
    assert sent.json["state"] == service.workflow.start and sent.json["history"][-1]["from_state"] == asking.target
    again = client.post(f"{url}/submit", headers=filer.headers())
    assert again.status_code == 409  # nothing more to send back
