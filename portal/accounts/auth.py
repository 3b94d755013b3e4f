from __future__ import annotations

from portal.accounts import blueprint


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    return "sign in"


@blueprint.post("/sign-out")
def sign_out():
    return "sign out"


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    return "register"
