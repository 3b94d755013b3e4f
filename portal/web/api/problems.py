"""Errors as RFC 9457 problem details (`application/problem+json`), in the language the client asked for.

`type` names the kind of problem with a stable URI under the published documentation; `title` and
`detail` are for people, in Khmer or English; `errors` (for invalid input) names each field by its id.
"""

from __future__ import annotations

from flask import Response, json

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://onewindow.gov.kh/developers/api/problems/"


def response(status: int, title, detail=None, kind: str | None = None, headers: dict | None = None,
             **members) -> Response:
    body = {"type": TYPE_BASE + (kind or str(status)), "title": str(title), "status": status}
    if detail is not None:
        body["detail"] = str(detail)
    body.update(members)
    # A client's own text echoed back (a key it sent) may hold a lone surrogate: written as its JSON escape.
    text = json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace")
    answer = Response(text, status=status, mimetype=MEDIA_TYPE)
    answer.headers["Content-Language"] = _language()
    answer.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        answer.headers[name] = value
    return answer


def _language() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "km")
