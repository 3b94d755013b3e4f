"""Median latency of the clerk's queue page, its first page and a page deep in the queue (90% of the way
down the clerk's backlog, reached by the cursor the page before it links to), with 10,000 and with
1,000,000 applications (a tenth of them in the clerk's office), and their ratios. Keyset pagination
and the (current_agency, due_at, id) index should keep every ratio near 1.

Runs on the embedded defaults (SQLite in a temporary folder), or on a database of its own on the
PostgreSQL server of DATABASE_URL (see _portal.py: the database the URL names is never touched).
With --quick: 10,000 and 100,000 (filling 1,000,000 takes minutes on SQLite).
Usage: .venv/bin/python bench/queue_page.py [size ...] [--quick]"""

from __future__ import annotations

import sys
import time

from _portal import median_ms, portal_app, timed
from _rows import row
from sqlalchemy import select, text

QUICK = "--quick" in sys.argv[1:]
SIZES = (tuple(int(size) for size in sys.argv[1:] if size != "--quick")
         or ((10_000, 100_000) if QUICK else (10_000, 1_000_000)))
REPEAT = 15
CLERKS_OFFICE, OTHER_OFFICE = "sangkat-svay-por", "sangkat-boeng-keng-kang-1"
DEEP = 0.9  # how far down the clerk's backlog the deep page starts

ROWS = {
    "postgresql": """
        SELECT md5(n::text || 'p'), 'RC-' || lpad(n::text, 9, '0'), :version, 'residence-certificate',
            :applicant, 'submitted', '{}', '[]', CASE WHEN n % 10 = 0 THEN :clerks ELSE :other END,
            CASE WHEN n % 10 = 0 THEN :clerks ELSE :other END, false, false,
            now() + ((n % 86400) || ' minutes')::interval, now(), now(), now()
        FROM generate_series(1, :total) AS n""",
    # The same rows; dates in the text form SQLAlchemy writes, so that they compare like its own.
    "sqlite": """
        WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < :total)
        SELECT lower(hex(randomblob(16))), 'RC-' || printf('%09d', n), :version, 'residence-certificate',
            :applicant, 'submitted', '{}', '[]', CASE WHEN n % 10 = 0 THEN :clerks ELSE :other END,
            CASE WHEN n % 10 = 0 THEN :clerks ELSE :other END, 0, 0,
            strftime('%Y-%m-%d %H:%M:%S', 'now', '+' || (n % 86400) || ' minutes') || '.000000',
            strftime('%Y-%m-%d %H:%M:%S.000000', 'now'), strftime('%Y-%m-%d %H:%M:%S.000000', 'now'),
            strftime('%Y-%m-%d %H:%M:%S.000000', 'now')
        FROM numbers""",
}


def fill(db, version_id: int, applicant_id: int, total: int) -> None:
    """`total` submitted applications: a tenth in the clerk's office, due dates spread over 60 days."""
    db.session.execute(text("DELETE FROM applications"))
    db.session.execute(text(
        "INSERT INTO applications (public_id, reference, service_version_id, service_slug, applicant_person_id, "
        "state, answers, editable, current_agency, routed_agency, paid, documents_checked, due_at, submitted_at, "
        "created_at, updated_at) " + ROWS[db.engine.dialect.name]),
        {"version": version_id, "applicant": applicant_id, "total": total, "clerks": CLERKS_OFFICE,
         "other": OTHER_OFFICE})
    db.session.commit()
    db.session.execute(text("ANALYZE applications" if db.engine.dialect.name == "postgresql" else "ANALYZE"))
    db.session.commit()


def deep_page(db) -> tuple[str, str, int]:
    """(the `after` cursor of the deep page, the reference that page must start with, its position)."""
    from portal.data.models import Application
    from portal.data.queues import Cursor

    in_queue = db.session.scalar(text("SELECT count(*) FROM applications WHERE current_agency = :a"),
                                 {"a": CLERKS_OFFICE})
    position = int(in_queue * DEEP)
    before, first = db.session.execute(
        select(Application.id, Application.due_at, Application.reference)
        .where(Application.current_agency == CLERKS_OFFICE)
        .order_by(Application.due_at, Application.id).offset(position - 1).limit(2)).all()
    return Cursor(before.due_at, before.id).encode(), first.reference, position + 1


def main() -> None:
    from portal.data import agencies, people
    from portal.domain.applications import versions
    from portal.domain.catalogue import get_catalogue
    from portal.domain.identity.passwords import hash_password
    from portal.extensions import db

    with portal_app() as app:
        agencies.sync(get_catalogue().agencies.values())
        applicant = people.create(email="bench.applicant@example.com", password_hash=hash_password("x" * 12))
        clerk = people.create(email="bench.clerk@example.com", password_hash=hash_password("x" * 12))
        agencies.grant_role(clerk, agencies.get_by_slug(CLERKS_OFFICE), "clerk")
        version = versions.pin(get_catalogue().get("residence-certificate"))
        db.session.commit()
        client = app.test_client()
        now = int(time.time())
        with client.session_transaction() as session:
            session.update({"_user_id": clerk.public_id, "_fresh": True, "_started": now, "_seen": now})

        def page(url: str, expected: str):
            def get():
                response = client.get(url)
                # Measured only if it is the page it claims to be.
                if response.status_code != 200 or expected.encode() not in response.data:
                    sys.exit(f"{url}: status {response.status_code}, {expected} not on the page")
            return get

        print(f"{db.engine.dialect.name}; median of {REPEAT} requests (in-process test client)", flush=True)
        results, setup = {}, 0.0
        for size in SIZES:
            start = time.perf_counter()
            fill(db, version.id, applicant.id, size)
            cursor, deep_reference, position = deep_page(db)
            first_reference = db.session.scalar(text(
                "SELECT reference FROM applications WHERE current_agency = :a ORDER BY due_at, id LIMIT 1"),
                {"a": CLERKS_OFFICE})
            db.session.commit()
            setup += time.perf_counter() - start
            print(f"filled {size:,} applications in {time.perf_counter() - start:.1f} s; the deep page starts at "
                  f"case {position:,} of the clerk's {size // 10:,}", flush=True)
            first, deep = page("/staff/queue", first_reference), page(f"/staff/queue?after={cursor}", deep_reference)
            first(), deep()  # warm up
            results[size] = (median_ms(timed(first, REPEAT)), median_ms(timed(deep, REPEAT)))
        bare = median_ms(timed(lambda: client.get("/healthz"), REPEAT))
        print("\nqueue page of 50:                    first page    deep page   deep / first")
        for size, (first, deep) in results.items():
            print(f"  {size:>9,} applications:        {first:8.1f} ms  {deep:8.1f} ms   {deep / first:6.2f}")
        if len(SIZES) > 1:
            small, large = results[SIZES[0]], results[SIZES[-1]]
            print(f"  ratio {SIZES[-1]:,} / {SIZES[0]:,}:    {large[0] / small[0]:8.2f}     {large[1] / small[1]:8.2f}")
            for index, page in ((0, "first"), (1, "deep")):
                row(f"queue page ms, {page} page, {SIZES[-1]:,} vs {SIZES[0]:,} applications", large[index],
                    small[index], large[index] / small[index], "<= 1.5")
        print(f"  baseline /healthz (two trivial queries): {bare:.1f} ms")
        print(f"setup (filling, indexing, analysing) took {setup:.1f} s in all")


if __name__ == "__main__":
    main()
