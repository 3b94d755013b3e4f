"""Administration: staff accounts and their agency roles."""

from __future__ import annotations

from flask import Flask

from portal.web.admin.routes import blueprint


def init_app(app: Flask) -> None:
    from portal.web.admin import jobs, kiosks, partners, payments, retention  # noqa: F401 - their pages join the area

    app.register_blueprint(blueprint)
