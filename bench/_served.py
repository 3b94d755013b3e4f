"""Apps served over HTTP for benchmarks: the portal and a bare Flask app, each under gunicorn with the same
worker settings, each torn down (processes, temporary folder, database) when its `with` block ends. The one
starter of bench/pages.py and bench/mixed_load.py.

The portal runs as production runs it (PORTAL_ENV=production: Secure `__Host-` cookie, hashed and compressed
static files, keys required at start-up), with keys made by its own CLI in a temporary instance folder, its own
database (`_portal.bench_database`: SQLite in that folder, or a new PostgreSQL database when DATABASE_URL names a
PostgreSQL server) and its own embedded Redis. Demo data is loaded with `flask demo load`, which refuses
production, so that command and the seeding of extra citizens (tests/reliability/seed.py, one password hash for
all of them) run with PORTAL_ENV=development on the same instance, database and keys. On request, one
`flask jobs worker` (as deploy.md runs it) works the portal's queues.

Over the plain http of a benchmark a client must send the Secure cookie back by hand (bench/_load.py's
`Client`, bench/mixed_load.py's browsers): the TLS proxy production sits behind is left out.

Only commands present at 45c40ae are used, so the same starter serves an older checkout too.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent  # the portal these benchmarks measure: the checkout they live in
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import _portal  # noqa: E402

# The same for every app served: 2 processes of 4 threads each (gthread keeps connections alive, as a
# production server behind a proxy does; sync workers close each connection after one answer).
WORKERS = 2
WORKER_CLASS = "gthread"
THREADS = 4
CITIZEN_PASSWORD = "reliable-tea-7-ទឹកដោះគោ"  # noqa: S105 - tests/reliability/walk.py's, for seeded citizens


def settings_text(workers: int = WORKERS) -> str:
    return f"gunicorn {workers} workers, {WORKER_CLASS} x {THREADS} threads"


SETTINGS_TEXT = settings_text()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str  # http://127.0.0.1:<port>
    log: Path


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # its own group (start_new_session): gunicorn and its workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_until_up(process: subprocess.Popen, url: str, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start-up:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds:.0f} s:\n{log.read_text()[-3000:]}")


@contextmanager
def gunicorn(app: str, chdir: Path, environ: dict, log: Path, probe: str = "/", workers: int = WORKERS):
    """`app` ("module:variable", imported from `chdir`) under gunicorn on a free port, until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--chdir", str(chdir), "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", WORKER_CLASS, "--threads", str(THREADS),
               "--keep-alive", "5", "--log-level", "warning", "--backlog", "2048", app]
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=chdir, env=environ, stdout=output, stderr=output,  # noqa: S603
                                   start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(process, url + probe, log)
        yield Served(url, log)
    finally:
        _stop(process)


@contextmanager
def served_bare(folder: Path):
    with gunicorn("_bare_app:app", BENCH, dict(os.environ), folder / "bare.log") as served:
        yield served


@contextmanager
def served_floor(folder: Path, database_url: str, session_digest: str, application: str):
    """bench/_floor_app.py (bare Flask plus a signed-in page's reads) against the portal's database."""
    environ = {**os.environ, "FLOOR_DATABASE_URL": database_url, "FLOOR_SESSION_DIGEST": session_digest,
               "FLOOR_APPLICATION": application}
    with gunicorn("_floor_app:app", BENCH, environ, folder / "floor.log") as served:
        yield served


@dataclass
class ServedPortal(Served):
    environ: dict  # the production environment it runs with
    demo_output: str  # what `flask demo load` printed (its table of demo accounts)
    citizens: list[str]  # emails of the seeded citizens, all with CITIZEN_PASSWORD
    database: str  # "postgresql" or "sqlite"
    startup: dict[str, float]  # seconds each start-up step took

    def development_settings(self):
        """Settings for working on the same instance and database in this process (`flask demo load` style)."""
        from portal.config import load_settings

        return load_settings(_development(self.environ))

    def python(self, module: str, *arguments: str) -> str:
        """`python -m module arguments` on the same instance and database (tests/reliability/seed.py). In a
        process of its own: the portal's app cannot be made twice in one process (its blueprints are shared)."""
        return _run([sys.executable, "-m", module, *arguments], _development(self.environ))


def _development(environ: dict) -> dict:
    return {**environ, "PORTAL_ENV": "development"}


def _run(command: list[str], environ: dict) -> str:
    result = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True,  # noqa: S603
                            timeout=600, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def _flask(environ: dict, *arguments: str) -> str:
    return _run([sys.executable, "-m", "flask", "--app", "app", *arguments], environ)


def _flask_at_once(environ: dict, commands: list[tuple[str, ...]]) -> list[str]:
    with ThreadPoolExecutor(len(commands)) as pool:
        return list(pool.map(lambda command: _flask(environ, *command), commands))


@contextmanager
def rq_worker(environ: dict, folder: Path):
    """One `flask jobs worker` until the block ends. RQ forks each job's work horse into a process group of
    its own: whatever is left of it naming `folder` is killed after the worker stops."""
    from tests.reliability.harness import kill_leftovers

    with (folder / "worker.log").open("ab") as output:
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"],  # noqa: S603
                                   cwd=ROOT, env=environ, stdout=output, stderr=output, start_new_session=True)
    try:
        yield process
    finally:
        _stop(process)
        kill_leftovers(folder)


@contextmanager
def served_portal(workers: int = WORKERS, worker_for_jobs: bool = False, citizens: int = 0):
    """The portal under gunicorn (`workers` processes); with `worker_for_jobs` one RQ worker beside it; with
    `citizens` that many citizens (citizen-1@example.com ...) besides the demo data."""
    from portal.data import migrate

    folder = Path(tempfile.mkdtemp(prefix="portal-served-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        database_url = stack.enter_context(_portal.bench_database(folder))
        redis_server = _portal.EmbeddedRedis(folder / "redis").start()
        stack.callback(redis_server.stop)
        environ = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "KHQR_"))},
            "PORTAL_ENV": "production", "PORTAL_INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": database_url, "REDIS_URL": redis_server.url,
            "SECRET_KEY": secrets.token_urlsafe(48), "PORTAL_BASE_URL": "https://onewindow.gov.kh",
        }
        startup: dict[str, float] = {}

        def step(name: str, work, *arguments):
            began = time.perf_counter()
            result = work(*arguments)
            startup[name] = startup.get(name, 0.0) + time.perf_counter() - began
            return result

        step("migrate", migrate.upgrade, database_url)
        # Three keyrings, three files: made at once, since each command spends most of its time starting up.
        step("keys", _flask_at_once, environ, [("keys", "generate"), ("audit", "keys", "generate"),
                                               ("data-keys", "generate")])
        demo_output = step("demo load", _flask, _development(environ), "demo", "load")
        if citizens:
            step("seed citizens", _run, [sys.executable, "-m", "tests.reliability.seed", "people", "citizen",
                                         str(citizens), CITIZEN_PASSWORD], _development(environ))
        served = step("gunicorn up", stack.enter_context,
                      gunicorn("app:app", ROOT, environ, folder / "portal.log", "/healthz", workers))
        if worker_for_jobs:
            stack.enter_context(rq_worker(environ, folder))
        yield ServedPortal(served.url, served.log, environ, demo_output,
                           [f"citizen-{n}@example.com" for n in range(1, citizens + 1)],
                           "postgresql" if database_url.startswith("postgres") else "sqlite", startup)


@contextmanager
def bare_folder():
    with tempfile.TemporaryDirectory(prefix="bare-served-") as name:
        yield Path(name)
