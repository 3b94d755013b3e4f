"""Where a signed-in page spends its time (issue 16): a pyinstrument text profile, the SQL statements one
request sends and the median time per request, for one page kind, on a throw-away portal (_portal.py).

Not a pass/fail test (the query-count bounds are pinned in tests/integration/test_signed_in_queries.py).
Page kinds: step (a form step GET), mine ("My applications", with --applications N), review.
Usage: .venv/bin/python bench/profile_page.py step|mine|review [--applications N] [--repeat N] [--sql]"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date

from _portal import portal_app
from flask.globals import app_ctx
from flask.testing import FlaskClient
from sqlalchemy import event

# The walk through the portal reuses the tests' helpers (sign-in into the session, filling steps), so the
# page profiled is the one the tests check.
from tests import factories, journey  # noqa: E402
from tests.client import PortalClient  # noqa: E402
from tests.sessions import sign_in_as  # noqa: E402

STEPS = {"person": {}, "residence": {"years": "12", "book_type": "family_book", "book_number": "020310-123"},
         "purpose": {"purpose": "bank", "equity_card": "no"},
         "declaration": {"declaration": "y"}}
SERVICE = "residence-certificate"


class StatementCounter:
    """The SQL statements sent while it listens (one list per request)."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def _seen(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)


def page_url(client, kind: str, applications: int) -> str:
    """Sign a new citizen in and make the page `kind` exists for them; its URL."""
    first = journey.start(client, SERVICE)
    if kind == "step":
        return first
    if kind == "review":
        journey.fill_steps(client, first, STEPS)
        return first.split("/steps/")[0] + "/review"
    for _ in range(applications - 1):
        journey.start(client, SERVICE)
    return "/applications"


def main() -> None:
    from pyinstrument import Profiler

    from portal.data import agencies
    from portal.domain.catalogue import get_catalogue
    from portal.extensions import db

    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=("step", "mine", "review"))
    parser.add_argument("--applications", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--all", action="store_true", help="every frame in the profile")
    parser.add_argument("--sql", action="store_true", help="print each statement of one request")
    options = parser.parse_args()
    with portal_app() as app:
        agencies.sync(get_catalogue().all_agencies())
        db.session.commit()
        app.test_client_class = PortalClient
        client = app.test_client()
        person = factories.person(
            locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy", national_id="012345678",
            date_of_birth=date(1990, 4, 13), province_code="02", district_code="0203", commune_code="020310",
            village_code="02031001", street="ផ្ទះលេខ ១២ ផ្លូវលេខ ៣")
        sign_in_as(client, person)
        url = page_url(client, options.kind, options.applications)
        db.session.remove()
        engine = db.engine
        # Each request gets an application context of its own, as under gunicorn: a context held open here
        # would be reused by every request, with its `g` (the signed-in person) and its database session.
        outer = app_ctx._get_current_object()
        outer.pop()

        def get():
            # FlaskClient's own open: PortalClient's page checks (HTML parsing) are not the page's cost.
            response = FlaskClient.open(client, url)
            assert response.status_code == 200, response.status_code

        get()  # warm: templates compiled, catalogue loaded
        with StatementCounter(engine) as counter:
            get()
        print(f"{options.kind} {url}: {len(counter.statements)} SQL statements per request")
        if options.sql:
            for statement in counter.statements:
                print("  ", " ".join(statement.split())[:160])
        wall, cpu = [], []
        for _ in range(options.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            get()
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        # CPU time too: on a shared machine the wall clock also counts other processes' turns.
        print(f"median {statistics.median(wall) * 1000:.2f} ms wall, {statistics.median(cpu) * 1000:.2f} ms CPU "
              f"over {options.repeat} requests")
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(50):
                get()
        print(profiler.output_text(unicode=True, color=False, show_all="--all" in sys.argv))
        outer.push()


if __name__ == "__main__":
    main()
