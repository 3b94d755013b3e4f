""""Download my data": a person asks, a job builds the archive (`archive.write`) into a file of its own under
DOCSTORE_PATH/exports, tells them it is ready (inbox, and email or SMS), and they download it for a day. An
hourly sweep removes archives past their day, and files a run died before recording."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app

from portal.data import data_exports, people
from portal.data.db import db, utcnow
from portal.domain import audit
from portal.domain.notify.service import notify
from portal.domain.personal_data import archive
from portal.jobs import names
from portal.jobs.outbox import schedule
from portal.jobs.queues import DEFAULT
from portal.jobs.registry import job

log = logging.getLogger(__name__)
VALID_FOR = timedelta(days=1)
# A request not ready after this is taken to have failed (its job gave up): the person may ask again.
STALLED_AFTER = timedelta(hours=1)
LINK = "/account/my-data"
DOWNLOADED = "personal_data_downloaded"
REQUESTED = "personal_data_requested"


class InProgress(Exception):
    """An archive is being prepared already."""


def directory() -> Path:
    return current_app.config["PORTAL_SETTINGS"].docstore_path / "exports"


def latest(person):
    return data_exports.latest_for(person.id)


def state(export) -> str:
    """`preparing`, `ready`, `expired` or `failed` (not ready within STALLED_AFTER)."""
    now = utcnow()
    if export.ready_at is None:
        return "failed" if export.requested_at < now - STALLED_AFTER else "preparing"
    return "ready" if export.expires_at > now and export.file_name else "expired"


def request(person):
    """Ask for a new archive (the caller commits). Raises InProgress while one is being prepared."""
    previous = latest(person)
    if previous is not None and state(previous) == "preparing":
        raise InProgress
    export = data_exports.add(person.id)
    schedule(names.BUILD_DATA_EXPORT, export.id, job_id=f"data-export-{export.public_id}")
    audit.record(REQUESTED, actor=person, subject_type="person", subject_id=person.public_id,
                 details={"export": export.public_id})
    return export


def for_download(person, public_id: str) -> tuple[object, Path] | None:
    """The person's archive `public_id` and its file, while it may be downloaded; else None."""
    export = data_exports.for_person(public_id, person.id)
    if export is None or state(export) != "ready":
        return None
    path = directory() / export.file_name
    return (export, path) if path.is_file() else None


def record_download(person, export) -> None:
    audit.record(DOWNLOADED, actor=person, subject_type="person", subject_id=person.public_id,
                 details={"export": export.public_id})


@job(DEFAULT, timeout=900, name=names.BUILD_DATA_EXPORT)
def build(export_id: int) -> str | None:
    """Build the archive of export `export_id`. Idempotent: a ready export is left alone, and of two runs at
    once the first to record its file wins (the other's file is removed)."""
    export = data_exports.get(export_id)
    if export is None or export.ready_at is not None:
        return None
    person = people.get_by_id(export.person_id)
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(24)}.zip"
    handle, partial = tempfile.mkstemp(dir=folder, prefix=".partial-")
    os.close(handle)
    try:
        archive.write(person, Path(partial))
        os.replace(partial, folder / name)
    finally:
        Path(partial).unlink(missing_ok=True)
    with (folder / name).open("rb") as built:  # hashed as it is read: an archive may be large
        sha256 = hashlib.file_digest(built, "sha256").hexdigest()
    now = utcnow()
    if not data_exports.mark_ready(export_id, file_name=name, size=(folder / name).stat().st_size, sha256=sha256,
                                   ready_at=now, expires_at=now + VALID_FOR):
        db.session.rollback()
        (folder / name).unlink(missing_ok=True)
        return None
    notify(person, "data_export_ready", {}, link=LINK)
    db.session.commit()
    return export.public_id


@job(DEFAULT, timeout=300, retry_intervals=(), name=names.PURGE_DATA_EXPORTS)
def purge() -> int:
    """The hourly sweep (portal.jobs.cron): archives past their day go, row and file; so do files no row
    names (a build that died before recording its file) once they are an hour old."""
    expired = data_exports.expired_before(utcnow())
    files = [e.file_name for e in expired if e.file_name]
    data_exports.remove([e.id for e in expired])
    db.session.commit()
    folder = directory()
    for file_name in files:
        (folder / file_name).unlink(missing_ok=True)
    if folder.is_dir():
        named = data_exports.file_names()
        cutoff = time.time() - STALLED_AFTER.total_seconds()
        for path in folder.iterdir():
            if path.name not in named and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                files.append(path.name)
    return len(files)
