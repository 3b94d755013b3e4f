"""Pages per second, the portal beside a bare Flask app (issue 16).

Both are served by gunicorn with the same settings (`_served`), the portal as in production with `flask demo
load` data. Six GET pages are measured with `wrk -t2 -c32`, in alternating rounds (portal, bare, portal,
bare...), and the median requests/s of each compared; then the final submission POST, timed over N prepared
drafts with a threaded generator, beside as many POSTs to the bare app.

The signed-in pages are those of a demo citizen, found in the table `flask demo load` prints, signed in over
HTTP. Its drafts copy the answers and documents of one of its own submitted demo applications (a live service
with more than one step, one without fees preferred: submitting never asks for payment, fees are owed after),
made in this process through the portal's own domain code, as `flask demo load` makes its cases.

Public pages are asked for without a cookie (a first visit; a load balancer's health check), signed-in pages
with the citizen's session cookie.

Every answer measured must be a 200 (a submission: the redirect to the application's page); anything else
ends the run with an error and no figure. Prints readable lines and `ROW|...` lines for the aggregator.

One more row is a second baseline, not a portal page: the "signed-in floor", bench/_floor_app.py (bare Flask
plus the three reads by key every signed-in page of an application makes: session, application, applicant,
against the portal's database and this citizen's rows) beside bare Flask. Its ratio bounds what any signed-in
page can reach on this machine and database, however fast its rendering.

    .venv/bin/python bench/pages.py [--quick] [--seconds 5] [--rounds 3] [--posts 200]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/pages.py --quick
"""

from __future__ import annotations

import argparse
import functools
import re
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load  # noqa: E402
import _rows  # noqa: E402
import _served  # noqa: E402

PUBLIC_AIM, SIGNED_IN_AIM = ">= 0.5", ">= 0.15"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    aim: str
    signed_in: bool


def demo_citizen(demo_output: str) -> tuple[str, str]:
    """(sign-in contact, password) of the first citizen in the table `flask demo load` prints."""
    for line in demo_output.splitlines():
        columns = re.split(r"\s{2,}", line.strip())
        if len(columns) >= 4 and columns[0].startswith("citizen"):
            contact = columns[2].split(" or ")[0]
            return contact, columns[3]
    raise RuntimeError("`flask demo load` printed no citizen account")


def sign_in(client: _load.Client, contact: str, password: str) -> None:
    status, _, page = client.request("GET", "/sign-in")
    form = {"csrf_token": _load.csrf_token(page), "contact": contact, "password": password, "next": ""}
    status, headers, _ = client.request("POST", "/sign-in", form)
    if status != 302 or "sign-in" in headers.get("location", ""):
        raise _load.InvalidMeasurement(f"signing in the demo citizen failed: {status} {headers.get('location')}")


@dataclass
class Drafts:
    service_slug: str
    first_step: str
    with_fees: bool
    public_ids: list[str]


def _candidates(person):
    """The citizen's submitted applications whose answers and documents a new draft can copy."""
    from portal.data import applications as application_data
    from portal.domain.catalogue import get_catalogue
    from portal.payments import assessments

    catalogue = get_catalogue()
    live = {s.slug for s in catalogue.live()}
    found = []
    for application in application_data.list_for_applicant(person):
        service = catalogue.get(application.service_slug)
        if (application.state == "draft" or application.service_slug not in live or service is None
                or not service.takes_applications or len(service.steps) < 2):
            continue
        found.append((assessments.charges_fees(service), application.service_slug, application.id, application))
    return [(entry[3], entry[0]) for entry in sorted(found, key=lambda e: e[:3])]


def _copy(template, person):
    from portal.data import applications as application_data
    from portal.data import organisations
    from portal.domain.applications import display, journey
    from portal.domain.catalogue import get_catalogue

    service = get_catalogue().get(template.service_slug)
    organisation = organisations.get_by_id(template.organisation_id) if template.organisation_id else None
    draft = journey.start(service, person, organisation)
    journey.save_answers(draft, dict(template.answers))
    for attachment in template.attachments:
        application_data.attach(draft, attachment.requirement_id, attachment.document_id)
    steps = journey.visible_steps(service, draft.answers)
    if display.missing(service, steps, draft.answers, {a.requirement_id for a in draft.attachments}):
        return None
    return draft


