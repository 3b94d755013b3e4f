"""Security headers on every response, and `no-store` on every page for a signed-in user."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"


def security_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers every response carries, also one answered ahead of Flask (/healthz, health.py)."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if app.config["SESSION_COOKIE_SECURE"]:
        headers.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
    return headers


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    for name, value in security_headers(current_app):
        headers.setdefault(name, value)
    if g.get("outage"):
        return response  # the outage page sets its own; the signed-in user cannot be loaded now
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
