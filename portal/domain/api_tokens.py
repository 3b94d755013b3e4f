"""Businesses' personal API tokens (issue 17, docs/api.md): made by an owner, shown once, kept as a digest.

A token is `ow_` and 43 URL-safe characters (256 random bits). Only its SHA-256 is stored, so a copy of the
database authorises nothing; a 256-bit random secret needs no slow password hash. A token acts for one
business, within its scopes (`read`: the business's applications; `file`: drafts, answers, documents,
submission), until it expires or an owner revokes it. Making and revoking a token are audit entries; its
secret is in none of them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.data import api_tokens as token_data
from portal.data.db import utcnow
from portal.data.models import API_TOKEN_SCOPES, ApiToken
from portal.domain import audit

PREFIX = "ow_"
_SHAPE = re.compile(r"^ow_[A-Za-z0-9_-]{43}$")
LIFETIMES_DAYS = (30, 90, 365)  # what an owner chooses from: no token lives for ever
SHOWN_PREFIX_LENGTH = 9  # "ow_" and six characters: enough to tell a business's tokens apart
LAST_USE_STEP = timedelta(minutes=1)  # "last used" moves at most this often: no write per API call

TOKEN_MADE, TOKEN_REVOKED = "api_token_made", "api_token_revoked"


class TokenRefused(ValueError):
    """What an owner asked for cannot be made: `reason` says which part (name, scopes or lifetime)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MadeToken:
    token: ApiToken
    secret: str  # shown to the owner once, now; never stored


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make(organisation, owner, name: str, scopes, lifetime_days: int) -> MadeToken:
    """A new token for `organisation`, made by `owner` (the web layer checks the role). The caller commits."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise TokenRefused("name")
    scopes = sorted(set(scopes or ()))
    if not scopes or not set(scopes) <= set(API_TOKEN_SCOPES):
        raise TokenRefused("scopes")
    if lifetime_days not in LIFETIMES_DAYS:
        raise TokenRefused("lifetime")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = token_data.add(ApiToken(
        organisation_id=organisation.id, created_by_person_id=owner.id, name=name, secret_digest=digest(secret),
        shown_prefix=secret[:SHOWN_PREFIX_LENGTH], scopes=scopes, created_at=now,
        expires_at=now + timedelta(days=lifetime_days)))
    audit.record(TOKEN_MADE, actor=owner, subject_type="organisation", subject_id=organisation.public_id,
                 details={"token": token.public_id, "name": name, "scopes": scopes,
                          "expires_at": token.expires_at.isoformat()})
    return MadeToken(token, secret)


def is_live(token: ApiToken, now: datetime | None = None) -> bool:
    return token.revoked_at is None and token.expires_at > (now or utcnow())


def authenticate(presented: str | None) -> ApiToken | None:
    """The live token `presented` is, or None (unknown, malformed, expired or revoked: the API says 401 to
    all alike). Moves its "last used" time, at most once a minute; the caller commits."""
    if not presented or not _SHAPE.match(presented):
        return None
    token = token_data.by_digest(digest(presented))
    now = utcnow()
    if token is None or not is_live(token, now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_STEP:
        token.last_used_at = now
    return token


def revoke(token: ApiToken, owner) -> None:
    """Stops the token at once, for good (idempotent). The caller commits."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    audit.record(TOKEN_REVOKED, actor=owner, subject_type="organisation", subject_id=token.organisation.public_id,
                 details={"token": token.public_id, "name": token.name})


def revoke_made_by(organisation, maker, acting_person) -> int:
    """Revoke every live token `maker` made for `organisation` (they are leaving it); how many. Caller commits."""
    live = [token for token in of_organisation(organisation)
            if token.created_by_person_id == maker.id and is_live(token)]
    for token in live:
        revoke(token, acting_person)
    return len(live)


def of_organisation(organisation) -> list[ApiToken]:
    return token_data.of_organisation(organisation.id)


def find(organisation, public_id: str) -> ApiToken | None:
    """One of this business's tokens by its public id; another business's finds nothing."""
    return token_data.of_organisation_by_public_id(organisation.id, public_id)
