"""Every route answers strange input with a 4xx (or a page), never a 500: a walk over the URL map."""

from __future__ import annotations

import io

import pytest

from tests.sessions import sign_in_as

STRANGE = ["🙂", "ក" * 300, "..%2F..%2Fetc%2Fpasswd", "0", "-1", "%00", "' OR 1=1 --"]


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def fill(rule, value):
    return rule.rule.replace("<path:", "<").split("<")[0] + "".join(
        value + part.split(">", 1)[1] for part in rule.rule.split("<")[1:]
    )


@pytest.mark.parametrize("who", ["anonymous", "citizen", "staff", "admin"])
def test_no_route_answers_500_to_strange_values(app, client, factories, who):
    if who != "anonymous":
        make = {"citizen": factories.person, "staff": factories.staff, "admin": factories.admin}[who]
        sign_in_as(client, make())
    problems, checked = [], 0
    for rule in routes(app):
        for value in STRANGE if rule.arguments else [""]:
            path = fill(rule, value) if rule.arguments else rule.rule
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                client.expected_lang = None
                token = client.csrf_token()
                data = {"csrf_token": token, "lang": value or "🙂", "next": value, "contact": value,
                        "file": (io.BytesIO("🙂".encode()), "🙂.pdf")}
                client.expected_lang = None
                response = client.open(path, method=method, data=data if method == "POST" else None,
                                       content_type="multipart/form-data" if method == "POST" else None,
                                       query_string={"lang": value, "level": value, "parent": value})
                checked += 1
                if response.status_code >= 500:
                    problems.append(f"{method} {path} -> {response.status_code}")
    assert problems == []
    assert checked > 100  # the walk really walked


@pytest.mark.parametrize("path", ["/applications/%00", "/applications/ab%00cd/review", "/kiosk/handoff/%00/status"])
def test_a_nul_in_a_path_part_names_nothing(client, factories, path):
    # PostgreSQL refuses NUL in text: a lookup with it was a 500 there (SQLite only found nothing).
    sign_in_as(client, factories.person())
    client.expected_lang = None
    assert client.get(path).status_code == 404
