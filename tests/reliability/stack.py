"""The production-like stack the scenarios share (PostgreSQL, Redis, gunicorn x3, two RQ workers) and what
the scenarios ask of it: fresh applicants, what the database holds, the workers Redis knows, figures."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from rq import Worker
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.reliability import harness
from tests.reliability.browser import Statuses
from tests.reliability.walk import PASSWORD, Applicant, Walk, WalkFailed, learn

APPLICANTS = 600  # accounts made once; each scenario takes fresh ones
FLAG = "PORTAL_RELIABILITY"


def require() -> None:
    """Skip without PORTAL_RELIABILITY; with it, a machine that cannot run the scenarios is a failure."""
    missing = harness.missing_tools()
    if not os.environ.get(FLAG):
        pytest.skip(f"the reliability scenarios start their own PostgreSQL, Redis, gunicorn and workers and take "
                    f"minutes: set {FLAG}=1 to run them (.ci/run does)")
    if missing:
        pytest.fail(f"{FLAG} is set but {missing}", pytrace=False)


class Stack:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.processes = harness.Processes()
        self.postgres = harness.PostgresCluster()
        self.redis = harness.RedisServer(folder, self.processes)
        self.portal: harness.Portal | None = None
        self.walk: Walk | None = None
        self._numbers = itertools.count(3)  # 1 and 2 teach the walk
        self._lock = threading.Lock()
        self.engine = None

    # --- up and down ---------------------------------------------------------------------------

    def start(self) -> Stack:
        began = time.monotonic()
        self.postgres.create()
        self.redis.start()
        self.portal = harness.Portal(self.folder, self.postgres.url, self.redis, self.processes)
        self.portal.install()
        self.portal.python("tests.reliability.seed", "people", "applicant", str(APPLICANTS), PASSWORD)
        self.portal.start_web()
        self.portal.start_worker()
        self.portal.start_worker()
        self.engine = create_engine(self.postgres.url.replace("postgresql://", "postgresql+psycopg://"),
                                    poolclass=NullPool)
        self.walk = learn(self.portal, Statuses(), "applicant-1@example.com", "applicant-2@example.com")
        print(f"\nRELIABILITY stack: up in {time.monotonic() - began:.0f} s; service walked: {self.walk.slug}")
        return self

    def stop(self) -> list[str]:
        """Stop everything; the command lines of processes that were still running afterwards (then killed)."""
        if self.engine is not None:
            self.engine.dispose()
        self.processes.stop_all()
        self.postgres.destroy()
        left = harness.kill_leftovers(self.folder) + harness.kill_leftovers(self.postgres.folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        return left

    # --- people and load -----------------------------------------------------------------------

    def applicants(self, count: int, statuses: Statuses) -> list[Applicant]:
        with self._lock:
            numbers = [next(self._numbers) for _ in range(count)]
        if numbers[-1] > APPLICANTS:
            raise AssertionError(f"the scenarios need more than the {APPLICANTS} accounts made")
        return [Applicant(self.portal.url, statuses, f"applicant-{n}@example.com", self.walk, n) for n in numbers]

    @staticmethod
    def each(items: Iterable, action: Callable, threads: int) -> list:
        """`action(item)` for every item with `threads` at a time; the results, or the WalkFailed raised."""
        def attempt(item):
            try:
                return action(item)
            except (WalkFailed, OSError) as failed:
                return failed

        with ThreadPoolExecutor(threads) as pool:
            return list(pool.map(attempt, items))

    # --- what the database and Redis hold ------------------------------------------------------

    def rows(self, query: str, **params) -> list:
        with self.engine.connect() as connection:
            return list(connection.execute(text(query), params))

    def applications(self, applicants: list[Applicant]) -> list:
        """(public_id, state, reference) of every application the applicants started."""
        ids = [path.rsplit("/", 1)[-1] for a in applicants for path in a.started]
        if not ids:
            return []
        return self.rows("SELECT public_id, state, reference FROM applications WHERE public_id = ANY(:ids)",
                         ids=ids)

    def receipts_per_application(self, public_ids: list[str]) -> dict[str, int]:
        found = self.rows(
            "SELECT a.public_id, count(d.id) FROM applications a LEFT JOIN documents d "
            "ON d.application_id = a.id AND d.kind = 'receipt' WHERE a.public_id = ANY(:ids) GROUP BY a.public_id",
            ids=public_ids)
        return dict(found)

    def received_emails_per_application(self, public_ids: list[str]) -> dict[str, int]:
        """Sent emails of the 'application received' notification, per application (its link names it)."""
        links = [f"/applications/{p}" for p in public_ids]
        found = self.rows(
            "SELECT n.link, count(d.id) FILTER (WHERE d.status = 'sent') FROM notifications n "
            "JOIN notification_deliveries d ON d.notification_id = n.id "
            "WHERE n.message = 'application_received' AND n.link = ANY(:links) GROUP BY n.link", links=links)
        return {link.rsplit("/", 1)[-1]: n for link, n in found} | {
            p: 0 for p in public_ids if f"/applications/{p}" not in {link for link, _ in found}}

    def receipt_files_missing(self, public_ids: list[str]) -> int:
        shas = self.rows("SELECT d.sha256 FROM documents d JOIN applications a ON d.application_id = a.id "
                         "WHERE d.kind = 'receipt' AND a.public_id = ANY(:ids)", ids=public_ids)
        root = self.portal.instance / "docstore" / "blobs"  # the default DOCSTORE_PATH, and its blobs/
        return sum(1 for (sha,) in shas if not (root / sha[:2] / sha[2:4] / sha).is_file())

    def rq_workers(self) -> list[Worker]:
        connection = redis.Redis.from_url(self.redis.url, socket_timeout=5)
        try:
            return Worker.all(connection=connection)
        finally:
            connection.close()

    def submitted(self, applicants: list[Applicant]) -> list[str]:
        return [public_id for public_id, state, _ in self.applications(applicants) if state != "draft"]

    def wait_for_receipts_and_emails(self, public_ids: list[str], timeout: float) -> tuple[float | None, dict]:
        """Seconds until every application has its receipt and its 'received' email (None: not within
        `timeout`), and the counts then."""
        began = time.monotonic()
        while True:
            receipts = self.receipts_per_application(public_ids)
            emails = self.received_emails_per_application(public_ids)
            if all(receipts.get(p, 0) >= 1 and emails.get(p, 0) >= 1 for p in public_ids):
                return time.monotonic() - began, {"receipts": receipts, "emails": emails}
            if time.monotonic() - began > timeout:
                return None, {"receipts": receipts, "emails": emails}
            time.sleep(1)


def figures(scenario: str, **values) -> None:
    """One line per scenario for the lead to quote (`pytest -s`)."""
    print(f"\nRELIABILITY {scenario}: " + ", ".join(f"{k}={v}" for k, v in values.items()), flush=True)


def new_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="onewindow-rel-"))
