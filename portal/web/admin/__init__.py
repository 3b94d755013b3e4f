"""Administration: staff accounts and their agency roles."""

from __future__ import annotations

from flask import Flask

from portal.web.admin.routes import blueprint


def init_app(app: Flask) -> None:
    from portal.web.admin import jobs  # noqa: F401 - adds the failed-jobs pages to the blueprint

    app.register_blueprint(blueprint)
