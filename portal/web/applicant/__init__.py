"""The applicant's own area: documents (and, later, applications)."""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("applicant", __name__)


def init_app(app: Flask) -> None:
    from portal.domain.applications.labels import state_label
    from portal.web.applicant import applications, documents, inbox  # noqa: F401 - they add routes to the blueprint

    blueprint.add_app_template_global(state_label, "state_label")
    app.register_blueprint(blueprint)
