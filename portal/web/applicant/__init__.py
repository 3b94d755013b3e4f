"""The applicant's own area: documents (and, later, applications)."""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("applicant", __name__)


def init_app(app: Flask) -> None:
    from portal.domain.applications.labels import state_label
    from portal.web.applicant import (  # noqa: F401 - they add routes to the blueprint
        applications,
        documents,
        inbox,
        khqr_payment,
    )

    blueprint.add_app_template_global(state_label, "state_label")
    app.register_blueprint(blueprint)
