"""One declaration per API route: Flask's route and its OpenAPI operation, made from the same call.

`operation(...)` registers the view on the API blueprint and records what the OpenAPI document says about it
(summary, parameters, the schema of its answer, the errors it can give). Path parameters are read off the
Flask rule, so the document and the URL map cannot disagree about them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portal.web.api import blueprint
from portal.web.api.auth import token_required
from portal.web.api.writes import KEY_PARAMETER, unit_of_work

_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


@dataclass(frozen=True)
class Operation:
    rule: str  # Flask's, under the blueprint's prefix: "/services/<slug>"
    method: str  # "get", "post", ...
    operation_id: str
    tag: str
    summary: Any  # a lazy string: the document is written in the language asked for
    description: Any
    response: str  # the component schema of a 200 answer's body
    media_type: str = "application/json"
    errors: tuple[int, ...] = ()
    parameters: tuple[dict, ...] = field(default_factory=tuple)  # query parameters, OpenAPI objects
    scope: str | None = None  # the token scope it needs (auth.token_required); None: open to anyone
    status: int = 200  # of a successful answer
    request_body: str | None = None  # the component schema of the request's body
    request_media_type: str = "application/json"
    idempotent: bool = False  # honours an Idempotency-Key header (writes.py)

    @property
    def path(self) -> str:
        """The OpenAPI path: "/services/{slug}"."""
        return _CONVERTER.sub(r"{\1}", self.rule)

    @property
    def path_parameters(self) -> list[str]:
        return _CONVERTER.findall(self.rule)


OPERATIONS: list[Operation] = []
GUARDED_ENDPOINTS: set[str] = set()  # "api.<operation_id>" of the routes that take a token
UPLOAD_ENDPOINTS: set[str] = set()  # those whose body is multipart/form-data (files): quotas.too_large


def operation(rule: str, method: str, *, operation_id: str, tag: str, summary, description, response: str,
              media_type: str = "application/json", errors: tuple[int, ...] = (),
              parameters: tuple[dict, ...] = (), scope: str | None = None, status: int = 200,
              request_body: str | None = None, request_media_type: str = "application/json",
              idempotent: bool = False) -> Callable:
    """With `scope`, the route takes only a token with that scope: the guard and the document's `security`
    come from this one argument, so they cannot disagree. A route that is not a GET is one unit of work
    (writes.py); with `idempotent`, also one answer per Idempotency-Key, and the document says so."""
    def register(view: Callable) -> Callable:
        declared = (*parameters, KEY_PARAMETER) if idempotent else parameters
        OPERATIONS.append(Operation(rule, method.lower(), operation_id, tag, summary, description, response,
                                    media_type, errors, declared, scope, status, request_body, request_media_type,
                                    idempotent))
        served = view if method.upper() == "GET" else unit_of_work(view, idempotent)
        if scope:
            served = token_required(scope)(served)
            GUARDED_ENDPOINTS.add(f"{blueprint.name}.{operation_id}")
        if request_media_type == "multipart/form-data":
            UPLOAD_ENDPOINTS.add(f"{blueprint.name}.{operation_id}")
        blueprint.add_url_rule(rule, endpoint=operation_id, view_func=served, methods=[method.upper()])
        return view

    return register
