"""Administration: staff accounts and their agency roles."""

from __future__ import annotations

from flask import Flask

from portal.web.admin.routes import blueprint


def init_app(app: Flask) -> None:
    from portal.web.admin import jobs, kiosks, payments  # noqa: F401 - add the failed-jobs, kiosk and payments pages

    app.register_blueprint(blueprint)
