from __future__ import annotations

from portal.accounts import blueprint


@blueprint.get("/account")
def profile():
    return "profile"
