"""Real processes for the reliability scenarios: a Redis and a PostgreSQL cluster of the test's own, the
portal migrated into them, gunicorn with three workers and two `flask jobs worker` processes.

Each piece does one job and can be stopped and started again, so a scenario can take Redis or the database
away and bring it back. Everything runs on free loopback ports in one temporary folder; `Processes` stops
every process group it started, and `leftovers` finds any process still naming that folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil

from portal.paths import PROJECT_ROOT
from tests.reliability.own_redis import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = "/usr/bin/redis-server"
FLASK = [sys.executable, "-m", "flask", "--app", "app"]


def wait_until(condition: Callable[[], object], timeout: float, what: str, every: float = 0.2):
    """The first true value of `condition()`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(every)


def missing_tools() -> str | None:
    """Why the scenarios cannot run on this machine, or None."""
    if not Path(REDIS_SERVER).is_file():
        return f"{REDIS_SERVER} is not installed"
    if not (PG_BIN / "initdb").is_file():
        return f"PostgreSQL 15's initdb is not in {PG_BIN}"
    if os.geteuid() != 0 and not os.access(PG_BIN / "pg_ctl", os.X_OK):
        return "pg_ctl cannot be run"
    return None


class Processes:
    """The process groups a scenario started (each in its own session), stopped together at the end."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def start(self, command: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
        with log.open("ab") as out:
            process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.started.append(process)
        return process

    @staticmethod
    def stop(process: subprocess.Popen, timeout: float = 20) -> None:
        """SIGTERM to the process group, then SIGKILL to whatever of it is left."""
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=timeout)
        # RQ's work horse sits in a process group of its own: `kill_leftovers` finds it by its environment.
        _signal_group(process.pid, signal.SIGKILL)
        if process.poll() is None:
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def leftovers(folder: Path) -> list[psutil.Process]:
    """Processes (other than this one) whose command line or environment names `folder`."""
    marker = str(folder)
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        if process.pid == os.getpid():
            continue
        try:
            if marker in " ".join(process.info["cmdline"] or ()) or marker in "".join(
                    f"{k}={v}" for k, v in process.environ().items()):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def kill_leftovers(folder: Path) -> list[str]:
    """Kill what `leftovers` finds; returns their command lines (empty when all was clean)."""
    left = leftovers(folder)
    names = []
    for process in left:
        try:
            names.append(" ".join(process.cmdline()))
            process.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(left, timeout=10)
    return names


class RedisServer:
    """A redis-server of our own, without persistence: stopping it loses everything, as in the issue."""

    def __init__(self, folder: Path, processes: Processes) -> None:
        self.folder, self.processes = folder, processes
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        data = self.folder / "redis"
        shutil.rmtree(data, ignore_errors=True)  # restarting means restarting empty
        data.mkdir(parents=True)
        self.process = self.processes.start(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(data), "--daemonize", "no"], self.folder / "redis.log")
        wait_until(self.answers, 20, "redis-server answers PING")
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.processes.stop(self.process)
            self.process = None


class PostgresCluster:
    """A PostgreSQL 15 cluster of our own (initdb + pg_ctl as the postgres user, trust on 127.0.0.1)."""

    def __init__(self) -> None:
        # Outside pytest's tmp_path: its parents are private to root, and the server runs as postgres.
        self.folder = Path(tempfile.mkdtemp(prefix="onewindow-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/portal"

    def _as_postgres(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], capture_output=True, text=True, check=check, timeout=120)

    def create(self) -> PostgresCluster:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                          "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        self.start()
        self._as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                          "portal")
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "postgres.log"),
                          "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every connection at once, as a database that goes away does."""
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop",
                          check=False)

    def running(self) -> bool:
        return self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status", check=False).returncode == 0

    def destroy(self) -> None:
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


class Portal:
    """The portal on our Redis and PostgreSQL: migrated, its keys made, gunicorn and RQ workers started."""

    def __init__(self, folder: Path, database_url: str, redis: RedisServer, processes: Processes) -> None:
        self.folder, self.redis, self.processes = folder, redis, processes
        self.instance = folder / "instance"
        self.instance.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "FLASK_APP")}
        self.env.update(PORTAL_ENV="development", PORTAL_INSTANCE_PATH=str(self.instance),
                        DATABASE_URL=database_url, REDIS_URL=redis.url, PYTHONUNBUFFERED="1",
                        PYTHONPATH=str(PROJECT_ROOT))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.web: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.workers_started = 0

    def flask(self, *args: str) -> str:
        done = subprocess.run([*FLASK, *args], cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True,
                              timeout=300, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-3000:]}")
        return done.stdout

    def python(self, module: str, *args: str) -> str:
        """Run one of our helper modules (`python -m module args`) against this portal."""
        done = subprocess.run([sys.executable, "-m", module, *args], cwd=PROJECT_ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{module} failed:\n{(done.stdout + done.stderr)[-3000:]}")
        return done.stdout

    def install(self) -> None:
        """What the README's 'Running it for real' does before the first start."""
        self.flask("db", "upgrade")
        self.flask("keys", "generate")
        self.flask("audit", "keys", "generate")
        self.flask("data-keys", "generate")
        self.flask("services", "sync-agencies")

    def start_web(self, workers: int = 3) -> None:
        self.web = self.processes.start(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--backlog", "512", "--timeout", "60", "--access-logfile", str(self.folder / "access.log"),
             "app:app"], self.folder / "gunicorn.log", self.env)
        wait_until(self.healthy, 60, "gunicorn answers /healthz")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:  # noqa: S310 - ours
                return response.status == 200
        except OSError:
            return False

    def start_worker(self) -> subprocess.Popen:
        """`flask jobs worker` as deploy.md runs it, with the product's own defaults."""
        self.workers_started += 1
        n = self.workers_started
        worker = self.processes.start([*FLASK, "jobs", "worker"], self.folder / f"worker-{n}.log", self.env)
        self.workers.append(worker)
        return worker

    def live_workers(self) -> list[subprocess.Popen]:
        return [w for w in self.workers if w.poll() is None]
