from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("accounts", __name__)


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    return "sign in"


@blueprint.post("/sign-out")
def sign_out():
    return "sign out"


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    return "register"


@blueprint.get("/account")
def profile():
    return "profile"
