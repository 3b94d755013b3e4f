"""Issue 17: a business's software reads the business's applications with a token; a token of business A
never reads business B's (nor a person's own), on every route that takes a token."""

from __future__ import annotations

import base64

import pytest
from jsonschema import Draft202012Validator

from portal.data import applications as application_data
from portal.data.db import db
from portal.domain import api_tokens
from portal.domain.applications import case_records, journey
from portal.domain.catalogue import get_catalogue
from portal.web.api import PREFIX
from portal.web.api.operations import OPERATIONS, Operation
from tests.integration.test_api_document import document


def _business_service():
    return next(service for service in get_catalogue().live()
                if "business" in service.audience and service.takes_applications)


class Business:
    def __init__(self, factories, email: str, name_km: str, applications: int):
        self.owner = factories.person(email=email)
        self.organisation = factories.business(self.owner, name_km=name_km)
        service = _business_service()
        self.applications = [journey.start(service, self.owner, organisation=self.organisation)
                             for _ in range(applications)]
        self.read = api_tokens.make(self.organisation, self.owner, "Books", ("read",), 30).secret
        self.file_only = api_tokens.make(self.organisation, self.owner, "Filer", ("file",), 30).secret
        self.both = api_tokens.make(self.organisation, self.owner, "Both", ("read", "file"), 30).secret
        db.session.commit()

    def headers(self, secret: str | None = None) -> dict:
        return {"Authorization": f"Bearer {secret or self.read}", "Accept-Language": "en"}


@pytest.fixture
def a(factories):
    return Business(factories, "owner-a@example.com", "ហាង ក", 5)


@pytest.fixture
def b(factories):
    return Business(factories, "owner-b@example.com", "ហាង ខ", 2)


def _filled(entry: Operation, records: dict) -> str:
    path = entry.path
    records = {"step_id": _business_service().steps[0].id, "document_id": "any", **records}
    for name in entry.path_parameters:
        path = path.replace("{" + name + "}", records[name])
    return PREFIX + path


def guarded() -> list[Operation]:
    """The routes that take a token (declared when the app registers the API, so asked for in each test)."""
    return [entry for entry in OPERATIONS if entry.scope]


def test_every_route_that_takes_a_token_refuses_a_missing_or_dead_one_alike(client, a):
    revoked = api_tokens.make(a.organisation, a.owner, "Old", ("read",), 30)
    api_tokens.revoke(revoked.token, a.owner)
    db.session.commit()
    assert guarded(), "no route takes a token"
    for entry in guarded():
        url = _filled(entry, {"public_id": a.applications[0].public_id})
        answers = [client.open(url, method=entry.method.upper(), headers={"Accept-Language": "en", **headers})
                   for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic b3c6eA=="},
                                   {"Authorization": "Bearer ow_x"}, a.headers(revoked.secret))]
        for answer in answers:
            assert answer.status_code == 401, (entry.operation_id, answer.status_code)
            assert answer.mimetype == "application/problem+json"
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert len({answer.get_data() for answer in answers}) == 1  # nothing tells a guesser which it was


def test_a_token_without_the_scope_gets_403(client, a):
    other_scope = {"read": a.file_only, "file": a.read, "verify:read": a.both}
    for entry in guarded():
        answer = client.open(_filled(entry, {"public_id": a.applications[0].public_id}),
                             method=entry.method.upper(), headers=a.headers(other_scope[entry.scope]))
        assert answer.status_code == 403, entry.operation_id


def test_a_token_of_business_b_never_reads_business_a(client, factories, a, b):
    """Every route with an application in its address answers 404 to B, reading or filing, and changes
    nothing; every list leaves A's out."""
    own = journey.start(_business_service(), factories.person(email="someone@example.com"))  # nobody's business
    db.session.commit()
    theirs = {application.public_id for application in a.applications} | {own.public_id}
    for entry in guarded():
        if entry.path_parameters:
            for public_id in sorted(theirs):
                answer = client.open(_filled(entry, {"public_id": public_id}), method=entry.method.upper(),
                                     headers=b.headers(b.both), json={})
                assert answer.status_code == 404, (entry.operation_id, public_id)
        elif entry.method == "get":
            answer = client.open(PREFIX + entry.path, method=entry.method.upper(), headers=b.headers())
            assert answer.status_code == 200
            assert not theirs & {item["id"] for item in answer.json["applications"]}
    db.session.expire_all()
    assert all(application.answers == {} and application.state == "draft" for application in a.applications)


