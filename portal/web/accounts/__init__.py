"""Accounts: register, sign in and out, password reset, profile, business profiles.

One blueprint; its routes live in `auth.py` (signing in and out, registration, password reset),
`enrol.py` (staff setting up their account with an enrolment link), `security.py` (changing one's
password or authenticator app) and `profile.py` / `business.py` / `invitations.py` (the person's
details, their businesses and the invitations into a business they may answer).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from portal.extensions import login_manager

blueprint = Blueprint("accounts", __name__)


def init_app(app: Flask) -> None:
    from portal.data import people
    from portal.web.accounts import (  # noqa: F401 - they add routes
        api_tokens,
        auth,
        business,
        closing,
        enrol,
        invitations,
        my_data,
        profile,
        security,
        webhooks,
    )
    from portal.web.kiosk import assisting

    login_manager.login_view = "accounts.sign_in"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(public_id: str):
        person = people.get_signed_in(public_id)
        if person is None or not person.is_active:
            return None
        # An operator assisting a citizen at a kiosk, with their consent: the citizen (kiosk/assisting.py).
        return assisting.effective_person(person)

    app.register_blueprint(blueprint)
