"""`/verify/<token>`: the QR code's target, where anyone checks an issued document."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.validators import InputRequired

from portal.domain.rendering import lifecycle
from portal.domain.rendering.documents import get_keyring
from portal.domain.rendering.verification import MAX_CHECK_BYTES, Verdict, compare_file, judge

blueprint = Blueprint("verify", __name__, url_prefix="/verify")


class CheckFileForm(FlaskForm):
    file = FileField(_l("The PDF you were given"), validators=[InputRequired(_l("Choose the PDF file to check."))])


@blueprint.after_request
def not_for_shared_caches(response):
    """A verification page shows the holder's name and the visitor's CSRF token: no cache may keep it, nor
    any search engine list it. The public keys are the exception: the same for everyone, meant to be copied."""
    if request.endpoint != "verify.public_keys":
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(verdict: Verdict, form, file_result: str | None):
    document = verdict.document
    category = None
    if verdict.state == "revoked" and document.revocation_category in lifecycle.CATEGORIES:
        category = lifecycle.bilingual(lifecycle.CATEGORIES[document.revocation_category])
    # A superseded document's page says when the newer version was issued, never where: holding the old
    # QR code does not entitle anyone to the new document (its holder shows it to whom they choose).
    replaced_on = document.superseded_by.issued_on \
        if verdict.state == "superseded" and document.superseded_by is not None else None
    return render_template("pages/public/verify.html", verdict=verdict, form=form, token=verdict.token,
                           file_result=file_result, category=category, replaced_on=replaced_on)


@blueprint.get("/<token>")
def verify(token: str):
    verdict = judge(token)
    # The file check is offered only for a code that was signed (the template shows it then). Building its
    # form makes a CSRF token, and so a session row: not for every scan of a mistyped or made-up code.
    form = CheckFileForm() if verdict.payload is not None else None
    return _page(verdict, form, None)


@blueprint.post("/<token>")
def check_file(token: str):
    verdict = judge(token)
    form = CheckFileForm()
    file_result = None
    status = 200
    if verdict.payload is None or not form.validate():
        status = 400
    else:
        file_result = compare_file(verdict, form.file.data.stream.read(MAX_CHECK_BYTES + 1))
    return _page(verdict, form, file_result), status


@blueprint.get("/keys.json")
def public_keys():
    """The public keys, for checking signatures offline. Old keys stay listed after a rotation."""
    response = jsonify({"issuer": "One Window", "keys": get_keyring().published()})
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