def test_the_list_comes_a_page_at_a_time_newest_first_until_next_is_null(client, a, b):
    seen, url, pages = [], f"{PREFIX}/applications?limit=2", 0
    while url:
        answer = client.get(url, headers=a.headers())
        assert answer.status_code == 200
        seen += [item["id"] for item in answer.json["applications"]]
        url = answer.json["next"]
        pages += 1
        if url:
            assert url.startswith("http")
            url = url[url.index(PREFIX):]
    assert pages == 3
    assert seen == [application.public_id for application in reversed(a.applications)]


FORGED = base64.urlsafe_b64encode(b'{"before": 1}').decode().rstrip("=")
NESTED = base64.urlsafe_b64encode(b"[" * 1500).decode()


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=two", "cursor=not-ours", f"cursor={FORGED}",
                                   f"cursor={FORGED}.c2lnbmF0dXJl", f"cursor={NESTED}", "cursor=" + "A" * 5000])
def test_a_bad_limit_or_cursor_is_a_400_problem_in_the_language_asked_for(client, a, query):
    answer = client.get(f"{PREFIX}/applications?{query}", headers=a.headers())
    assert (answer.status_code, answer.mimetype) == (400, "application/problem+json")
    assert answer.json["detail"]
    khmer = client.get(f"{PREFIX}/applications?{query}", headers={**a.headers(), "Accept-Language": "km"})
    assert khmer.json["detail"] != answer.json["detail"]


def test_an_application_gives_its_state_and_history_without_staff_records(client, a):
    application = a.applications[0]
    application_data.add_event(application, actor_role="applicant", action="submit", from_state="draft",
                               to_state="submitted")
    application_data.add_event(application, actor_role="moc.clerk", action=f"{case_records.PREFIX}claimed",
                               from_state="submitted", to_state="submitted")
    db.session.commit()
    answer = client.get(f"{PREFIX}/applications/{application.public_id}", headers=a.headers())
    assert answer.status_code == 200
    doc = document(client)
    schema = {"$ref": "#/components/schemas/Application", "components": doc["components"]}
    assert list(Draft202012Validator(schema).iter_errors(answer.json)) == []
    assert [event["action"] for event in answer.json["history"]] == ["submit"]
    assert answer.json["state"] == application.state and answer.json["service"]["slug"] == application.service_slug


def test_a_cursor_made_for_another_page_size_still_continues_where_it_stopped(client, a):
    first = client.get(f"{PREFIX}/applications?limit=3", headers=a.headers()).json
    cursor = first["next"].split("cursor=")[1]
    rest = client.get(f"{PREFIX}/applications?limit=100&cursor={cursor}", headers=a.headers()).json
    ids = [item["id"] for item in first["applications"] + rest["applications"]]
    assert ids == [application.public_id for application in reversed(a.applications)] and rest["next"] is None


def test_an_expired_token_is_refused(client, a):
    [token] = [t for t in api_tokens.of_organisation(a.organisation) if t.name == "Books"]
    token.expires_at = token.created_at
    db.session.commit()
    assert client.get(f"{PREFIX}/applications", headers=a.headers()).status_code == 401


def test_using_a_token_shows_as_its_last_use_and_sets_no_cookie(client, a):
    [token] = [t for t in api_tokens.of_organisation(a.organisation) if t.name == "Books"]
    assert token.last_used_at is None
    answer = client.get(f"{PREFIX}/applications", headers=a.headers())
    assert "Set-Cookie" not in answer.headers
    assert answer.headers["Cache-Control"] == "private, no-store"
    db.session.expire_all()
    assert token.last_used_at is not None
