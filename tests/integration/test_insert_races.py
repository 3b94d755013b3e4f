"""Many people making the same new row at once (issue 11, item 6): 20 people uploading the same new file,
20 people starting a service version nobody used yet. Every one of them must succeed, and the row
must exist once.

Each person is a thread with its own app context, session and connection. So that the test does not
depend on luck, every thread is held just before it writes the contested row until all 20 are there
(a barrier in the engine's `before_cursor_execute`): with a "look, then add" all 20 have looked and
found nothing by then, which is exactly what happened under load. On PostgreSQL the 20 inserts then
truly run at once; on SQLite they queue for the write lock.
"""

from __future__ import annotations

import shutil
import threading
import time
from contextlib import contextmanager, suppress
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, event, func, select, text, update

from portal.data.db import db, make_engine
from portal.data.models import Application, Blob, Document, Person, ServiceVersion
from portal.domain.applications import journey
from portal.domain.catalogue import get_catalogue
from portal.domain.documents import get_document_store
from portal.paths import PROJECT_ROOT
from tests import docfiles, factories
from tests.service_roots import services_root

pytestmark = pytest.mark.no_db_transaction

PEOPLE = 20


@contextmanager
def engine_for_threads(app, threads: int = PEOPLE, sqlite_write_lock_first: bool = False):
    """Sessions on an engine with a connection for each of the threads (the portal's own pool is sized
    for one request at a time per process), the engine the test suite uses otherwise. SQLite takes its
    write lock at the first write, as in the rest of the suite, unless `sqlite_write_lock_first` (as the
    portal's engine does outside the suite)."""
    db.session.remove()
    engine = make_engine(app.config["PORTAL_SETTINGS"].database_url, sqlite_write_lock_first=sqlite_write_lock_first,
                         pool_size=threads + 2)
    db.session_factory.configure(bind=engine)
    try:
        yield engine
    finally:
        db.session.remove()
        db.session_factory.configure(bind=db.engine)
        engine.dispose()


@contextmanager
def held_before_insert_into(engine, table: str):
    """Each thread's INSERT INTO `table` waits until all threads have reached theirs."""
    barrier = threading.Barrier(PEOPLE, timeout=30)

    def hold(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            # Broken when a thread failed before its insert: let the others go on, and the test report.
            with suppress(threading.BrokenBarrierError):
                barrier.wait()

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hold)


