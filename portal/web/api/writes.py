"""Every API write is one unit of work: what the route did is committed if it answers with success, and
rolled back otherwise (a problem, an error, an exception), so no failed request leaves half of itself behind.

Routes declared `idempotent` also honour an `Idempotency-Key` header (portal.domain.api_writes): the key is
claimed inside the same transaction, the answer is stored with it, and a retry gets the stored answer again,
marked `Idempotent-Replayed: true`.
"""

from __future__ import annotations

import functools

from flask import Response, current_app, request

from portal.domain import api_writes
from portal.extensions import db
from portal.web.api import problems
from portal.web.api.auth import current_token
from portal.web.api.texts import WRITES

HEADER = "Idempotency-Key"
KEY_PARAMETER = {"name": HEADER, "in": "header", "required": False, "description": WRITES["key"],
                 "schema": {"type": "string", "minLength": 1, "maxLength": 255}}


def unit_of_work(view, idempotent: bool):
    @functools.wraps(view)
    def write(*args, **kwargs):
        key = request.headers.get(HEADER) if idempotent else None
        committed = False
        try:
            answer = _answer(view, args, kwargs) if key is None else _once(key, view, args, kwargs)
            if answer.status_code < 400:
                db.session.commit()
                committed = True
            return answer
        finally:
            if not committed:
                db.session.rollback()

    return write


def _answer(view, args, kwargs) -> Response:
    return current_app.make_response(view(*args, **kwargs))


def _once(key: str, view, args, kwargs) -> Response:
    if not api_writes.well_formed(key):
        return problems.response(400, WRITES["bad_key_title"], WRITES["bad_key"], kind="invalid-idempotency-key")
    try:
        earlier, claim = api_writes.claim(current_token(), key, _request_digest())
    except api_writes.KeyReused:
        return problems.response(422, WRITES["key_reused_title"], WRITES["key_reused"], kind="idempotency-key-reused")
    if earlier is not None:
        replayed = Response(earlier.body, status=earlier.status, mimetype="application/json")
        if earlier.location:
            replayed.headers["Location"] = earlier.location
        replayed.headers["Idempotent-Replayed"] = "true"
        return replayed
    answer = _answer(view, args, kwargs)
    if answer.status_code < 400:
        api_writes.record(claim, answer.status_code, answer.get_data(as_text=True), answer.headers.get("Location"))
    return answer


def _request_digest() -> str:
    """The method, the path and the content. A multipart body is read by its parts, not its bytes: a client's
    library picks a new boundary for each retry of the very same upload."""
    parts = [request.method.encode(), request.path.encode()]
    if request.mimetype == "multipart/form-data":
        for name, value in sorted(request.form.items(multi=True)):
            parts += [name.encode(), value.encode()]
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            parts += [name.encode(), (upload.filename or "").encode(), upload.stream.read()]
            upload.stream.seek(0)
    else:
        parts.append(request.get_data(cache=True))
    return api_writes.digest(*parts)
