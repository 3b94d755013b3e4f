"""Rows of `centres` and `kiosks` (portal.domain.kiosks holds the rules). The caller commits."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal.data.db import db
from portal.data.models import Centre, Kiosk


def centres() -> list[Centre]:
    return list(db.session.scalars(select(Centre).options(selectinload(Centre.kiosks)).order_by(Centre.name_en)))


def centre_by_slug(slug: str) -> Centre | None:
    return db.session.scalar(select(Centre).where(Centre.slug == slug))


def add(row) -> None:
    db.session.add(row)
    db.session.flush()


def kiosk(public_id: str) -> Kiosk | None:
    return db.session.scalar(select(Kiosk).where(Kiosk.public_id == public_id))


def kiosk_by_id(kiosk_id: int) -> Kiosk | None:
    return db.session.get(Kiosk, kiosk_id)


def kiosk_by_enrolment(digest: str) -> Kiosk | None:
    """Locked until commit: two browsers opening the same link at once cannot both become the kiosk."""
    return db.session.scalar(select(Kiosk).where(Kiosk.enrolment_digest == digest).with_for_update())


def kiosk_by_device(digest: str) -> Kiosk | None:
    return db.session.scalar(select(Kiosk).options(selectinload(Kiosk.centre)).where(Kiosk.device_digest == digest))


def note_seen(kiosk_id: int, at) -> None:
    """Written and committed apart from the request's unit of work (as sessions are)."""
    with db.session_factory() as store:
        store.execute(update(Kiosk).where(Kiosk.id == kiosk_id).values(last_seen_at=at))
        store.commit()
