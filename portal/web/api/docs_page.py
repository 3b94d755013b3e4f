"""The API's page for people, `/developers/api`: what the OpenAPI document says, in the page's language."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.web.api import openapi

blueprint = Blueprint("api_docs", __name__)


@blueprint.get("/developers/api")
def page():
    document = openapi.build()
    operations = [(path, method, described) for path, methods in document["paths"].items()
                  for method, described in methods.items()]
    return render_template("pages/public/api.html", document=document, operations=operations)
