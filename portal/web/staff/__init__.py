"""The back office: clerks' queues and case pages."""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("staff", __name__, url_prefix="/staff")


def init_app(app: Flask) -> None:
    from portal.web.staff import cases, dashboard, documents, finance, payments, queue, unstaffed  # noqa: F401 - they add routes to the blueprint

    app.register_blueprint(blueprint)
