"""Issue 17: per-token rate limits (counted in the portal's Redis), limits per address for calls without a
token, request size limits, and every call with a token in the audit log with the token's id."""

from __future__ import annotations

import pytest

from portal.domain import api_tokens
from portal.web.api import PREFIX
from portal.web.api.auth import API_CALL
from tests import audit_log
from tests.integration.test_api_filing import Filer, _draft, business_services


@pytest.fixture
def limits(app):
    saved = {key: app.config[key] for key in ("API_RATE_LIMIT", "API_ANONYMOUS_RATE_LIMIT", "API_MAX_JSON_BYTES")}
    yield app.config
    app.config.update(saved)


def test_a_token_beyond_its_rate_gets_429_with_retry_after_and_another_token_does_not(client, factories, limits):
    limits["API_RATE_LIMIT"] = "3/minute"
    first, second = Filer(factories), Filer(factories, email="other@example.com", phone="+85512770002")
    answers = [client.get(f"{PREFIX}/applications", headers=first.headers()) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert all(a.headers["RateLimit-Limit"] == "3" for a in answers)
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json" and int(refused.headers["Retry-After"]) >= 1
    assert refused.json["title"] and refused.json["status"] == 429
    assert client.get(f"{PREFIX}/applications", headers=second.headers()).status_code == 200


def test_calls_without_a_valid_token_are_counted_per_address(client, limits):
    limits["API_ANONYMOUS_RATE_LIMIT"] = "3/minute"
    statuses = [client.get(f"{PREFIX}/services").status_code,
                client.get(f"{PREFIX}/applications", headers={"Authorization": "Bearer ow_guess"}).status_code,
                client.get(f"{PREFIX}/applications", headers={"Authorization": "Bearer ow_another"}).status_code,
                client.get(f"{PREFIX}/services", headers={"Authorization": "Bearer anything"}).status_code]
    assert statuses == [200, 401, 401, 429]


def test_a_body_beyond_the_limit_is_a_413_problem_and_saves_nothing(client, factories, limits):
    limits["API_MAX_JSON_BYTES"] = 10_000
    filer = Filer(factories)
    draft = _draft(client, filer, business_services()[0])
    step = draft["steps"][0]["id"]
    answer = client.put(f"{PREFIX}/applications/{draft['id']}/steps/{step}", headers=filer.headers(),
                        json={"x": "a" * 20_000})
    assert (answer.status_code, answer.mimetype) == (413, "application/problem+json")
    assert client.get(f"{PREFIX}/applications/{draft['id']}", headers=filer.headers()).status_code == 200


def test_every_call_with_a_token_is_in_the_audit_log_with_the_token_s_id(client, factories):
    filer = Filer(factories)
    [token] = api_tokens.of_organisation(filer.organisation)
    before = len(audit_log.entries(API_CALL))
    assert client.get(f"{PREFIX}/applications?limit=5", headers=filer.headers()).status_code == 200
    assert client.post(f"{PREFIX}/applications", headers=filer.headers(), json={"service": "nope"}).status_code == 422
    assert client.get(f"{PREFIX}/applications/no-such-id", headers=filer.headers()).status_code == 404
    calls = audit_log.entries(API_CALL)[before:]
    assert [(c.subject_type, c.subject_id) for c in calls] == [("api_token", token.public_id)] * 3
    assert [(c.details["method"], c.details["route"], c.details["status"]) for c in calls] == [
        ("GET", "/api/v1/applications", 200), ("POST", "/api/v1/applications", 422),
        ("GET", "/api/v1/applications/<public_id>", 404)]
    assert all(c.actor_id == filer.owner.id for c in calls)
    assert audit_log.verify(client.application).exit_code == 0  # the chain holds


def test_only_the_routes_that_take_files_take_a_large_multipart_body(client, factories, limits):
    import io

    limits["API_MAX_JSON_BYTES"] = 10_000
    filer = Filer(factories)
    big = {"service": business_services()[0], "file": (io.BytesIO(b"x" * 50_000), "big.bin")}
    answer = client.post(f"{PREFIX}/applications", headers={**filer.headers(), "Idempotency-Key": "k-1"},
                         data=big, content_type="multipart/form-data")
    assert (answer.status_code, answer.mimetype) == (413, "application/problem+json")
    draft = _draft(client, filer, business_services()[0])
    requirement = draft["documents"][0]["id"]
    from tests import docfiles

    pdf = docfiles.pdf("x" * 30_000)
    assert len(pdf) > 10_000
    upload = client.post(f"{PREFIX}/applications/{draft['id']}/documents", headers=filer.headers(),
                         data={"requirement": requirement, "file": (io.BytesIO(pdf), "a.pdf")},
                         content_type="multipart/form-data")
    assert upload.status_code in (201, 422)  # taken in, and judged by the document's own rules
