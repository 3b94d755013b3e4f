"""`/verify/<token>`: the QR code's target, where anyone checks an issued document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms.validators import InputRequired

from portal.data import documents as document_data
from portal.i18n.formatting import CAMBODIA
from portal.rendering import signing
from portal.rendering.documents import get_keyring
from portal.rendering.issuing import matches

blueprint = Blueprint("verify", __name__, url_prefix="/verify")
MAX_CHECK_BYTES = 20 * 1024 * 1024


class CheckFileForm(FlaskForm):
    file = FileField(_l("The PDF you were given"), validators=[InputRequired(_l("Choose the PDF file to check."))])


@dataclass(frozen=True)
class Verdict:
    state: str  # valid, expired, revoked, superseded, invalid
    payload: signing.Payload | None = None
    document: object | None = None

    @property
    def is_valid(self) -> bool:
        return self.state == "valid"


def judge(token: str) -> Verdict:
    try:
        payload = signing.verify(token, get_keyring().public_keys())
    except signing.InvalidToken:
        return Verdict("invalid")
    document = document_data.get_by_verification_id(payload.document_id.hex())
    if document is None:
        return Verdict("invalid", payload)
    if document.status == "revoked":
        return Verdict("revoked", payload, document)
    if document.status == "superseded":
        return Verdict("superseded", payload, document)
    if payload.is_expired(datetime.now(CAMBODIA).date()):
        return Verdict("expired", payload, document)
    return Verdict("valid", payload, document)


@blueprint.get("/<token>")
def verify(token: str):
    verdict = judge(token)
    return render_template("pages/verify.html", verdict=verdict, form=CheckFileForm(), token=token,
                           file_result=None)


@blueprint.post("/<token>")
def check_file(token: str):
    verdict = judge(token)
    form = CheckFileForm()
    file_result = None
    status = 200
    if verdict.payload is None or not form.validate():
        status = 400
    else:
        data = form.file.data.stream.read(MAX_CHECK_BYTES + 1)
        if verdict.document is not None and hashlib.sha256(data).hexdigest() == verdict.document.sha256:
            file_result = "identical"
        elif matches(data, verdict.payload.sha256):
            file_result = "changed_after_issue"
        else:
            file_result = "different"
    return render_template("pages/verify.html", verdict=verdict, form=form, token=token,
                           file_result=file_result), status


@blueprint.get("/keys.json")
def public_keys():
    """The public keys, for checking signatures offline. Old keys stay listed after a rotation."""
    response = jsonify({"issuer": "One Window", "keys": get_keyring().published()})
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
