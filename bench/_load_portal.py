"""The portal as it is deployed, for the mixed load benchmark (bench/mixed_load.py): gunicorn serving
`app:app`, one `flask jobs worker`, its own Redis, its own database, the README's install steps, the demo
data (`flask demo load`) and citizens to sign in as (tests/reliability/seed.py `people`).

- Database: with a PostgreSQL DATABASE_URL, a database of its own on that server (bench/_portal.py makes
  and drops it; the database the URL names is never touched); otherwise SQLite in the temporary folder
  (a warning: one writer at a time is not how the portal is deployed).
- Redis: an embedded one of its own (a REDIS_URL may name a portal's live queues).

Everything is started and stopped in `served_portal()` alone (to be folded with bench/_served.py, which
starts the portal and a bare app for bench/pages.py). Only commands and routes present at HEAD are used,
so the same starter serves an older checkout too.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _portal import bench_database  # noqa: E402

from portal.redis_server import EmbeddedRedis  # noqa: E402
from tests.reliability import harness  # noqa: E402

CITIZEN_PASSWORD = "reliable-tea-7-ទឹកដោះគោ"  # noqa: S105 - tests/reliability/walk.py's, for seeded citizens


@dataclass(frozen=True)
class StaffAccount:
    role: str
    agency: str
    email: str
    password: str
    totp_secret: str


@dataclass
class ServedPortal:
    url: str
    portal: harness.Portal  # .flask(...), .python(...) run commands against it
    staff: list[StaffAccount]
    citizens: list[str]  # emails, all with CITIZEN_PASSWORD
    database: str  # "postgresql" or "sqlite"


def demo_staff(table: str) -> list[StaffAccount]:
    """The staff accounts `flask demo load` prints (ROLE AGENCY SIGN-IN PASSWORD TOTP-SECRET columns, then
    an otpauth:// line under each): the same table a developer reads to sign in as a demo clerk."""
    accounts = []
    lines = table.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("ROLE") and "TOTP SECRET" in line), None)
    if header is None:
        return accounts
    starts = [lines[header].index(name) for name in ("AGENCY", "SIGN IN WITH", "PASSWORD", "TOTP SECRET")]
    for line in lines[header + 1:]:
        if not line.strip() or line.startswith(" "):
            continue
        cells = [line[:starts[0]], *(line[a:b] for a, b in zip(starts, [*starts[1:], None], strict=True))]
        role, agency, email, password, secret = (cell.strip() for cell in cells)
        if secret and secret != "-" and "@" in email:
            accounts.append(StaffAccount(role, agency, email, password, secret))
    return accounts


@contextmanager
def served_portal(web_workers: int = 4, citizens: int = 60):
    """Start everything; yields a ServedPortal; stops every process and drops the database on the way out."""
    folder = Path(tempfile.mkdtemp(prefix="portal-load-"))
    processes = harness.Processes()
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        stack.callback(harness.kill_leftovers, folder)  # a work horse in a process group of its own
        url = stack.enter_context(bench_database(folder))
        redis = EmbeddedRedis(folder / "redis").start()
        stack.callback(redis.stop)
        portal = harness.Portal(folder, url, redis, processes)
        stack.callback(processes.stop_all)
        portal.install()
        staff = demo_staff(portal.flask("demo", "load"))
        portal.python("tests.reliability.seed", "people", "citizen", str(citizens), CITIZEN_PASSWORD)
        portal.start_web(workers=web_workers)
        portal.start_worker()
        yield ServedPortal(portal.url, portal, staff, [f"citizen-{n}@example.com" for n in range(1, citizens + 1)],
                           "postgresql" if url.startswith("postgres") else "sqlite")


if __name__ == "__main__":  # a smoke check: start, print what was made, stop
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    with served_portal(web_workers=2, citizens=2) as served:
        print(served.url, served.database, len(served.staff), "staff accounts;", served.staff[:2])
