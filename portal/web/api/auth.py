"""Who is calling: a business's API token in `Authorization: Bearer ...` (portal.domain.api_tokens).

`token_required(scope)` wraps a route: no token, a malformed, unknown, expired or revoked one all get the
same 401 problem with `WWW-Authenticate: Bearer` (nothing tells a guesser which); a live token without the
scope gets 403. The token is then `current_token()`. Its "last used" time is committed at once (at most once
a minute), apart from anything the route does.
"""

from __future__ import annotations

import functools

from flask import g, request

from portal.domain import api_tokens
from portal.extensions import db
from portal.web.api import problems
from portal.web.api.texts import PROBLEMS

SCHEME = "Bearer"


def _presented() -> str | None:
    kind, _, value = (request.headers.get("Authorization") or "").partition(" ")
    return value.strip() if kind.lower() == SCHEME.lower() else None


def token_required(scope: str):
    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            token = api_tokens.authenticate(_presented())
            if token is None:
                return problems.response(401, *PROBLEMS[401], kind="unauthorized",
                                         headers={"WWW-Authenticate": f'{SCHEME} realm="api"'})
            if db.session.is_modified(token):
                db.session.commit()
            if not api_tokens.allows(token, scope):
                return problems.response(403, *PROBLEMS[403], kind="insufficient-scope",
                                         headers={"WWW-Authenticate": f'{SCHEME} error="insufficient_scope"'})
            g.api_token = token
            return view(*args, **kwargs)

        return guarded

    return decorate


def current_token():
    return g.api_token
