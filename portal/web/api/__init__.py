"""The JSON API for businesses' software and partner systems, under `/api/v1` (issue 17; docs/api.md).

Routes call the same domain functions as the pages; nothing here is a second implementation of a rule.
Every route is declared with `operations.operation`, which registers it with Flask and describes it for the
OpenAPI document (`openapi.py`), so the document is generated from the code and cannot leave a route out.
Errors are RFC 9457 problem details (`problems.py`) in the language the client asks for.

The API takes no session cookie and sets none: a browser's ambient sign-in must never authorise an API call.

- `catalogue.py`: discovery, the services and what applying to each asks for, in both languages
- `auth.py`: businesses' API tokens (`Authorization: Bearer`); `applications.py`: a business's applications
- `filing.py`: drafts, answers, files and submission; `writes.py`: one unit of work per write, Idempotency-Key
- `oauth.py`: partner systems' token endpoint (client credentials, Authlib); `verifications.py`: /verify for them
- `quotas.py`: rate limits per token and per address, and the size of bodies
- `openapi.py`: the OpenAPI 3.1 document, and the route that serves it
- `docs_page.py`: the page for people (`/developers/api`), made from the same document
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, Response, request
from flask_babel import get_locale

PREFIX = "/api/v1"
blueprint = Blueprint("api", __name__, url_prefix=PREFIX)


@blueprint.before_request
def _within_limits():
    """Bodies within the API's size; calls that take no token counted per address (quotas.py). The routes
    that take a token count per token, once it is known (auth.py)."""
    from portal.web.api import quotas
    from portal.web.api.operations import GUARDED_ENDPOINTS

    refused = quotas.too_large()
    if refused is None and request.endpoint not in GUARDED_ENDPOINTS:
        refused = quotas.spend(quotas.for_address(), "API_ANONYMOUS_RATE_LIMIT")
    return refused


@blueprint.after_request
def _say_the_language(response: Response) -> Response:
    """Answers differ by Accept-Language (the document's prose, problems): say which, for clients and caches."""
    response.headers.setdefault("Content-Language", str(get_locale() or "km"))
    response.vary.add("Accept-Language")
    # A business's data (a token was asked for) is kept by no cache; the public catalogue may be, but must be
    # asked for again (a reload changes it).
    private = "Authorization" in request.headers
    response.headers.setdefault("Cache-Control", "private, no-store" if private else "no-cache")
    from portal.web.api import quotas

    return quotas.say_what_is_left(response)


def is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(f"{PREFIX}/")


def init_app(app: Flask) -> None:
    from portal.extensions import csrf
    from portal.web.api import (  # noqa: F401 - their routes join it
        applications,
        catalogue,
        docs_page,
        filing,
        oauth,
        openapi,
        quotas,
        verifications,
    )

    for setting, value in quotas.DEFAULTS.items():
        # An operator may set each in the environment (API_RATE_LIMIT="600/minute"); tests set the config.
        app.config.setdefault(setting, type(value)(os.environ.get(setting, value)))
    oauth.init_app(app)
    csrf.exempt(blueprint)  # no cookie authorises an API call (see above): there is no request to forge
    app.register_blueprint(blueprint)
    app.register_blueprint(docs_page.blueprint)
