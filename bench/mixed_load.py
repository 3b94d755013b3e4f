"""Mixed load on the portal as deployed: in production mode under gunicorn with the page benchmark's settings
(bench/_served.py), one `flask jobs worker`, its own database (PostgreSQL when DATABASE_URL names a server;
SQLite with a warning otherwise) and Redis, the demo data loaded and citizens seeded to apply as.

Concurrent users, each a thread with a browser of its own (cookies, forms and their CSRF tokens, redirects
followed), for a fixed time:
  browsers   -- anonymous citizens: the home page, then service pages;
  applicants -- citizens signing in, applying through the real forms (start, every step, every required
                document, review, submit: tests/reliability/walk.py learns a walk the portal accepts), then
                My applications and the application's page;
  clerks     -- demo staff signing in with password and TOTP (the secret `flask demo load` prints, as a
                developer reads it), then their queue page and case pages from it.
Each user waits a think time (uniform around --think seconds) between two page views.
The portal's session cookie is Secure (`__Host-`): over the benchmark's plain http each browser sends it back
as the TLS proxy in front of production would let it (`SecureOverHttp`). Start-up (database, keys, demo data,
citizens, learning the walk) is timed apart and never inside the measured seconds.
Reported: page views per second, p50/p95/p99 per page kind (one page view = a request and the redirects it
is answered with, as a browser sees it) and errors: any response that is not 2xx/3xx, a transport error, or
a page that is not the one the user expected.

Usage: .venv/bin/python bench/mixed_load.py [--users 50] [--seconds 60] [--think 1.0] [--web-workers 2] [--quick]
       (--quick: 20 users for 15 s)"""

from __future__ import annotations

import argparse
import http.cookiejar
import random
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import _served
from _rows import row

from tests.reliability import walk as walking
from tests.reliability.browser import Browser, Page, Statuses, WalkFailed
from tests.reliability.walk import Applicant

AIM_P95_MS = 250
KINDS = [  # (method or None for any, path pattern, kind): the first that matches
    ("GET", r"/", "home"),
    ("GET", r"/services/[^/]+", "service page"),
    (None, r"/services/[^/]+/start", "start application"),
    ("GET", r"/applications/[^/]+/steps/.+", "step page"),
    ("POST", r"/applications/[^/]+/steps/.+", "step saved"),
    (None, r"/applications/[^/]+/documents.*", "documents"),
    ("GET", r"/applications/[^/]+/review", "review"),
    ("POST", r"/applications/[^/]+/submit", "submit (POST)"),
    ("GET", r"/applications", "my applications"),
    ("GET", r"/applications/[^/]+", "application page"),
    (None, r"/sign-in(/code)?", "sign in"),
    ("GET", r"/staff/queue", "staff queue"),
    ("GET", r"/staff/cases/[^/]+", "case page"),
]


