"""End-to-end fixtures: the real portal in a subprocess, driven by headless Chromium.

One server per test session, started with `flask serve` in its own temporary instance
directory, with its own SQLite file and (REDIS_URL unset) its own embedded Redis, so these tests
never touch the databases the rest of the suite or CI share. One browser per session; a fresh
browser context (cookies, storage) per test.

Without Chromium, Playwright or axe-core the tests are skipped with the reason, unless
PORTAL_E2E is set: then a missing tool is a failure, so CI cannot pass by skipping them.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = Path(__file__).parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
FLASK = [sys.executable, "-m", "flask", "--app", "app"]


def _required() -> bool:
    return bool(os.environ.get("PORTAL_E2E"))


def _unavailable(reason: str):
    if _required():
        pytest.fail(f"PORTAL_E2E is set but {reason}", pytrace=False)
    pytest.skip(f"{reason} (set PORTAL_E2E=1 to make this a failure)")


def chromium_path() -> str | None:
    candidates = [os.environ.get("PORTAL_E2E_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


# The session fixtures below shadow the suite's autouse database and Redis fixtures: browser
# tests talk to their own server and must not open the shared database or flush the shared Redis.
@pytest.fixture(autouse=True)
def _transaction():
    yield


@pytest.fixture(autouse=True)
def _clean_redis():
    yield


@pytest.fixture(autouse=True)
def _no_published_audit_head():
    yield


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_using(instance: Path) -> list[int]:
    """Processes whose command line or environment names our instance directory."""
    marker = str(instance).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker in (proc / "cmdline").read_bytes() or marker in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the portal exited at start-up:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the portal did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen, instance: Path) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # `flask serve` then stops its worker and its Redis
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    deadline = time.monotonic() + 10
    while _processes_using(instance) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _processes_using(instance)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    if left:
        raise AssertionError(f"`flask serve` left processes behind: {left}")


def shots_folder(name: str) -> Path:
    """Where a browser test keeps its screenshots: PORTAL_E2E_SHOTS/<name> when set (to look at them), else a
    temporary folder (never a place outside the run's own)."""
    folder = Path(os.environ.get("PORTAL_E2E_SHOTS") or tempfile.mkdtemp(prefix="portal-shots-")) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def portal_env(instance: Path) -> dict[str, str]:
    """The environment of the portal whose instance directory is `instance`: `flask serve` runs with
    it, and so does any `flask` command a test runs against that portal (see `flask_command`)."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "FLASK_APP")}
    env.update(
        PORTAL_INSTANCE_PATH=str(instance),
        PORTAL_ENV="development",
        DATABASE_URL=f"sqlite:///{instance / 'portal.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    return env


def flask_command(instance: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `flask ARGS` against the portal in `instance`; returns its output, raises with it on failure.
    While that portal runs, the command uses its embedded Redis rather than starting a second one."""
    env = portal_env(instance)
    socket_path = instance / "redis" / "redis.sock"
    if socket_path.exists():
        env["REDIS_URL"] = f"unix://{socket_path}"
    result = subprocess.run([*FLASK, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"`flask {' '.join(args)}` failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return result


def texted_code(instance: Path, number: str, timeout: float = 30) -> str:
    """The newest 6-digit code the portal's worker texted to `number` (E.164), waiting for it to arrive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = [path.read_text(encoding="utf-8") for path in sorted((instance / "sms").glob("*.txt"))]
        codes = [re.findall(r"\b\d{6}\b", text) for text in texts if text.startswith(f"To: {number}\n")]
        if any(codes):
            return [c for found in codes for c in found][-1]
        time.sleep(0.2)
    raise AssertionError(f"no code was texted to {number} within {timeout} s")


@pytest.fixture(scope="session")
def portal_instance(tmp_path_factory) -> Path:
    """The instance directory (database, documents, embedded Redis) of the session's portal."""
    return tmp_path_factory.mktemp("e2e-instance")


@pytest.fixture(scope="session")
def portal_url(portal_instance) -> str:
    """The base URL of a real portal (web server, worker, embedded Redis) for this session."""
    from tests.e2e.own_portal import own_portal  # it builds on this module's helpers

    with own_portal(portal_instance) as portal:
        yield portal.url


@pytest.fixture(scope="session")
def playwright():
    """The Playwright driver, for tests that need a browser launched differently."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright's Python package is not installed")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    from playwright.sync_api import Error

    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium was not found (install Debian's `chromium` or set PORTAL_E2E_CHROMIUM)")
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Error as error:
        _unavailable(f"Chromium at {executable} did not start: {error.message.splitlines()[0]}")
    yield browser
    browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=PHONE)
    yield context
    context.close()


@pytest.fixture
def page(context, portal_url):
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE_SCRIPT.is_file():
        _unavailable(f"axe-core is not installed (run: npm ci --prefix {AXE_SCRIPT.parents[2]})")
    return AXE_SCRIPT
