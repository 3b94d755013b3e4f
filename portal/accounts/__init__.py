"""Accounts: register, sign in and out, password reset, profile, business profiles."""

from __future__ import annotations

from flask import Flask

from portal.accounts.routes import blueprint
from portal.extensions import login_manager


def init_app(app: Flask) -> None:
    from portal.data import people

    login_manager.login_view = "accounts.sign_in"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(public_id: str):
        person = people.get_by_public_id(public_id)
        return person if person is not None and person.is_active else None

    app.register_blueprint(blueprint)