def prepare_drafts(portal: _served.ServedPortal, client: _load.Client, contact: str, count: int) -> Drafts:
    """`count` drafts ready to submit, of the first candidate service whose copied draft the portal accepts
    (one is submitted over HTTP to find out: a service may refuse a second application with the same answers)."""
    from portal import create_app
    from portal.data import people
    from portal.extensions import db

    app = create_app(portal.development_settings())
    try:
        with app.app_context():
            person = people.get_by_email(contact) if "@" in contact else people.get_by_phone(contact)
            for template, with_fees in _candidates(person):
                trial = _copy(template, person)
                if trial is None:
                    db.session.rollback()
                    continue
                db.session.commit()
                if submit_once(client, trial.public_id):
                    drafts = [_copy(template, person) for _ in range(count)]
                    db.session.commit()
                    service = trial.service_slug
                    first = f"/applications/{{}}/steps/{get_first_step(service)}"
                    return Drafts(service, first, with_fees, [d.public_id for d in drafts])
            raise RuntimeError("no demo application of the citizen could be copied into a draft the portal submits")
    finally:
        with app.app_context():
            db.engine.dispose()


def get_first_step(slug: str) -> str:
    from portal.domain.catalogue import get_catalogue

    return get_catalogue().get(slug).steps[0].id


def submit_once(client: _load.Client, public_id: str) -> bool:
    status, _, page = client.request("GET", f"/applications/{public_id}/review")
    if status != 200:
        return False
    status, headers, _ = client.request("POST", f"/applications/{public_id}/submit",
                                        {"csrf_token": _load.csrf_token(page), "declaration": "y"})
    return status == 302 and headers.get("location", "").rstrip("/").endswith(f"/applications/{public_id}")


def check_page(client: _load.Client, path: str) -> None:
    status, headers, body = client.request("GET", path)
    if status != 200:
        raise _load.InvalidMeasurement(f"{path} answers {status} {headers.get('location', '')}, not 200: "
                                       f"{body[:300]}")


def compare_with_bare(name: str, aim: str, url: str, headers: dict | None, bare, seconds: int, rounds: int,
                      before_round=lambda: None) -> str:
    """`url`'s median requests/s beside the bare app's, in alternating rounds; prints a line, returns the ROW."""
    rates, bare_rates = [], []
    # Warm-up, not counted: every worker process has loaded what the page needs.
    _load.wrk(url, 1, headers).check(f"warm-up {name}")
    _load.wrk(bare.url + "/", 1).check("warm-up bare app")
    for _ in range(rounds):
        before_round()
        result = _load.wrk(url, seconds, headers)
        result.check(name)
        rates.append(result.requests_per_second)
        result = _load.wrk(bare.url + "/", seconds)
        result.check("bare app /")
        bare_rates.append(result.requests_per_second)
    rate, bare_rate = _load.median(rates), _load.median(bare_rates)
    print(f"{name:32} served {rate:8.0f} req/s   bare {bare_rate:8.0f} req/s   "
          f"ratio {_rows.number(rate / bare_rate)} (aim {aim})   rounds: "
          f"{', '.join(f'{r:.0f}' for r in rates)} / {', '.join(f'{r:.0f}' for r in bare_rates)}", flush=True)
    return _rows.compared(f"{name} req/s", rate, bare_rate, aim)


def measure_pages(portal, bare, client, pages: list[Page], seconds: int, rounds: int) -> list[str]:
    """Public pages as an anonymous visitor (a health check, a first visit: no cookie), the others signed in."""
    rows = []
    cookie = {"Cookie": client.cookie_header()}
    anonymous = _load.Client(portal.url)
    for page in pages:
        visitor = client if page.signed_in else anonymous
        check_page(visitor, page.path)
        # Each portal round uses the session, so its idle clock keeps moving (see main's check).
        rows.append(compare_with_bare(page.name, page.aim, portal.url + page.path,
                                      cookie if page.signed_in else None, bare, seconds, rounds,
                                      functools.partial(check_page, visitor, page.path)))
    return rows


def measure_floor(portal, bare, client, folder: Path, shown: str, keep_alive: str, seconds: int,
                  rounds: int) -> str:
    """bench/_floor_app.py beside the bare app: what is left of bare Flask's rate once the reads every
    signed-in page of an application must make are paid, with this citizen's session and application."""
    from portal.web.security.sessions import digest

    session_id = next(value for name, value in client.cookies.items() if name.endswith("session") and value)
    with _served.served_floor(folder, portal.environ["DATABASE_URL"], digest(session_id), shown) as floor:
        return compare_with_bare("signed-in floor (3 reads only)", "-", floor.url + "/", None, bare, seconds,
                                 rounds, functools.partial(check_page, client, keep_alive))


