"""Rows of `partner_clients` and `partner_access_tokens` (portal.domain.partners). The caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from portal.data.db import db
from portal.data.models import PartnerAccessToken, PartnerClient


def add(row):
    db.session.add(row)
    db.session.flush()
    return row


def client_by_client_id(client_id: str) -> PartnerClient | None:
    return db.session.scalar(select(PartnerClient).where(PartnerClient.client_id == client_id))


def client_by_public_id(public_id: str) -> PartnerClient | None:
    return db.session.scalar(select(PartnerClient).where(PartnerClient.public_id == public_id))


def clients() -> list[PartnerClient]:
    return list(db.session.scalars(select(PartnerClient).order_by(PartnerClient.created_at.desc(),
                                                                 PartnerClient.id.desc())))


def access_token_by_digest(token_digest: str) -> PartnerAccessToken | None:
    return db.session.scalar(select(PartnerAccessToken).where(PartnerAccessToken.token_digest == token_digest))


def purge_access_tokens_expired_before(moment: datetime) -> int:
    return db.session.execute(delete(PartnerAccessToken).where(PartnerAccessToken.expires_at < moment)).rowcount
