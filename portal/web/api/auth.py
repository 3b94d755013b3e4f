"""Who is calling, from `Authorization: Bearer ...`: a business's API token (`ow_...`, portal.domain.api_tokens)
or a partner system's access token (`owp_...`, from the client credentials grant: portal.domain.partners).

`token_required(scope)` wraps a route: no token, a malformed, unknown, expired or revoked one all get the
same 401 problem with `WWW-Authenticate: Bearer` (nothing tells a guesser which); a live token without the
scope gets 403. A business token is then `current_token()`, a partner's `current_partner()`. A business
token's "last used" time is committed at once (at most once a minute), apart from anything the route does.
"""

from __future__ import annotations

import functools

from flask import current_app, g, request
from werkzeug.exceptions import HTTPException

from portal.domain import api_tokens, audit, partners
from portal.extensions import db
from portal.web.api import problems, quotas
from portal.web.api.texts import PROBLEMS

SCHEME = "Bearer"
API_CALL = "api_call"


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
                # Guessing counts against the caller's address, as calls without a token do.
                return quotas.spend(quotas.for_address(), "API_ANONYMOUS_RATE_LIMIT") or problems.response(
                    401, *PROBLEMS[401], kind="unauthorized", headers={"WWW-Authenticate": f'{SCHEME} realm="api"'})
            if db.session.is_modified(token):
                db.session.commit()
            refused = quotas.spend(_quota_key(token, is_partner), "API_RATE_LIMIT")
            if refused is not None:
                return refused  # not audited: a flood beyond the limit must cost no write each
            if scope not in token.scopes:
                _audit(token, is_partner, 403)
                return problems.response(403, *PROBLEMS[403], kind="insufficient-scope",
                                         headers={"WWW-Authenticate": f'{SCHEME} error="insufficient_scope"'})
            if is_partner:
                g.partner_token = token
            else:
                g.api_token = token
            try:
                answer = current_app.make_response(view(*args, **kwargs))
            except HTTPException as error:
                _audit(token, is_partner, error.code)
                raise
            except Exception:
                _audit_failure(token, is_partner)
                raise
            _audit(token, is_partner, answer.status_code)
            return answer

        return guarded

    return decorate


def _audit_failure(token, is_partner: bool) -> None:
    """A call that ended in an error of ours is recorded too (status 500), if the database still takes it."""
    db.session.rollback()
    try:
        _audit(token, is_partner, 500)
    except Exception:  # noqa: BLE001 - the error being raised is the one to report
        db.session.rollback()


def _quota_key(token, is_partner: bool) -> str:
    return f"partner:{token.client.public_id}" if is_partner else f"token:{token.public_id}"


def _audit(token, is_partner: bool, status: int) -> None:
    """Every call with a token is an audit entry, but those refused for its rate: which token, which route (its
    rule: no record's id, no query), and the answer's status. Its own commit: a write that failed (rolled back)
    is recorded too."""
    details = {"method": request.method, "route": request.url_rule.rule if request.url_rule else None,
               "status": status}
    if is_partner:
        audit.record(API_CALL, actor_role="partner", subject_type="partner_client",
                     subject_id=token.client.public_id, details=details)
    else:
        audit.record(API_CALL, actor=token.created_by, actor_role="api_token", subject_type="api_token",
                     subject_id=token.public_id, details=details)
    db.session.commit()


def current_token():
    return g.api_token


def current_partner():
    return g.partner_token
