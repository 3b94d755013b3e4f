from __future__ import annotations

from flask import Blueprint, jsonify, request

from portal.domain.geo import places
from portal.domain.i18n.formatting import current_locale

blueprint = Blueprint("geo", __name__, url_prefix="/geo")


@blueprint.get("/children")
def children():
    """The places one level below `parent`, named in the current language:
    `/geo/children?level=district&parent=02` -> `{"level", "parent", "items": [{"code", "name"}]}`.
    The lists are public data; an unknown level or parent answers 404 so that a script can tell."""
    level = request.args.get("level", "")
    parent = request.args.get("parent", "")
    if level not in places.PARENT_LEVEL or places.by_code(places.PARENT_LEVEL[level], parent) is None:
        response = jsonify(error="unknown level or parent")
        response.status_code = 404
        return response
    locale = current_locale()
    items = [{"code": p.code, "name": p.name(locale)}
             for p in places.sorted_by_name(places.children(level, parent), locale)]
    response = jsonify(level=level, parent=parent, items=items)
    # The language comes from the cookie or the account when `lang` is not in the URL.
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.vary.add("Cookie")
    return response
