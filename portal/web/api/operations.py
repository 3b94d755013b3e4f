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

    @property
    def path(self) -> str:
        """The OpenAPI path: "/services/{slug}"."""
        return _CONVERTER.sub(r"{\1}", self.rule)

    @property
    def path_parameters(self) -> list[str]:
        return _CONVERTER.findall(self.rule)


OPERATIONS: list[Operation] = []


def operation(rule: str, method: str, *, operation_id: str, tag: str, summary, description, response: str,
              media_type: str = "application/json", errors: tuple[int, ...] = (),
              parameters: tuple[dict, ...] = (), scope: str | None = None) -> Callable:
    """With `scope`, the route takes only a token with that scope: the guard and the document's `security`
    come from this one argument, so they cannot disagree."""
    def register(view: Callable) -> Callable:
        OPERATIONS.append(Operation(rule, method.lower(), operation_id, tag, summary, description, response,
                                    media_type, errors, parameters, scope))
        served = token_required(scope)(view) if scope else view
        blueprint.add_url_rule(rule, endpoint=operation_id, view_func=served, methods=[method.upper()])
        return view

    return register
