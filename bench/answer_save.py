"""Saving one step's answers (portal.domain.applications.journey.save_answers, then the commit), per save, beside
a bare UPDATE of the same row's answers and a commit as the floor. save_answers takes the application's row lock
and reads the row again first (two tabs saving at once each add to what the other left), then keeps the file
fields' attachments in step: measured on a service without a file field (every shipped one) and on the same
service with one added, each save naming another document.

Own SQLite database by default; with DATABASE_URL, a database of its own on that PostgreSQL server
(bench/_portal.py). Prints figures; never fails on time.
Usage: .venv/bin/python bench/answer_save.py [--quick] [saves]   (default 300; --quick 100)"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time

from _portal import portal_app
from _rows import compared, row

QUICK = "--quick" in sys.argv
ARGS = [a for a in sys.argv[1:] if a != "--quick"]
N = int(ARGS[0]) if ARGS else (100 if QUICK else 300)
ROUNDS = 3


def with_a_file_field(service):
    """The same definition with a file field on its first step (a copy: the catalogue's is not changed)."""
    from portal.domain.catalogue.model import Field, Text

    plan = Field(id="bench_plan", type="file", label=Text(km="ប្លង់", en="Plan"), accept=("pdf",), max_mb=1)
    first = dataclasses.replace(service.steps[0], fields=(*service.steps[0].fields, plan))
    return dataclasses.replace(service, steps=(first, *service.steps[1:]))


def timed_saves(application, answers: list[dict], service=None, locked: bool = True) -> float:
    """Seconds per save_answers and commit; `service` stands in for the application's own definition; not
    `locked`: the row lock and fresh read left out, to see what they cost."""
    from portal.data import applications as application_data
    from portal.domain.applications import journey, versions
    from portal.extensions import db

    own_definition, own_lock = versions.definition_for, application_data.lock_for_write
    if service is not None:
        versions.definition_for = lambda _application: service
    if not locked:
        application_data.lock_for_write = lambda _application: True
    try:
        start = time.perf_counter()
        for given in answers:
            journey.save_answers(application, given)
            db.session.commit()
        return (time.perf_counter() - start) / len(answers)
    finally:
        versions.definition_for, application_data.lock_for_write = own_definition, own_lock


def bare_updates(application_id: int, n: int) -> float:
    from sqlalchemy import update

    from portal.data.models import Application
    from portal.extensions import db

    start = time.perf_counter()
    for i in range(n):
        db.session.execute(update(Application).where(Application.id == application_id)
                           .values(answers={"bench": f"answer {i}"}))
        db.session.commit()
    return (time.perf_counter() - start) / n


def main() -> None:
    from portal.data import people
    from portal.domain.applications import journey
    from portal.domain.catalogue import get_catalogue
    from portal.domain.documents import get_document_store
    from portal.domain.identity.passwords import hash_password
    from portal.extensions import db

    with portal_app():
        service = sorted(get_catalogue().services, key=lambda s: s.slug)[0]
        field = service.steps[0].fields[0].id
        person = people.create(password_hash=hash_password("bench-password-1"), email="bench@example.org")
        db.session.commit()
        store = get_document_store()
        documents = [store.add_issued(b"%PDF-1.4\n% bench " + str(i).encode() + b"\n%%EOF\n", name="plan.pdf",
                                      kind="receipt", owner_person_id=person.id) for i in range(N)]
        db.session.commit()
        print(f"{db.engine.dialect.name}, {N} saves of a draft of {service.slug} per round, {ROUNDS} rounds")
        plain, unlocked, filed, bare = [], [], [], []
        for _round in range(ROUNDS):
            draft = journey.start(service, person)
            db.session.commit()
            plain.append(timed_saves(draft, [{field: f"answer {i}"} for i in range(N)]))
            draft = journey.start(service, person)
            db.session.commit()
            unlocked.append(timed_saves(draft, [{field: f"answer {i}"} for i in range(N)], locked=False))
            draft = journey.start(service, person)
            db.session.commit()
            filed.append(timed_saves(draft, [{"bench_plan": d.public_id} for d in documents],
                                     with_a_file_field(service)))
            draft = journey.start(service, person)
            db.session.commit()
            bare.append(bare_updates(draft.id, N))
        plain_ms, unlocked_ms, filed_ms, bare_ms = (statistics.median(x) * 1000
                                                    for x in (plain, unlocked, filed, bare))
        print(f"per save: save_answers {plain_ms:.2f} ms (without the lock {unlocked_ms:.2f} ms), with a file "
              f"field {filed_ms:.2f} ms, bare UPDATE {bare_ms:.2f} ms")
        print(compared("step save: save_answers and commit (ms) vs bare UPDATE", plain_ms, bare_ms))
        print(compared("step save: with the row lock vs without (ms)", plain_ms, unlocked_ms))
        print(compared("step save with a file field (ms) vs bare UPDATE", filed_ms, bare_ms))
        row("step save: saves per second", 1000 / plain_ms)


if __name__ == "__main__":
    main()
