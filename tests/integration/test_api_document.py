"""Issue 17: the API's OpenAPI 3.1 document is generated from the routes, valid, and complete; the catalogue
answers validate against the schemas it publishes; errors are problem details in the language asked for."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from portal.domain import links
from portal.domain.catalogue import get_catalogue
from portal.web.api import PREFIX
from portal.web.kiosk import device
from portal.web.outages import LastResort
from tests.service_roots import copy_of_fixture, edit_service, services_root
from tests.sessions import sign_in_as

_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def document(client, language: str = "en") -> dict:
    response = client.get(f"{PREFIX}/openapi.json", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.json


def conforms(doc: dict, schema_name: str, value) -> list[str]:
    """What is wrong with `value` by the document's own schema `schema_name` (nothing: an empty list)."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    errors = Draft202012Validator(schema).iter_errors(value)
    return [f"{list(error.absolute_path)}: {error.message}" for error in errors]


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_document_is_valid_openapi_3_1_in_each_language(client, language):
    doc = document(client, language)
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_api_route_is_in_the_document_with_its_methods(app, client):
    doc = document(client)
    server = doc["servers"][0]["url"]
    described = {(server + path, method.upper()) for path, methods in doc["paths"].items() for method in methods}
    routed = {(_CONVERTER.sub(r"{\1}", rule.rule), method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith(PREFIX + "/") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed, "no /api/v1 route at all"
    assert routed == described


def test_every_route_that_takes_a_token_says_so_in_the_document(client):
    from portal.web.api.operations import OPERATIONS

    doc = document(client)
    assert doc["components"]["securitySchemes"]["businessToken"] == {**doc["components"]["securitySchemes"][
        "businessToken"], "type": "http", "scheme": "bearer"}
    partner = doc["components"]["securitySchemes"]["partnerClient"]
    assert partner["type"] == "oauth2"
    partner_scopes = set(partner["flows"]["clientCredentials"]["scopes"])
    assert doc["paths"][partner["flows"]["clientCredentials"]["tokenUrl"].removeprefix("/api/v1")]["post"]
    for entry in OPERATIONS:
        described = doc["paths"][entry.path][entry.method]
        if entry.scope:
            scheme = "partnerClient" if entry.scope in partner_scopes else "businessToken"
            assert described["security"] == [{scheme: [entry.scope]}], entry.operation_id
            assert {"401", "403"} <= set(described["responses"]), entry.operation_id
        else:
            assert "security" not in described and "401" not in described["responses"], entry.operation_id


def test_every_operation_names_a_schema_the_document_has(client):
    doc = document(client)
    for methods in doc["paths"].values():
        for described in methods.values():
            for response in described["responses"].values():
                for content in response["content"].values():
                    name = content["schema"]["$ref"].rsplit("/", 1)[1]
                    assert name in doc["components"]["schemas"], (described["operationId"], name)


def test_the_catalogue_answers_conform_to_the_published_schemas(client):
    doc = document(client)
    listed = client.get(f"{PREFIX}/services").json
    assert conforms(doc, "ServiceList", listed) == []
    live = {service.slug for service in get_catalogue().live()}
    assert {entry["slug"] for entry in listed["services"]} == live
    for slug in live:
        answer = client.get(f"{PREFIX}/services/{slug}")
        assert answer.status_code == 200, slug
        assert conforms(doc, "Service", answer.json) == [], slug


def test_drafts_and_retired_services_are_neither_listed_nor_given(app, client, tmp_path):
    with services_root(app, copy_of_fixture(tmp_path)) as root:
        drafted, retired = [service.slug for service in get_catalogue().live()][:2]
        edit_service(app, root, drafted, lambda data: data.update(status="draft"))
        edit_service(app, root, retired, lambda data: data.update(status="retired"))
        listed = {entry["slug"] for entry in client.get(f"{PREFIX}/services").json["services"]}
        assert listed == {service.slug for service in get_catalogue().live()}
        assert not listed & {drafted, retired}
        for slug in (drafted, retired):
            assert client.get(f"{PREFIX}/services/{slug}").status_code == 404


def test_links_come_from_the_portals_address_not_the_requests_host(app, client):
    answer = client.get(f"{PREFIX}/services", headers={"Host": "evil.example"}).json
    base = links.base_url().rstrip("/")
    for entry in answer["services"]:
        assert entry["links"]["self"] == f"{base}{PREFIX}/services/{entry['slug']}"
        assert entry["links"]["page"] == f"{base}/services/{entry['slug']}"


def test_answers_say_their_language_and_vary_by_it(client):
    for language in ("km", "en"):
        response = client.get(f"{PREFIX}/openapi.json", headers={"Accept-Language": language})
        assert response.headers["Content-Language"] == language
        assert "Accept-Language" in response.headers["Vary"]


def test_a_service_gives_every_field_document_and_fee_of_its_definition(client):
    for service in get_catalogue().live():
        answer = client.get(f"{PREFIX}/services/{service.slug}").json
        fields = [field["id"] for step in answer.get("steps", []) for field in step["fields"]]
        assert fields == [field.id for field in service.all_fields()]
        assert [d["id"] for d in answer.get("documents", [])] == [d.id for d in service.documents]
        assert [f["id"] for f in answer.get("fees", [])] == [f.id for f in service.fees]
        assert answer["version"] == service.version and answer["content_hash"] == service.content_hash
        for fee, defined in zip(answer.get("fees", []), service.fees, strict=True):
            assert ("computed" in fee) == (defined.rule is not None)
            assert {currency: str(amount) for currency, amount in defined.amounts.items()} == fee.get("amounts", {})


@pytest.mark.parametrize(("language", "title"), [("km", "រកមិនឃើញ"), ("en", "Not found")])
def test_an_unknown_service_is_a_problem_in_the_language_asked_for(client, language, title):
    response = client.get(f"{PREFIX}/services/no-such-service", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.headers["Content-Language"] == language
    assert response.json["status"] == 404 and response.json["title"] == title
    assert response.json["type"].startswith("https://")


def test_khmer_is_the_language_when_none_is_asked_for(client):
    response = client.get(f"{PREFIX}/no-such-thing")
    assert (response.status_code, response.mimetype) == (404, "application/problem+json")
    assert response.headers["Content-Language"] == "km"


def test_a_method_the_route_does_not_take_is_a_problem_not_a_form_error(client):
    response = client.post(f"{PREFIX}/services", headers={"Accept-Language": "en"})
    assert (response.status_code, response.mimetype) == (405, "application/problem+json")
    assert response.json["title"] == "Method not allowed"
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_a_kiosks_cookie_means_nothing_to_the_api(client):
    """Not even a dead one: the kiosk's "not enrolled" page and its cookie clearing are for its browser."""
    client.set_cookie(device.cookie_name(), "a-device-secret-no-kiosk-has")
    response = client.get(f"{PREFIX}/services")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_api_ignores_a_browser_session_and_sets_no_cookie(client, factories):
    sign_in_as(client, factories.person(email="dara@example.com"))
    response = client.get(f"{PREFIX}/services")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("lang", ["km", "en"])
def test_the_page_for_people_lists_every_operation_in_its_language(client, lang):
    client.expected_lang = lang
    page = client.get(f"/developers/api?lang={lang}")
    assert page.status_code == 200
    doc = document(client, lang)
    listed = {article["id"] for article in page.soup.select("article.api-operation")}
    assert listed == {described["operationId"] for methods in doc["paths"].values() for described in methods.values()}
    assert page.soup.select_one("h1").get_text(strip=True) == doc["info"]["title"]


@pytest.mark.parametrize(("language", "title"), [("km", "សូមអភ័យទោស"), ("en", "Sorry")])
def test_an_error_that_escapes_every_handler_is_still_a_problem_on_the_api(language, title):
    def broken_app(environ, start_response):
        raise RuntimeError("a bug inside an error handler")

    statuses = []
    environ = {"PATH_INFO": f"{PREFIX}/services", "HTTP_ACCEPT_LANGUAGE": language}
    body = b"".join(LastResort(broken_app)(environ, lambda status, headers, exc_info=None: statuses.append(
        (status, dict(headers)))))
    status, headers = statuses[0]
    assert status.startswith("500") and headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 500 and problem["title"].startswith(title)
