"""Asking once before what cannot be undone (withdrawing, deleting a draft, a decision that issues a
certificate, deactivating an account), without JavaScript.

The page's button posts as before; a POST without `confirm=1` answers with a page that says what will
happen, and a second form to the same address carrying the same fields, `confirm=1` and its own CSRF
token. Only that second POST does it. A script or test posting `confirm=1` directly still passes CSRF."""

from __future__ import annotations

from flask import render_template, request

CONFIRM = "confirm"


def confirmed() -> bool:
    return request.form.get(CONFIRM) == "1"


def ask(*, title: str, consequences: list[str], button: str, cancel_url: str, warning: bool = True):
    """The confirmation page for the current POST (the caller returns it; nothing was changed)."""
    kept = [(name, value) for name, values in request.form.lists()
            if name not in ("csrf_token", CONFIRM) for value in values]
    return render_template("pages/confirm.html", title=title, consequences=consequences, button=button,
                           cancel_url=cancel_url, kept=kept, action=request.path, warning=warning)
