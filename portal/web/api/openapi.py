"""The OpenAPI 3.1 document of `/api/v1`, generated from the declared operations (`operations.py`) and the
schemas (`schemas.py`) each time it is asked for, in the language asked for (Accept-Language, else Khmer)."""

from __future__ import annotations

from portal.domain.partners import SCOPES as PARTNER_SCOPES
from portal.web.api import PREFIX, schemas
from portal.web.api.operations import OPERATIONS, Operation, operation
from portal.web.api.texts import (
    API_DESCRIPTION,
    API_TITLE,
    APPLICATIONS,
    CATALOGUE,
    DOCUMENT,
    FILING,
    PARTNERS,
    PROBLEMS,
    TOKENS,
)

VERSION = "1.0.0"
TAGS = {"catalogue": CATALOGUE["tag"], "applications": APPLICATIONS["tag"], "filing": FILING["tag"],
        "verification": PARTNERS["tag"], "document": DOCUMENT["tag"]}


def _scheme(scope: str) -> str:
    return "partnerClient" if scope in PARTNER_SCOPES else "businessToken"


def _problem(status: int) -> dict:
    return {"description": str(PROBLEMS[status][0]),
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _operation(entry: Operation) -> dict:
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in entry.path_parameters] + list(entry.parameters)
    responses = {str(entry.status): {"description": str(entry.summary),
                         "content": {entry.media_type: {"schema": {"$ref": f"#/components/schemas/{entry.response}"}}}}}
    guarded = {401, 403} if entry.scope else set()
    for status in sorted({*entry.errors, *guarded, 500, 503}):
        responses[str(status)] = _problem(status)
    described = {"operationId": entry.operation_id, "tags": [entry.tag], "summary": str(entry.summary),
                 "description": str(entry.description), "responses": responses}
    if entry.scope:
        described["security"] = [{_scheme(entry.scope): [entry.scope]}]
    if parameters:
        described["parameters"] = parameters
    if entry.request_body:
        described["requestBody"] = {"required": True, "content": {entry.request_media_type: {
            "schema": {"$ref": f"#/components/schemas/{entry.request_body}"}}}}
    return described


def build() -> dict:
    paths: dict[str, dict] = {}
    for entry in OPERATIONS:
        paths.setdefault(entry.path, {})[entry.method] = _operation(entry)
    return {
        "openapi": "3.1.0",
        "info": {"title": str(API_TITLE), "version": VERSION, "description": str(API_DESCRIPTION)},
        "servers": [{"url": PREFIX}],
        "tags": [{"name": name, "description": str(text)} for name, text in TAGS.items()],
        "paths": paths,
        "components": {"schemas": schemas.COMPONENTS, "securitySchemes": {
            "businessToken": {"type": "http", "scheme": "bearer", "description": str(TOKENS["scheme"])},
            "partnerClient": {"type": "oauth2", "description": str(PARTNERS["scheme"]), "flows": {
                "clientCredentials": {"tokenUrl": f"{PREFIX}/oauth/token",
                                      "scopes": {scope: str(PARTNERS["scheme"]) for scope in PARTNER_SCOPES}}}},
        }},
    }


@operation("/openapi.json", "GET", operation_id="openapi_document", tag="document", response="OpenApiDocument",
           summary=DOCUMENT["summary"], description=DOCUMENT["description"])
def openapi_document():
    return build()
