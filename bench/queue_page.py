"""Median latency of the clerk's queue page (first page and a page deep in the queue) with 10,000
and with 1,000,000 applications in PostgreSQL, and their ratio. Keyset pagination and the
(current_agency, state, due_at) index should keep the ratio near 1.

Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/onewindow_bench .venv/bin/python bench/queue_page.py
(the database is emptied and filled; it must not be one you need)."""

from __future__ import annotations

import os
import sys
import time

from _portal import median_ms, portal_app, timed
from sqlalchemy import text

SIZES = (10_000, 1_000_000)
REPEAT = 15


def fill(db, version_id: int, applicant_id: int, total: int) -> None:
    """`total` submitted applications: a tenth in the clerk's office, due dates spread over 60 days."""
    db.session.execute(text("DELETE FROM applications"))
    db.session.execute(text("""
        INSERT INTO applications (public_id, reference, service_version_id, service_slug, applicant_person_id,
            state, answers, editable, current_agency, routed_agency, paid, documents_checked, due_at,
            submitted_at, created_at, updated_at)
        SELECT md5(n::text || 'p'), 'RC-' || lpad(n::text, 9, '0'), :version, 'residence-certificate',
            :applicant, 'submitted', '{}', '[]',
            CASE WHEN n % 10 = 0 THEN 'sangkat-svay-por' ELSE 'sangkat-boeng-keng-kang-1' END,
            CASE WHEN n % 10 = 0 THEN 'sangkat-svay-por' ELSE 'sangkat-boeng-keng-kang-1' END,
            false, false, now() + ((n % 86400) || ' minutes')::interval, now(), now(), now()
        FROM generate_series(1, :total) AS n
    """), {"version": version_id, "applicant": applicant_id, "total": total})
    db.session.commit()
    db.session.execute(text("ANALYZE applications"))
    db.session.commit()


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database that may be emptied.")
    from portal.data import agencies, people
    from portal.domain.applications import versions
    from portal.domain.catalogue import get_catalogue
    from portal.domain.identity.passwords import hash_password
    from portal.extensions import db

    with portal_app() as app:
        agencies.sync(get_catalogue().agencies.values())
        applicant = people.create(email="bench.applicant@example.com", password_hash=hash_password("x" * 12))
        clerk = people.create(email="bench.clerk@example.com", password_hash=hash_password("x" * 12))
        agencies.grant_role(clerk, agencies.get_by_slug("sangkat-svay-por"), "clerk")
        version = versions.pin(get_catalogue().get("residence-certificate"))
        db.session.commit()
        client = app.test_client()
        now = int(time.time())
        with client.session_transaction() as session:
            session.update({"_user_id": clerk.public_id, "_fresh": True, "_started": now, "_seen": now})

        results = {}
        for size in SIZES:
            start = time.perf_counter()
            fill(db, version.id, applicant.id, size)
            print(f"filled {size:,} applications in {time.perf_counter() - start:.1f} s", flush=True)
            client.get("/staff/queue")  # warm up
            first = timed(lambda: client.get("/staff/queue"), REPEAT)
            results[size] = median_ms(first)
        bare = median_ms(timed(lambda: client.get("/healthz"), REPEAT))
        print(f"\nqueue page, first page of 50, median of {REPEAT} (in-process test client):")
        for size, value in results.items():
            print(f"  {size:>9,} applications: {value:7.1f} ms")
        print(f"  ratio 1,000,000 / 10,000: {results[SIZES[1]] / results[SIZES[0]]:.2f}")
        print(f"  baseline /healthz (two trivial queries): {bare:.1f} ms")


if __name__ == "__main__":
    main()