def all_at_once(app, work, people) -> tuple[list, list[BaseException]]:
    """Run `work(person)` in one thread per person, each in its own app context and transaction."""
    results, failures = [], []

    def one(person) -> None:
        with app.app_context():
            try:
                results.append(work(person))
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                failures.append(error)

    threads = [threading.Thread(target=one, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results, failures


def new_people() -> list[Person]:
    people = [factories.person() for _ in range(PEOPLE)]
    db.session.commit()
    return people


def remove(people: list[Person], *statements) -> None:
    db.session.rollback()
    for statement in statements:
        db.session.execute(statement)
    db.session.execute(delete(Person).where(Person.id.in_([p.id for p in people])))
    db.session.commit()


def test_twenty_people_uploading_the_same_new_file_at_once_all_succeed_and_it_is_stored_once(app):
    people = new_people()
    scan = docfiles.png((PEOPLE + 17, 23))  # a file no other test stores
    store = get_document_store()
    sha256 = None
    try:
        with engine_for_threads(app) as engine, held_before_insert_into(engine, "blobs"):
            documents, failures = all_at_once(app, lambda person: store.add_upload(
                scan, "scan.png", created_by=person, owner_person=person, max_bytes=10**6), people)
        assert not failures, failures
        assert len(documents) == PEOPLE
        (sha256,) = {d.sha256 for d in documents}
        assert db.session.scalar(select(func.count()).select_from(Blob).where(Blob.sha256 == sha256)) == 1
        owners = db.session.scalars(select(Document.owner_person_id).where(Document.sha256 == sha256))
        assert sorted(owners) == sorted(p.id for p in people)  # one document each, all on the one blob
        assert store.read(documents[0]) == store.storage.get(sha256)
    finally:
        shas = [sha256] if sha256 else list(db.session.scalars(
            select(Document.sha256).where(Document.owner_person_id.in_([p.id for p in people]))))
        remove(people, delete(Document).where(Document.owner_person_id.in_([p.id for p in people])),
               delete(Blob).where(Blob.sha256.in_(shas)))


def test_twenty_people_starting_a_service_version_nobody_used_yet_all_succeed_and_it_is_pinned_once(
        app, tmp_path):
    people = new_people()
    # After a deploy that changed a service: the same agencies, a definition text never pinned before.
    root = tmp_path / "services"
    shutil.copytree(PROJECT_ROOT / "services", root)
    definition = root / "residence-certificate" / "service.yaml"
    definition.write_text(definition.read_text(encoding="utf-8") + f"\n# deployed for {tmp_path.name}\n",
                          encoding="utf-8")
    with services_root(app, root):
        service = get_catalogue().get("residence-certificate")
        try:
            with engine_for_threads(app) as engine, held_before_insert_into(engine, "service_versions"):
                started, failures = all_at_once(app, lambda person: journey.start(service, person), people)
            assert not failures, failures
            assert len(started) == PEOPLE
            pinned = list(db.session.scalars(select(ServiceVersion).where(
                ServiceVersion.slug == service.slug, ServiceVersion.content_hash == service.content_hash)))
            assert len(pinned) == 1
            assert {a.service_version_id for a in started} == {pinned[0].id}
            assert pinned[0].definition == service.raw
        finally:
            mine = select(ServiceVersion.id).where(ServiceVersion.content_hash == service.content_hash)
            remove(people, delete(Application).where(Application.applicant_person_id.in_([p.id for p in people])),
                   delete(ServiceVersion).where(ServiceVersion.id.in_(mine)))


def test_a_reference_taken_by_a_concurrent_submission_is_drawn_again(app):
    """Two submissions that draw the same free reference at once (chance, but then the unique key made the
    second a 500): the second waits for the first, finds the reference taken, and draws another."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time look and write: the race needs PostgreSQL")
    from portal.data import applications as application_data
    from portal.domain.applications import versions

    applicant = factories.person()
    service = get_catalogue().get("residence-certificate")
    first, second = (application_data.create(service_version_id=versions.pin(service).id, service_slug=service.slug,
                                             applicant_person_id=applicant.id) for _ in range(2))
    db.session.commit()
    drawn = iter(["RC-TAKE-N0W1", "RC-FREE-AFT2"])
    failures: list[BaseException] = []
    try:
        with db.engine.connect() as other:
            # The first submission took the reference and has not committed yet.
            other.begin()
            other.execute(update(Application).where(Application.id == first.id).values(reference="RC-TAKE-N0W1"))

            def submit_second() -> None:
                with app.app_context():
                    try:
                        assert application_data.move_giving_reference(
                            application_data.get_by_id(second.id), "draft", lambda: next(drawn), state="submitted")
                        db.session.commit()
                    except BaseException as error:  # noqa: BLE001 - reported below
                        db.session.rollback()
                        failures.append(error)

            thread = threading.Thread(target=submit_second)
            thread.start()
            with db.engine.connect() as watcher:  # until the second submission waits on the first's row
                waiting = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND wait_event_type = 'Lock'")
                for _ in range(100):
                    if watcher.execute(waiting).scalar():
                        break
                    time.sleep(0.05)
            other.commit()
            thread.join(30)
        assert not failures, failures
        db.session.rollback()
        assert db.session.scalar(select(Application.reference).where(Application.id == second.id)) == "RC-FREE-AFT2"
    finally:
        remove([applicant], delete(Application).where(Application.applicant_person_id == applicant.id))


def test_the_same_authenticator_code_sent_twenty_times_at_once_is_accepted_once(app):
    """A replayed code racing the real one (two tabs, or an attacker who saw it typed): one sign-in only."""
    from portal.data.models import UsedTotpStep
    from portal.domain.identity import totp

    staff = factories.staff()
    db.session.commit()
    secret = totp.secret_of(staff)
    # Only the id is read: no SELECT before the contested insert (SQLite would refuse the read lock's upgrade).
    same_person = SimpleNamespace(id=staff.id)
    now = time.time()
    code = factories.totp_for(staff).at(now)
    try:
        with engine_for_threads(app) as engine, held_before_insert_into(engine, "used_totp_steps"):
            accepted, failures = all_at_once(
                app, lambda _: totp.check_code(same_person, secret, code, now=now), range(PEOPLE))
        assert not failures, failures
        assert sorted(accepted) == [False] * (PEOPLE - 1) + [True]
        assert db.session.scalar(select(func.count()).select_from(UsedTotpStep)
                                 .where(UsedTotpStep.person_id == staff.id)) == 1
    finally:
        remove([staff], delete(UsedTotpStep).where(UsedTotpStep.person_id == staff.id))
