"""Issue 11, item 4: when the database or Redis is down, every page answers the portal's own 503 (in
Khmer and English, with Retry-After), never gunicorn's bare "Internal Server Error"; and the portal
recovers without a restart when the server is back.

Real processes, real outages: gunicorn with two workers on a free port; a PostgreSQL cluster and a
Redis of the test's own, stopped and started again. On SQLite the outage is the database's write lock
held by another process (every request of the portal begins with BEGIN IMMEDIATE), so the SQLite pass
tests the same pages too.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest

from portal.paths import PROJECT_ROOT
from tests.outage_servers import Browser, OwnRedis, PostgresCluster, free_port, postgres_available

pytestmark = [pytest.mark.no_db_transaction, pytest.mark.own_servers]

KM_TITLE = "សេវានេះមិនអាចប្រើបាននៅពេលនេះទេ"
EN_TITLE = "The service is not available right now"
CITIZEN = ("sokha@demo.onewindow.gov.kh", "sokha-rice-field-2026")
SUPERVISOR = "supervisor.sangkat-svay-por@demo.onewindow.gov.kh"
STAFF_PASSWORD = "lotus-pond-office-2026"  # noqa: S105 - the published demo password


class Portal:
    def __init__(self, tmp_path, database: str):
        self.tmp = tmp_path
        self.database = database
        self.server = self.postgres = self.log = None
        self.redis = OwnRedis(tmp_path).start()
        try:
            self._start(tmp_path, database)
        except BaseException:
            self.close()
            raise

    def _start(self, tmp_path, database: str) -> None:
        self.postgres = PostgresCluster().create() if database == "postgresql" else None
        self.sqlite_file = tmp_path / "portal.db"
        url = self.postgres.url if self.postgres else f"sqlite:///{self.sqlite_file}"
        self.environ = {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
                        "PORTAL_ENV": "development", "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
                        "DATABASE_URL": url, "REDIS_URL": self.redis.url, "PORTAL_BASE_URL": "http://portal.test"}
        flask = [sys.executable, "-m", "flask", "--app", "app"]
        subprocess.run([*flask, "db", "upgrade"], cwd=PROJECT_ROOT, env=self.environ, check=True,
                       capture_output=True)
        demo = subprocess.run([*flask, "demo", "load"], cwd=PROJECT_ROOT, env=self.environ, check=True,
                              capture_output=True, text=True).stdout
        self.supervisor_secret = re.search(re.escape(SUPERVISOR) + r"\s+\S+\s+([A-Z2-7]{32})", demo).group(1)
        self.port = free_port()
        self.log = (tmp_path / "gunicorn.log").open("wb")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--timeout", "90",
             "--bind", f"127.0.0.1:{self.port}", "app:app"],
            cwd=PROJECT_ROOT, env=self.environ, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while not self._answers():
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            return Browser(self.base).request("/healthz", timeout=2).status == 200
        except OSError:
            return False

    def close(self) -> None:
        if self.server:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.log:
            self.log.close()
        self.redis.stop()
        if self.postgres:
            self.postgres.destroy()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def portal(request, tmp_path_factory):
    if request.param == "postgresql" and not postgres_available():
        pytest.skip("PostgreSQL 15 binaries are not installed")
    server = Portal(tmp_path_factory.mktemp(f"outage-{request.param}"), request.param)
    yield server
    server.close()


def sign_in(portal: Portal, contact: str, password: str, secret: str | None = None) -> Browser:
    browser = Browser(portal.base)
    response = browser.submit(browser.get("/sign-in"), {"contact": contact, "password": password})
    assert response.status == 302, response.status
    if secret:
        response = browser.submit(browser.get("/sign-in/code"), {"code": pyotp.TOTP(secret).now()})
        assert response.status == 302, response.status
    return browser


def assert_outage_page(page, where: str, first_language: str = "km") -> None:
    assert page.status == 503, (where, page.status, page.text[:300])
    assert page.headers["Retry-After"].isdigit(), where
    assert KM_TITLE in page.text and EN_TITLE in page.text, (where, page.text[:500])
    assert f'<html lang="{first_language}">' in page.text, where
    h1 = re.search(r"<h1>(.*?)</h1>", page.text).group(1)
    assert h1 == (KM_TITLE if first_language == "km" else EN_TITLE), where


class Outage:
    """Stops the database: PostgreSQL stopped, or SQLite's write lock held by another process."""

    def __init__(self, portal: Portal):
        self.portal = portal
        self.lock: sqlite3.Connection | None = None

    def __enter__(self):
        if self.portal.postgres:
            self.portal.postgres.stop()
        else:
            self.lock = sqlite3.connect(self.portal.sqlite_file, isolation_level=None, timeout=30)
            self.lock.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *_exc):
        if self.portal.postgres:
            self.portal.postgres.start()
        else:
            self.lock.execute("ROLLBACK")
            self.lock.close()


