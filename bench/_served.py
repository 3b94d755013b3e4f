"""Apps served over HTTP for benchmarks: the portal and a bare Flask app, each under gunicorn with the same
worker settings, each torn down (processes, temporary folder, database) when its `with` block ends.

The portal runs as production runs it (PORTAL_ENV=production: Secure `__Host-` cookie, hashed and compressed
static files, keys required at start-up), with keys made by its own CLI in a temporary instance folder, its own
database (`_portal.bench_database`: SQLite in that folder, or a new PostgreSQL database when DATABASE_URL names a
PostgreSQL server) and its own embedded Redis. Demo data is loaded with `flask demo load`, which refuses
production, so that one command runs with PORTAL_ENV=development on the same instance, database and keys.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
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
SETTINGS_TEXT = f"gunicorn {WORKERS} workers, {WORKER_CLASS} x {THREADS} threads"


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
def gunicorn(app: str, chdir: Path, environ: dict, log: Path, probe: str = "/"):
    """`app` ("module:variable", imported from `chdir`) under gunicorn on a free port, until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--chdir", str(chdir), "--bind", f"127.0.0.1:{port}",
               "--workers", str(WORKERS), "--worker-class", WORKER_CLASS, "--threads", str(THREADS),
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


@dataclass
class ServedPortal(Served):
    environ: dict  # the production environment it runs with
    demo_output: str  # what `flask demo load` printed (its table of demo accounts)

    def development_settings(self):
        """Settings for working on the same instance and database in this process (`flask demo load` style)."""
        from portal.config import load_settings

        return load_settings({**self.environ, "PORTAL_ENV": "development"})


def _flask(environ: dict, *arguments: str) -> str:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *arguments], cwd=ROOT, env=environ,  # noqa: S603
                            capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def served_portal():
    from portal.data import migrate

    with tempfile.TemporaryDirectory(prefix="portal-served-") as name:
        folder = Path(name)
        with _portal.bench_database(folder) as database_url:
            redis_server = _portal.EmbeddedRedis(folder / "redis").start()
            try:
                environ = {
                    **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "KHQR_"))},
                    "PORTAL_ENV": "production", "PORTAL_INSTANCE_PATH": str(folder / "instance"),
                    "DATABASE_URL": database_url, "REDIS_URL": redis_server.url,
                    "SECRET_KEY": secrets.token_urlsafe(48), "PORTAL_BASE_URL": "https://onewindow.gov.kh",
                }
                migrate.upgrade(database_url)
                for command in (("keys", "generate"), ("audit", "keys", "generate"), ("data-keys", "generate")):
                    _flask(environ, *command)
                demo_output = _flask({**environ, "PORTAL_ENV": "development"}, "demo", "load")
                with gunicorn("app:app", ROOT, environ, folder / "portal.log", probe="/healthz") as served:
                    yield ServedPortal(served.url, served.log, environ, demo_output)
            finally:
                redis_server.stop()


@contextmanager
def bare_folder():
    with tempfile.TemporaryDirectory(prefix="bare-served-") as name:
        yield Path(name)
