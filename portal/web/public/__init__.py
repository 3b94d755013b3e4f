"""Public pages: the catalogue, service pages, language choice, health, verifying a document, the
place lists the address fields refill from, help, contact and privacy (help.py), following a kiosk
guest's application (track.py), and (for every blueprint) the error pages. The catalogue pages of
anonymous visitors are kept rendered (page_cache.py); /healthz is answered ahead of Flask (health.py)."""

from __future__ import annotations

from flask import Flask

from portal.web import errors
from portal.web.public import health, page_cache
from portal.web.public.geo import blueprint as geo_blueprint
from portal.web.public.help import blueprint as help_blueprint
from portal.web.public.routes import blueprint
from portal.web.public.track import blueprint as track_blueprint
from portal.web.public.verify import blueprint as verify_blueprint


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    app.register_blueprint(verify_blueprint)
    app.register_blueprint(geo_blueprint)
    app.register_blueprint(help_blueprint)
    app.register_blueprint(track_blueprint)
    errors.init_app(app)
    page_cache.init_app(app)
    health.init_app(app)  # outermost of the two: /healthz never reaches the page cache or Flask