def test_a_database_outage_answers_the_portals_own_503_and_the_portal_recovers_without_a_restart(portal):
    citizen = sign_in(portal, *CITIZEN)
    supervisor = sign_in(portal, SUPERVISOR, STAFF_PASSWORD, portal.supervisor_secret)
    visitor, english_visitor = Browser(portal.base), Browser(portal.base)
    english_visitor.set_language("en")
    start = citizen.get("/services/residence-certificate/start")
    step_url = citizen.submit(start, {"applicant": "me"}, selector="main form").headers["Location"]
    step = citizen.get(step_url)
    assert step.status == 200
    sign_in_form = visitor.get("/sign-in")
    assert supervisor.get("/staff/queue").status == 200

    requests = {
        "signed-in page": lambda: citizen.get("/applications"),
        "signed-in home": lambda: citizen.get("/"),
        "a form step": lambda: citizen.get(step_url),
        "a form post": lambda: citizen.submit(step, {}, selector="main form[enctype]"),
        "staff queue": lambda: supervisor.get("/staff/queue"),
        "staff dashboard": lambda: supervisor.get("/staff/dashboard"),
        "sign-in post": lambda: visitor.submit(sign_in_form, {"contact": CITIZEN[0], "password": CITIZEN[1]}),
        "English visitor's sign-in page": lambda: english_visitor.get("/sign-in"),
    }
    with Outage(portal), ThreadPoolExecutor(max_workers=len(requests)) as pool:
        pages = dict(zip(requests, pool.map(lambda call: call(), requests.values()), strict=True))
        public = [visitor.get("/"), visitor.get("/services/residence-certificate")]

    for where, page in pages.items():
        assert_outage_page(page, where, "en" if where.startswith("English") else "km")
    for page in public:  # pages that need no database may still answer; none may fail otherwise
        assert page.status in (200, 503)
        if page.status == 503:
            assert_outage_page(page, "public page")
    assert "Internal Server Error" not in (portal.tmp / "gunicorn.log").read_text()

    # Back without a restart: the same sessions, the same form, nothing half-written before.
    deadline = time.monotonic() + 30
    while citizen.get("/applications").status != 200:
        assert time.monotonic() < deadline, "the portal did not recover"
        time.sleep(0.5)
    assert supervisor.get("/staff/queue").status == 200
    assert citizen.submit(step, {}, selector="main form[enctype]").status == 302


def test_a_redis_outage_keeps_people_signed_in_and_pages_that_need_redis_answer_503(portal):
    citizen = sign_in(portal, *CITIZEN)
    portal.redis.stop()
    try:
        assert citizen.get("/applications").status == 200  # the session is in the database
        # /healthz tells the operator; it is not an error page.
        assert Browser(portal.base).get("/healthz").status in (200, 503)
        admin_jobs = sign_in(portal, *CITIZEN).get("/admin/jobs/failed")
        assert admin_jobs.status in (403, 404)  # a citizen is refused as ever, Redis or not
    finally:
        portal.redis.start()
