"""A portal of a test module's own (its own instance: database, documents, embedded Redis), started with
settings of its own and set up by a short script run inside it: the kiosk browser tests need one each,
because kiosk settings (the idle time) and kiosk enrolments must not leak into the session's portal."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.conftest import FLASK, PROJECT_ROOT, _free_port, _stop, _wait_until_up, flask_command, portal_env


@dataclass(frozen=True)
class OwnPortal:
    url: str
    instance: Path
    env: dict[str, str]  # for `flask` commands and scripts against this portal (its Redis included)
    printed: list[str]  # the lines the set-up script printed


@contextmanager
def own_portal(instance: Path, setup: str = "", *args: str,
               settings: dict[str, str] | None = None) -> Iterator[OwnPortal]:
    """`flask serve` on a free port with the portal's environment plus `settings`; once it answers, `setup`
    (Python source, given `args` as sys.argv[1:]) runs against it. Stopped, with its worker and Redis, after."""
    env = portal_env(instance) | (settings or {})
    flask_command(instance, "db", "upgrade")
    port = _free_port()
    log = instance / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*FLASK, "serve", "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        env["REDIS_URL"] = f"unix://{instance / 'redis' / 'redis.sock'}"
        printed = run_in(env, setup, *args) if setup else []
        yield OwnPortal(url=url, instance=instance, env=env, printed=printed)
    finally:
        _stop(process, instance)


def run_in(env: dict[str, str], script: str, *args: str) -> list[str]:
    """Run a Python script against the portal whose environment is `env`; the lines it printed."""
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the set-up script failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return done.stdout.strip().splitlines()


def kiosk_script(people_lines: str = "", *, hall: bool = False) -> str:
    """A script that enrols a kiosk at a Battambang centre, runs `people_lines` (Python at the indentation of
    a `with` body: the people the test needs, with `centre`, `kiosk`, `sys`, `date`, `people`, `assisted`,
    `totp` and `hash_password` at hand), commits, and prints the kiosk's enrolment secret last.
    `hall`: a thermal-printer kiosk at the Svay Por commune hall, with every office's agency row in place
    (for a guest's application routed to that commune), instead of an A4 kiosk at the Battambang CTC."""
    if hall:
        centre = """
    agencies.sync(get_catalogue().all_agencies())
    place = dict(province="02", district="0203", commune="020310")
    centre = kiosks.create_centre(None, slug="e2e-hall", name_km="សាលាសង្កាត់ស្វាយប៉ោ",
                                  name_en="Svay Por commune hall", kind="commune_hall", **place)
    kiosk, secret = kiosks.register_kiosk(None, centre=centre, name="Kiosk G", printer_kind="thermal80", **place)
"""
    else:
        centre = """
    place = dict(province="02", district="0203", commune="020301")
    centre = kiosks.create_centre(None, slug="e2e-ctc", name_km="មជ្ឈមណ្ឌលបច្ចេកវិទ្យាសហគមន៍បាត់ដំបង",
                                  name_en="Battambang CTC", kind="tech_center", **place)
    kiosk, secret = kiosks.register_kiosk(None, centre=centre, name="Kiosk 1", printer_kind="a4", **place)
"""
    return f"""
import sys
from datetime import date
from portal import create_app
from portal.data import agencies, people
from portal.data.db import db
from portal.domain import assisted, kiosks
from portal.domain.catalogue import get_catalogue
from portal.domain.identity import totp
from portal.domain.identity.passwords import hash_password
with create_app().app_context():
{centre.strip(chr(10))}
{people_lines.strip(chr(10))}
    db.session.commit()
    print(secret)
"""