def kind_of(method: str, path: str) -> str:
    for expected, pattern, kind in KINDS:
        if (expected is None or expected == method) and re.fullmatch(pattern, path):
            return kind
    return "other"


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.submitted = 0

    def page(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.times[kind].append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


@dataclass(frozen=True)
class StaffAccount:
    role: str
    agency: str
    email: str
    password: str
    totp_secret: str


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


class SecureOverHttp(Browser):
    """A browser that sends the Secure `__Host-` session cookie back over the benchmark's plain http, as it
    would over the HTTPS a proxy in front of production terminates (a stock cookie jar keeps it back)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.jar.set_policy(http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "http")))


def learn(served, statuses: Statuses, template_email: str, probe_email: str):
    """tests/reliability/walk.py's `learn`, its browsers sending the Secure cookie over http too."""
    plain = walking.Browser
    walking.Browser = SecureOverHttp
    try:
        return walking.learn(served, statuses, template_email, probe_email)
    finally:
        walking.Browser = plain


class TimedBrowser(SecureOverHttp):
    """A page view timed (with its redirects) by kind; a status that is not 2xx/3xx is an error."""

    def __init__(self, base: str, results: Results, statuses: Statuses) -> None:
        super().__init__(base, statuses, timeout=60)
        self.results = results
        self.last_bad = False

    def request(self, method, path, body=None, content_type=None) -> Page:
        kind = kind_of(method, path.split(self.base, 1)[-1].split("?", 1)[0])
        start = time.perf_counter()
        try:
            page = super().request(method, path, body, content_type)
        except OSError as error:
            self.results.error(f"{method} {path}: {error!r}")
            self.last_bad = True
            raise
        self.results.page(kind, time.perf_counter() - start)
        self.last_bad = page.status >= 400
        if self.last_bad:
            self.results.error(f"{method} {path}: {page.status}")
        return page


def totp_code(secret: str) -> str:
    import pyotp

    return pyotp.TOTP(secret).now()


class User(threading.Thread):
    def __init__(self, served, results: Results, until: float, think: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.served, self.results, self.until, self.think = served, results, until, think
        self.random = random.Random(seed)
        self.browser = TimedBrowser(served.url, results, Statuses())

    def pause(self) -> None:
        time.sleep(self.random.uniform(0.5, 1.5) * self.think)

    def expect(self, page: Page, where: str, doing: str) -> Page:
        if page.status != 200 or where not in page.url:
            raise WalkFailed(f"{doing}: {page.status} at {page.url}")
        return page

    def run(self) -> None:
        while time.monotonic() < self.until:
            try:
                self.visit()
            except (WalkFailed, OSError) as failed:
                if not self.browser.last_bad:  # a bad status or a transport error is counted already
                    self.results.error(f"{type(self).__name__}: {failed}")
                self.pause()


class Browsing(User):
    def visit(self) -> None:
        home = self.expect(self.browser.get("/"), "/", "home page")
        slugs = sorted(set(re.findall(r'href="/services/([a-z0-9-]+)"', home.text)))
        self.pause()
        for slug in self.random.sample(slugs, min(3, len(slugs))):
            if time.monotonic() >= self.until:
                return
            self.expect(self.browser.get(f"/services/{slug}"), f"/services/{slug}", "service page")
            self.pause()


class Applying(User):
    def __init__(self, *args, email: str, walk, n: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email, self.walk, self.n = email, walk, n

    def visit(self) -> None:
        self.n += 1000  # every upload's bytes its own (walk.unique_file)
        applicant = Applicant(self.served.url, Statuses(), self.email, self.walk, self.n)
        applicant.browser = self.browser
        applicant.apply()  # sign in, start, steps, documents, review, submit: each checked by the walk
        self.results.page("application submitted", 0)  # a count, not a time (dropped from the table)
        with self.results.lock:
            self.results.submitted += 1
        self.pause()
        self.expect(self.browser.get("/applications"), "/applications", "My applications")
        self.pause()
        self.expect(self.browser.get(applicant.application), applicant.application, "the application's page")
        self.pause()
        self.browser.jar.clear()  # signed out as a closed browser is; the next round signs in again


class Clerking(User):
    def __init__(self, *args, account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account, self.signed_in = account, False

    def sign_in(self) -> None:
        page = self.browser.sign_in(self.account.email, self.account.password)
        self.expect(page, "/sign-in/code", "password step")
        page = self.browser.submit(page, {"code": totp_code(self.account.totp_secret)},
                                   selector="main form[action='/sign-in/code']")
        if page.status != 200 or "/sign-in" in page.url:
            raise WalkFailed(f"TOTP step of {self.account.email}: {page.status} at {page.url}")
        self.signed_in = True

    def visit(self) -> None:
        if not self.signed_in:
            self.sign_in()
            self.pause()
        queue = self.expect(self.browser.get("/staff/queue"), "/staff/queue", "queue page")
        cases = sorted(set(re.findall(r'href="(/staff/cases/[A-Za-z0-9_-]+)"', queue.text)))
        self.pause()
        for case in self.random.sample(cases, min(2, len(cases))):
            if time.monotonic() >= self.until:
                return
            self.expect(self.browser.get(case), case, "case page")
            self.pause()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a user's page views")
    parser.add_argument("--web-workers", type=int, default=_served.WORKERS, help="gunicorn worker processes")
    parser.add_argument("--quick", action="store_true", help="20 users for 15 s")
    options = parser.parse_args()
    if options.quick:
        options.users, options.seconds = 20, 15
    clerks_wanted = max(1, options.users // 5)
    applicants_wanted = max(1, (options.users - clerks_wanted) // 2)

    began = time.perf_counter()
    with _served.served_portal(options.web_workers, worker_for_jobs=True, citizens=applicants_wanted + 2) as served:
        if served.database != "postgresql":
            print("WARNING: SQLite (DATABASE_URL is not PostgreSQL): not how the portal is deployed", file=sys.stderr)
        learning = time.perf_counter()
        walk = learn(served, Statuses(), served.citizens[0], served.citizens[1])
        served.startup["learn walk"] = time.perf_counter() - learning
        # Staff with a case queue; each clerk user signs in with an account of its own (a TOTP code is
        # accepted once: two users on one account in the same 30 s would turn one away).
        staff = [a for a in demo_staff(served.demo_output)
                 if a.role not in ("administrator", "kiosk operator", "cashier")]
        clerks = min(clerks_wanted, len(staff))
        browsers = options.users - clerks - applicants_wanted
        steps = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in served.startup.items())
        print(f"start-up {time.perf_counter() - began:.0f} s, not measured ({steps}); {served.database}, "
              f"{_served.settings_text(options.web_workers)}, 1 RQ worker, PORTAL_ENV=production; "
              f"walk learned: {walk.slug}", flush=True)
        print(f"{options.users} users for {options.seconds:.0f} s, think time ~{options.think} s: "
              f"{browsers} browsing, {applicants_wanted} applying, {clerks} clerks", flush=True)

        results = Results()
        until = time.monotonic() + options.seconds
        common = {"served": served, "results": results, "until": until, "think": options.think}
        users = [Clerking(**common, seed=n, account=staff[n]) for n in range(clerks)]
        users += [Applying(**common, seed=100 + n, email=served.citizens[2 + n], walk=walk, n=n)
                  for n in range(applicants_wanted)]
        users += [Browsing(**common, seed=200 + n) for n in range(browsers)]
        start = time.perf_counter()
        for user in users:
            user.start()
        for user in users:
            user.join(timeout=options.seconds + 120)
        elapsed = time.perf_counter() - start

    times = {kind: values for kind, values in results.times.items() if kind != "application submitted"}
    every = [t for values in times.values() for t in values]
    print(f"\n{len(every)} page views in {elapsed:.1f} s = {len(every) / elapsed:.1f} /s; "
          f"{results.submitted} applications submitted; {len(results.errors)} errors")
    print(f"{'page kind':22s} {'count':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}")
    for kind, values in sorted(times.items(), key=lambda item: -len(item[1])):
        print(f"{kind:22s} {len(values):6d} {percentile(values, .5) * 1000:8.0f} "
              f"{percentile(values, .95) * 1000:8.0f} {percentile(values, .99) * 1000:8.0f}")
    if every:
        print(f"{'all':22s} {len(every):6d} {statistics.median(every) * 1000:8.0f} "
              f"{percentile(every, .95) * 1000:8.0f} {percentile(every, .99) * 1000:8.0f}")
    for error in results.errors[:10]:
        print(f"  error: {error}")
    p95 = percentile(every, .95) * 1000 if every else float("nan")
    row("mixed load p95 ms", p95, aim=f"< {AIM_P95_MS}")
    row("mixed load errors", len(results.errors), aim="= 0")
    row("mixed load page views/s", len(every) / elapsed)
    row("mixed load applications submitted", results.submitted)


if __name__ == "__main__":
    main()
