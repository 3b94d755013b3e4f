"""Issue 12, item 17: in production static files have content-hashed names, are cached as immutable and
are sent compressed (WhiteNoise); development serves static/ as it is."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys

import brotli
import pytest

from portal.paths import PROJECT_ROOT
from portal.web import static_files

HASHED_STYLESHEET = re.compile(r"^/static/css/portal\.[0-9a-f]{12}\.css$")


@pytest.fixture
def production_static(app):
    """The portal's app with what create_app adds in production, taken away again afterwards."""
    saved_wsgi, saved_defaults = app.wsgi_app, list(app.url_default_functions.get(None, []))
    served, app._got_first_request = app._got_first_request, False  # the session's app served earlier tests
    try:
        static_files.init_app(app)
    finally:
        app._got_first_request = served
    yield app
    app.wsgi_app = saved_wsgi
    app.url_default_functions[None] = saved_defaults


def stylesheet_url(client) -> str:
    return client.get("/").soup.select_one("link[rel=stylesheet]")["href"]


def test_pages_name_every_static_file_by_its_content(production_static, client):
    soup = client.get("/").soup
    assert HASHED_STYLESHEET.match(soup.select_one("link[rel=stylesheet]")["href"])
    named = [tag.get("href") or tag.get("src") for tag in soup.select("link[href^='/static/'], script[src], img[src]")]
    assert named and all(static_files.HASHED_NAME.search(url) for url in named), named


@pytest.mark.parametrize(("accept", "encoding", "decode"), [
    ("gzip, deflate, br", "br", brotli.decompress),
    ("gzip", "gzip", gzip.decompress),
])
def test_a_hashed_file_is_immutable_for_a_year_and_compressed(production_static, client, accept, encoding, decode):
    with client.get(stylesheet_url(client), headers={"Accept-Encoding": accept}) as response:
        data = response.data
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert decode(data) == (PROJECT_ROOT / "static/css/portal.css").read_bytes()


def test_without_accept_encoding_the_file_is_sent_as_it_is(production_static, client):
    with client.get(stylesheet_url(client)) as response:
        data = response.data
    assert "Content-Encoding" not in response.headers
    assert data == (PROJECT_ROOT / "static/css/portal.css").read_bytes()


def test_an_unhashed_name_still_works_but_is_not_cached_for_long(production_static, client):
    with client.get("/static/css/portal.css") as response:
        assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]


def test_changed_content_gets_a_new_name_and_a_new_folder(tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    (source / "css/site.css").write_text("body { color: black; }\n" * 50)
    first, names = static_files.build(source, tmp_path / "built")
    assert (first / names["css/site.css"]).is_file() and (first / (names["css/site.css"] + ".gz")).is_file()
    assert static_files.build(source, tmp_path / "built") == (first, names)  # built once per release
    (source / "css/site.css").write_text("body { color: navy; }\n" * 50)
    second, renamed = static_files.build(source, tmp_path / "built")
    assert second != first and renamed["css/site.css"] != names["css/site.css"]


def test_development_serves_static_files_under_their_own_names(client):
    href = stylesheet_url(client)
    assert href == "/static/css/portal.css"
    with client.get(href) as response:
        assert response.status_code == 200


PRODUCTION_PORTAL = """
import json, sys
import click
# As under `flask ...`: create_app leaves the keys (irrelevant to static files) to the commands that need them.
with click.Context(click.Command("check")):
    from portal import create_app
    app = create_app()
client = app.test_client()
page = client.get("/help", base_url="https://portal.example").get_data(as_text=True)
href = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
with client.get(href, base_url="https://portal.example", headers={"Accept-Encoding": "gzip"}) as response:
    print(json.dumps({"href": href, "headers": dict(response.headers)}))
"""


def test_create_app_in_production_serves_hashed_compressed_immutable_files(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "FLASK_APP")}
    env.update(PORTAL_ENV="production", SECRET_KEY="s" * 40, PORTAL_BASE_URL="https://portal.example",
               DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}", REDIS_URL="redis://127.0.0.1:1/0",
               PORTAL_INSTANCE_PATH=str(tmp_path / "instance"))
    done = subprocess.run([sys.executable, "-c", PRODUCTION_PORTAL], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert HASHED_STYLESHEET.match(answer["href"])
    assert answer["headers"]["Cache-Control"] == "max-age=315360000, public, immutable"
    assert answer["headers"]["Content-Encoding"] == "gzip"
