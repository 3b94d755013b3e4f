"""Kiosk mode (issue 14): a shared touch screen at a centre. `device.py` tells a kiosk's request from any
other (its device cookie) and applies the kiosk rules to it; `routes.py` has enrolment, the kiosk home
and "finish and clear"; `receipt.py` the receipt printed at the kiosk; `handoff.py` "continue on my phone"."""

from __future__ import annotations

from flask import Flask

from portal.web.kiosk import assisting, device, guests, handoff, receipt, reprint  # noqa: F401 - their routes join the kiosk blueprint
from portal.web.kiosk.routes import blueprint


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    app.register_blueprint(handoff.phone)
    app.add_template_global(handoff.offered, "handoff_offered")
    device.init_app(app)
    assisting.init_app(app)
    guests.init_app(app)
