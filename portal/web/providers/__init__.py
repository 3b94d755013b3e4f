"""Routes that payment providers call, machine to machine (`callback.py`), and the test bank that stands in
for a provider in development and tests (`dev_bank.py`; never registered in production)."""

from __future__ import annotations

from flask import Flask

from portal.web.providers.callback import blueprint as callback_blueprint
from portal.web.providers.dev_bank import blueprint as dev_bank_blueprint


def init_app(app: Flask) -> None:
    app.register_blueprint(callback_blueprint)
    khqr = app.config["PORTAL_SETTINGS"].khqr
    if khqr is not None and khqr.development_gateway and not app.config["PORTAL_SETTINGS"].production:
        app.register_blueprint(dev_bank_blueprint)
