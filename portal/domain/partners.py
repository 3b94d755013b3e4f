"""Partner systems (a bank, another agency) and their OAuth 2.0 client credentials (issue 17, docs/api.md).

An administrator makes a client for a partner with the scopes it needs (`verify:read`: check issued
documents, as /verify does). Its secret is shown once; only its SHA-256 is kept. The partner exchanges its
client id and secret for an access token at the token endpoint (the client credentials grant, served by
Authlib in portal/web/api/oauth.py); the token lives an hour and is kept as a digest too. Revoking a client
stops its tokens at once. Making and revoking a client are audit entries, without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from portal.data import partners as partner_data
from portal.data.db import utcnow
from portal.data.models import PARTNER_SCOPES, PartnerAccessToken, PartnerClient
from portal.domain import audit

SCOPES = PARTNER_SCOPES  # verify:read; `applications:read:<agency>` is not built yet (docs/api.md)
CLIENT_ID_PREFIX, SECRET_PREFIX, ACCESS_PREFIX = "owc_", "owcs_", "owp_"
ACCESS_LIFETIME = timedelta(hours=1)
CLIENT_MADE, CLIENT_REVOKED = "partner_client_made", "partner_client_revoked"


class ClientRefused(ValueError):
    """What the administrator asked for cannot be made: `reason` is "name" or "scopes"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_client(name: str, scopes, admin) -> tuple[PartnerClient, str]:
    """A new client and its secret (shown once, never stored). The caller commits."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ClientRefused("name")
    scopes = sorted(set(scopes or ()))
    if not scopes or not set(scopes) <= set(SCOPES):
        raise ClientRefused("scopes")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    client = partner_data.add(PartnerClient(
        client_id=CLIENT_ID_PREFIX + secrets.token_urlsafe(12), secret_digest=digest(secret), name=name,
        scopes=scopes, created_by_person_id=admin.id, created_at=utcnow()))
    audit.record(CLIENT_MADE, actor=admin, subject_type="partner_client", subject_id=client.public_id,
                 details={"client_id": client.client_id, "name": name, "scopes": scopes})
    return client, secret


def revoke_client(client: PartnerClient, admin) -> None:
    """Stops the client and every token it holds, at once (idempotent). The caller commits."""
    if client.revoked_at is not None:
        return
    client.revoked_at = utcnow()
    audit.record(CLIENT_REVOKED, actor=admin, subject_type="partner_client", subject_id=client.public_id,
                 details={"client_id": client.client_id, "name": client.name})


def live_client(client_id: str | None) -> PartnerClient | None:
    if not client_id or len(client_id) > 48:
        return None
    client = partner_data.client_by_client_id(client_id)
    return client if client is not None and client.revoked_at is None else None


def secret_matches(client: PartnerClient, secret: str | None) -> bool:
    return bool(secret) and hmac.compare_digest(client.secret_digest, digest(secret))


def allowed_scopes(client: PartnerClient, asked: str | None) -> list[str]:
    """What a token asked for with `scope` ("verify:read ...") may carry: all the client's scopes when none
    is asked for, else those asked for that the client has."""
    if not asked:
        return list(client.scopes)
    return [scope for scope in asked.split() if scope in client.scopes]


def new_access_token() -> str:
    return ACCESS_PREFIX + secrets.token_urlsafe(32)


def keep_access_token(client: PartnerClient, access_token: str, scopes: list[str]) -> PartnerAccessToken:
    """The token Authlib issued, kept as a digest. The caller commits."""
    now = utcnow()
    return partner_data.add(PartnerAccessToken(client_id=client.id, token_digest=digest(access_token),
                                               scopes=scopes, issued_at=now, expires_at=now + ACCESS_LIFETIME))


def authenticate(presented: str | None) -> PartnerAccessToken | None:
    """The live access token `presented` is (its client not revoked), or None."""
    if not presented or not presented.startswith(ACCESS_PREFIX) or len(presented) > 100:
        return None
    token = partner_data.access_token_by_digest(digest(presented))
    if token is None or token.expires_at <= utcnow() or token.client.revoked_at is not None:
        return None
    return token


def clients() -> list[PartnerClient]:
    return partner_data.clients()


def find(public_id: str) -> PartnerClient | None:
    return partner_data.client_by_public_id(public_id) if public_id and len(public_id) <= 32 else None
