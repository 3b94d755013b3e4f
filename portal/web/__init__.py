"""The web layer: one package per audience, each a blueprint with its routes, forms and view helpers.
Routes translate HTTP to and from calls into `portal.domain`; they hold no business rules.

- `public/`: the catalogue, service pages, the language switch, health, verifying a document, place lists
- `accounts/`: registering, signing in and out, password reset, enrolment, profile, businesses
- `applicant/`: applying, one's applications, documents and messages
- `staff/`: the back office (queue, case page, notes, dashboard)
- `admin/`: staff accounts and failed jobs
- `kiosk/`: kiosk devices at centres: enrolment, the kiosk home, finishing a person's session
- `api/`: the JSON API, `/api/v1`, and its page for people (docs/api.md)
- `providers/`: what payment providers call (the KHQR callback), and the test bank (development only)
Shared: `security/` (sessions, timeouts, headers), `i18n.py` and `locale.py` (which language a request
is answered in), `errors.py` (error pages), `helpers.py`.
"""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.web import accounts, admin, api, applicant, kiosk, providers, public, staff

    public.init_app(app)
    accounts.init_app(app)
    admin.init_app(app)
    applicant.init_app(app)
    staff.init_app(app)
    providers.init_app(app)
    kiosk.init_app(app)
    api.init_app(app)
