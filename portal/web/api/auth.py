"""Who is calling, from `Authorization: Bearer ...`: a business's API token (`ow_...`, portal.domain.api_tokens)
or a partner system's access token (`owp_...`, from the client credentials grant: portal.domain.partners).

`token_required(scope)` wraps a route: no token, a malformed, unknown, expired or revoked one all get the
same 401 problem with `WWW-Authenticate: Bearer` (nothing tells a guesser which); a live token without the
scope gets 403. A business token is then `current_token()`, a partner's `current_partner()`. A business
token's "last used" time is committed at once (at most once a minute), apart from anything the route does.
"""

from __future__ import annotations

import functools

from flask import g, request

from portal.domain import api_tokens, partners
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
            presented = _presented()
            is_partner = bool(presented) and presented.startswith(partners.ACCESS_PREFIX)
            token = partners.authenticate(presented) if is_partner else api_tokens.authenticate(presented)
            if token is None:
                return problems.response(401, *PROBLEMS[401], kind="unauthorized",
                                         headers={"WWW-Authenticate": f'{SCHEME} realm="api"'})
            if db.session.is_modified(token):
                db.session.commit()
            if scope not in token.scopes:
                return problems.response(403, *PROBLEMS[403], kind="insufficient-scope",
                                         headers={"WWW-Authenticate": f'{SCHEME} error="insufficient_scope"'})
            if is_partner:
                g.partner_token = token
            else:
                g.api_token = token
            return view(*args, **kwargs)

        return guarded

    return decorate


def current_token():
    return g.api_token


def current_partner():
    return g.partner_token
