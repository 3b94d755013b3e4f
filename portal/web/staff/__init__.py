"""The back office: clerks' queues and case pages."""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("staff", __name__, url_prefix="/staff")


def init_app(app: Flask) -> None:
    from portal.web.staff import cases, dashboard, documents, finance, holds, payments, queue, unstaffed  # noqa: F401 - they add routes to the blueprint
    from portal.web.staff.access import acts_as_any

    # The navigation shows the back-office pages by the built-in role each role acts as (a governor: a
    # supervisor's dashboard and finance page).
    app.add_template_global(acts_as_any, "acts_as_any")
    app.register_blueprint(blueprint)
