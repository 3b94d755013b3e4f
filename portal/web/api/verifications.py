"""Partner systems check an issued document: the token from its QR code (or printed under it), and optionally
the PDF they were given. The verdict is /verify's own (portal.domain.rendering.verification), with the same
facts the page shows, in both languages."""

from __future__ import annotations

from datetime import datetime

from flask import request

from portal.domain import links
from portal.domain.i18n.formatting import in_cambodia
from portal.domain.rendering import lifecycle
from portal.domain.rendering.verification import MAX_CHECK_BYTES, Verdict, compare_file, judge
from portal.web.api import problems
from portal.web.api.operations import operation
from portal.web.api.texts import PROBLEMS, VERIFY

MAX_TOKEN_LENGTH = 1000


def _day(value) -> str | None:
    """A date, or a moment's date in Cambodia (as the /verify page writes it)."""
    if value is None:
        return None
    return (in_cambodia(value).date() if isinstance(value, datetime) else value).isoformat()


def _facts(verdict: Verdict) -> dict | None:
    document = verdict.document
    if document is None:
        return None
    category = lifecycle.CATEGORIES.get(document.revocation_category) if verdict.state == "revoked" else None
    replaced = document.superseded_by if verdict.state == "superseded" else None
    agency = document.issuing_agency
    return {
        "title": {"km": document.title_km, "en": document.title_en},
        "holder": {"km": document.holder_name, "en": document.holder_name_en or document.holder_name},
        "issued_on": _day(document.issued_on), "expires_on": _day(document.expires_on),
        "issued_by": {"km": agency.name_km, "en": agency.name_en} if agency is not None else None,
        "copy": {"number": document.copy_number, "of": document.copy_count} if document.copy_number else None,
        "revoked_on": _day(document.revoked_at) if verdict.state == "revoked" else None,
        "revocation_reason": lifecycle.bilingual(category) if category else None,
        # As the page: when a newer version was issued, never which one it is.
        "replaced_on": _day(replaced.issued_on) if replaced is not None else None,
    }


def _as_printed(token: str) -> str:
    """The token as /verify would take it: exactly as issued, or inside the very link the QR code holds
    (this portal's /verify/<token>); any other spelling is judged as it is, and so is not valid."""
    prefix = links.external_url("verify.verify", token="t").removesuffix("t")  # ".../verify/"  # noqa: S106
    return token.removeprefix(prefix) if token.startswith(prefix) else token


def verdict_json(verdict: Verdict, file_result: str | None) -> dict:
    return {"state": verdict.state, "document": _facts(verdict), "file": file_result}


@operation("/verifications", "POST", operation_id="verify_document", tag="verification", scope="verify:read",
           request_body="VerificationRequest", response="Verification", errors=(400,),
           summary=VERIFY["summary"], description=VERIFY["description"])
def verify_document():
    if request.mimetype == "multipart/form-data":
        token, upload = request.form.get("token"), request.files.get("file")
    else:
        body = request.get_json(silent=True)
        token, upload = (body.get("token") if isinstance(body, dict) else None), None
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return problems.response(400, PROBLEMS[400][0], VERIFY["no_token"], kind="no-token")
    verdict = judge(_as_printed(token))
    file_result = None
    if upload is not None and upload.filename and verdict.payload is not None:
        file_result = compare_file(verdict, upload.stream.read(MAX_CHECK_BYTES + 1))
    return verdict_json(verdict, file_result)
