"""Rows of `api_tokens`: businesses' personal API tokens (portal.domain.api_tokens). The caller commits."""

from __future__ import annotations

from sqlalchemy import select

from portal.data.db import db
from portal.data.models import ApiToken


def add(token: ApiToken) -> ApiToken:
    db.session.add(token)
    db.session.flush()
    return token


def by_digest(secret_digest: str) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.secret_digest == secret_digest))


def of_organisation(organisation_id: int) -> list[ApiToken]:
    """Every token of one business, newest first (revoked and expired ones included: their history)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.organisation_id == organisation_id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def of_organisation_by_public_id(organisation_id: int, public_id: str) -> ApiToken | None:
    """One token, only if it belongs to this business: another business's public id finds nothing."""
    return db.session.scalar(select(ApiToken).where(ApiToken.organisation_id == organisation_id,
                                                    ApiToken.public_id == public_id))