def measure_submissions(portal, bare, client, drafts: Drafts, concurrency: int) -> str:
    _, _, page = client.request("GET", f"/applications/{drafts.public_ids[0]}/review")
    body = {"csrf_token": _load.csrf_token(page), "declaration": "y"}
    paths = [f"/applications/{p}/submit" for p in drafts.public_ids]

    def submitted(path: str, status: int, location: str) -> bool:
        return status == 302 and location.rstrip("/").endswith(path.removesuffix("/submit"))

    run = _load.post_many(portal.url, paths, body, {"Cookie": client.cookie_header()}, submitted, concurrency)
    if run.failures:
        raise _load.InvalidMeasurement(f"{len(run.failures)} submissions failed, e.g. {run.failures[:3]}")
    baseline = _load.post_many(bare.url, ["/submit"] * len(paths), body, {}, lambda _p, s, _l: s == 302, concurrency)
    if baseline.failures:
        raise _load.InvalidMeasurement(f"bare app POSTs failed, e.g. {baseline.failures[:3]}")
    ratio = run.requests_per_second / baseline.requests_per_second
    print(f"{'submission POST':32} portal {run.requests_per_second:8.0f} req/s   bare "
          f"{baseline.requests_per_second:8.0f} req/s   ratio {_rows.number(ratio)}"
          f"   ({len(paths)} POSTs, {concurrency} at a time, {drafts.service_slug})", flush=True)
    return _rows.compared("submission POST req/s", run.requests_per_second, baseline.requests_per_second)


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 s per wrk run and 40 submissions")
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per page")
    parser.add_argument("--posts", type=int, default=200, help="submission POSTs timed")
    parser.add_argument("--concurrency", type=int, default=8, help="POSTs in flight at once")
    options = parser.parse_args(argv)
    if options.quick:
        options.seconds, options.posts = 2, 40
    return options


def main(argv=None) -> int:
    options = arguments(argv)
    from portal.web.security.timeouts import APPLICANT_IDLE

    # Between two uses of the session lie at most a bare round and a check: far inside the idle limit.
    if 2 * options.seconds + 60 >= APPLICANT_IDLE:
        sys.exit(f"--seconds {options.seconds}: too long for the applicant's idle limit ({APPLICANT_IDLE} s)")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print(f"Served by {_served.SETTINGS_TEXT}; wrk -t2 -c32 -d{options.seconds}s, {options.rounds} alternating "
          f"rounds, medians; portal in PORTAL_ENV=production with demo data", flush=True)
    try:
        with _served.served_portal() as portal, _served.bare_folder() as folder, _served.served_bare(folder) as bare:
            client = _load.Client(portal.url)
            contact, password = demo_citizen(portal.demo_output)
            sign_in(client, contact, password)
            drafts = prepare_drafts(portal, client, contact, options.posts + 1)
            shown, to_submit = drafts.public_ids[0], drafts.public_ids[1:]
            drafts.public_ids = to_submit
            print(f"Database: {portal.environ['DATABASE_URL'].split(':')[0]}; citizen {contact}; drafts of "
                  f"{drafts.service_slug} ({'with' if drafts.with_fees else 'no'} fees)", flush=True)
            step_page = Page("form step (signed in)", drafts.first_step.format(shown), SIGNED_IN_AIM, True)
            pages = [
                Page("home (catalogue)", "/", PUBLIC_AIM, False),
                Page("service page", f"/services/{drafts.service_slug}", PUBLIC_AIM, False),
                Page("/healthz", "/healthz", PUBLIC_AIM, False),
                step_page,
                Page("My applications", "/applications", SIGNED_IN_AIM, True),
                Page("review page", f"/applications/{shown}/review", SIGNED_IN_AIM, True),
            ]
            rows = measure_pages(portal, bare, client, pages, options.seconds, options.rounds)
            rows.append(measure_floor(portal, bare, client, folder, shown, step_page.path, options.seconds,
                                      options.rounds))
            rows.append(measure_submissions(portal, bare, client, drafts, options.concurrency))
    except _load.InvalidMeasurement as error:
        print(f"INVALID MEASUREMENT: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; everything started was stopped", file=sys.stderr)
        return 130
    for line in rows:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
