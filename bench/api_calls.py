"""API calls per second, the portal beside a bare Flask app (issue 17).

Both served by gunicorn with the same settings (`_served`), the portal as in production with `flask demo load`
data. Measured with `wrk -t2 -c32` in alternating rounds, medians compared:

- `GET /api/v1/services` without a token: the catalogue, counted per address against the rate limit;
- `GET /api/v1/applications?limit=20` with a demo business's token: the token looked up by its digest, the
  rate limit counted in Redis, the page read, and an audit entry written and committed for the call.

The rate limits are raised for the run (API_RATE_LIMIT and API_ANONYMOUS_RATE_LIMIT in the environment) so that
every call is counted but none refused: a 429 would end the run. Every answer must be a 200.

    .venv/bin/python bench/api_calls.py [--quick] [--seconds 5] [--rounds 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/api_calls.py --quick
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load  # noqa: E402
import _served  # noqa: E402
from pages import check_page, compare_with_bare  # noqa: E402

UNLIMITED = "100000000/minute"


def business_token(portal) -> str:
    """A read token of the first demo business, made in this process through the portal's own domain code."""
    from sqlalchemy import select

    from portal import create_app
    from portal.data.models import Organisation, OrganisationMember
    from portal.domain import api_tokens
    from portal.extensions import db

    app = create_app(portal.development_settings())
    try:
        with app.app_context():
            organisation = db.session.scalars(select(Organisation).order_by(Organisation.id)).first()
            owner = db.session.scalar(select(OrganisationMember).where(
                OrganisationMember.organisation_id == organisation.id, OrganisationMember.role == "owner")).person
            secret = api_tokens.make(organisation, owner, "Bench", ("read",), 30).secret
            db.session.commit()
            return secret
    finally:
        with app.app_context():
            db.engine.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 s per wrk run")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args(argv)
    seconds = 2 if options.quick else options.seconds
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    os.environ["API_RATE_LIMIT"] = os.environ["API_ANONYMOUS_RATE_LIMIT"] = UNLIMITED
    print(f"Served by {_served.SETTINGS_TEXT}; wrk -t2 -c32 -d{seconds}s, {options.rounds} alternating rounds, "
          "medians; portal in PORTAL_ENV=production with demo data", flush=True)
    try:
        with _served.served_portal() as portal, _served.bare_folder() as folder, _served.served_bare(folder) as bare:
            token = {"Authorization": f"Bearer {business_token(portal)}"}
            anonymous, with_token = _load.Client(portal.url), _load.Client(portal.url, headers=token)
            rows = []
            for name, client, path, headers in (
                    ("API catalogue (no token)", anonymous, "/api/v1/services", None),
                    ("API applications (token, audited)", with_token, "/api/v1/applications?limit=20", token)):
                check_page(client, path)
                rows.append(compare_with_bare(name, "-", portal.url + path, headers, bare, seconds, options.rounds))
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
