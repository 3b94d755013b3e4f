"""Rows of "Download my data" archives (issue 18, portal.domain.personal_data.exports)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from portal.data.db import db
from portal.data.models import DataExport


def add(person_id: int) -> DataExport:
    export = DataExport(person_id=person_id)
    db.session.add(export)
    db.session.flush()
    return export


def get(export_id: int) -> DataExport | None:
    return db.session.get(DataExport, export_id)


def for_person(public_id: str, person_id: int) -> DataExport | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(DataExport).where(DataExport.public_id == public_id,
                                                      DataExport.person_id == person_id))


def latest_for(person_id: int) -> DataExport | None:
    return db.session.scalar(select(DataExport).where(DataExport.person_id == person_id)
                             .order_by(DataExport.id.desc()).limit(1))


def mark_ready(export_id: int, *, file_name: str, size: int, sha256: str, ready_at: datetime,
               expires_at: datetime) -> bool:
    """Compare and set: of two runs of the job, the first to finish wins (the other's file is swept)."""
    result = db.session.execute(
        update(DataExport).where(DataExport.id == export_id, DataExport.ready_at.is_(None))
        .values(file_name=file_name, size=size, sha256=sha256, ready_at=ready_at, expires_at=expires_at)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def expired_before(moment: datetime) -> list[DataExport]:
    return list(db.session.scalars(select(DataExport).where(DataExport.expires_at < moment)))


def remove(export_ids: list[int]) -> None:
    if export_ids:
        db.session.execute(delete(DataExport).where(DataExport.id.in_(export_ids)))


def file_names() -> set[str]:
    return set(db.session.scalars(select(DataExport.file_name).where(DataExport.file_name.is_not(None))))
