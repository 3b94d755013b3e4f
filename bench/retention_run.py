"""The retention run (portal.domain.retention) on N closed applications, each with an uploaded document
attached and a PDF issued for it (two stored files): the dry run (planning only) and the real run, per
application, beside a bare removal of the same rows and files (plain DELETE statements, one transaction,
then the files unlinked; no per-application lock, check, transaction or audit entry) as the floor.

Own SQLite database by default; with DATABASE_URL, a database of its own on that PostgreSQL server
(bench/_portal.py). Prints figures; never fails on time.
Usage: .venv/bin/python bench/retention_run.py [--quick] [applications]   (default 200; --quick 60)"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta

from _portal import portal_app
from _rows import compared, row

QUICK = "--quick" in sys.argv
ARGS = [a for a in sys.argv[1:] if a != "--quick"]
N = int(ARGS[0]) if ARGS else (60 if QUICK else 200)
ROUNDS = 3


def tiny_pdf(label: str) -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"% " + label.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def make_closed(service, person, n: int, closed_at) -> list[int]:
    """N applications of `service` closed at `closed_at`, each with an attached upload and an issued PDF."""
    from portal.data import applications as application_data
    from portal.domain.applications import versions
    from portal.domain.documents import get_document_store
    from portal.extensions import db

    store = get_document_store()
    version = versions.pin(service)
    ids = []
    stamp = time.time_ns()
    for i in range(n):
        application = application_data.create(
            service_version_id=version.id, service_slug=service.slug, applicant_person_id=person.id,
            state="approved", answers={"name": f"bench {i}"}, reference=f"BN-{stamp % 10**6:06d}{i:05d}",
            submitted_at=closed_at, closed_at=closed_at)
        upload = store.add_issued(tiny_pdf(f"upload {stamp} {i}"), name="id.pdf", kind="receipt",
                                  owner_person_id=person.id)
        application_data.attach(application, "id_card", upload.id)
        store.add_issued(tiny_pdf(f"issued {stamp} {i}"), name="permit.pdf", owner_person_id=person.id,
                         application_id=application.id)
        ids.append(application.id)
    db.session.commit()
    return ids


def bare_removal(ids: list[int]) -> None:
    """The floor: the same rows and files gone, in the fewest statements."""
    from sqlalchemy import delete, select

    from portal.data.models import Application, ApplicationDocument, ApplicationEvent, Blob, Document
    from portal.domain.documents import get_document_store
    from portal.extensions import db

    attached = select(ApplicationDocument.document_id).where(ApplicationDocument.application_id.in_(ids))
    documents = db.session.execute(select(Document.id, Document.sha256).where(
        (Document.application_id.in_(ids)) | Document.id.in_(attached))).all()
    db.session.execute(delete(ApplicationDocument).where(ApplicationDocument.application_id.in_(ids)))
    db.session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(ids)))
    db.session.execute(delete(Document).where(Document.id.in_([d.id for d in documents])))
    db.session.execute(delete(Blob).where(Blob.sha256.in_([d.sha256 for d in documents])))
    db.session.execute(delete(Application).where(Application.id.in_(ids)))
    db.session.commit()
    storage = get_document_store().storage
    for document in documents:
        storage.remove_if_untouched_since(document.sha256, time.time() + 1)


def age_files() -> None:
    import os

    from portal.domain.documents import get_document_store

    storage = get_document_store().storage
    then = time.time() - 3 * 86400
    for key in list(storage.keys()):  # a storage, not a dict
        os.utime(storage._path(key), (then, then))


def main() -> None:
    from portal.data import people
    from portal.data.db import utcnow
    from portal.domain import clock
    from portal.domain.catalogue import get_catalogue
    from portal.domain.identity.passwords import hash_password
    from portal.domain.retention import runs
    from portal.extensions import db

    with portal_app():
        # Any service will do: the run is the same for each; one whose record is removed, if there is one.
        services = sorted(get_catalogue().services, key=lambda s: (s.keep_record, s.slug))
        service = services[0]
        person = people.create(password_hash=hash_password("bench-password-1"), email="bench@example.org")
        db.session.commit()
        closed_at = utcnow() - timedelta(days=366 * (service.retention_years + 1))
        day = clock.today()
        print(f"{db.engine.dialect.name}, {N} applications of {service.slug} per round, {ROUNDS} rounds "
              f"({'reduced' if service.keep_record else 'removed'}; 2 files each)")
        dry, real, bare = [], [], []
        for _round in range(ROUNDS):
            make_closed(service, person, N, closed_at)
            age_files()
            start = time.perf_counter()
            outcome = runs.run(day, dry_run=True)
            dry.append((time.perf_counter() - start) / N)
            start = time.perf_counter()
            done = runs.run(day)
            real.append((time.perf_counter() - start) / N)
            assert done.totals.documents == outcome.totals.documents == 2 * N, (outcome.totals, done.totals)
            ids = make_closed(service, person, N, closed_at)
            age_files()
            start = time.perf_counter()
            bare_removal(ids)
            bare.append((time.perf_counter() - start) / N)
        dry_ms, real_ms, bare_ms = (statistics.median(x) * 1000 for x in (dry, real, bare))
        print(f"per application: dry run {dry_ms:.2f} ms, real run {real_ms:.2f} ms, bare removal {bare_ms:.2f} ms")
        print(f"applications removed per second by the real run: {1000 / real_ms:.0f}")
        print(compared("retention: real run per application (ms) vs bare DELETEs", real_ms, bare_ms))
        print(compared("retention: dry run per application (ms) vs bare DELETEs", dry_ms, bare_ms))
        row("retention: applications per second, real run", 1000 / real_ms)


if __name__ == "__main__":
    main()
