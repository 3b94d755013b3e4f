"""Static files in production: content-hashed names, cached for a year as immutable, sent compressed.

At start-up (`create_app` in production) the files of `static/` are copied into
`<instance>/static/<digest of them all>/`, each under its own name and under a name carrying a hash of
its content (`css/portal.3f2a9c1e7b4d.css`), with a gzip and a brotli copy beside each. WhiteNoise
serves that folder ahead of Flask: a hashed name gets `Cache-Control: max-age=315360000, public,
immutable`, and the compressed copy the browser accepts (`Vary: Accept-Encoding`). `url_for('static',
filename=...)` gives the hashed name, so a new release (new content, new name) is fetched at once,
and browsers and proxies never ask again for a name they have.

No build command: the folder is built by the first process that starts a release (in a temporary
folder renamed into place, so web processes starting together never see half of it); later processes
find it there. Development serves `static/` as it is, through Flask.

CSS files are copied as they are: a `url()` in them naming another file of `static/` would keep the
unhashed name (today they name only `/fonts/...`, served by the portal with a year's caching).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from portal.web.security.headers import STRICT_TRANSPORT_SECURITY

HASH_LENGTH = 12
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[A-Za-z0-9]+$")


def hashed_name(relative: str, content: bytes) -> str:
    """`css/portal.css` -> `css/portal.<hash of content>.css`."""
    stem, dot, extension = relative.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    return f"{stem}.{digest}.{extension}" if dot else f"{relative}.{digest}"


def build(source: Path, into: Path) -> tuple[Path, dict[str, str]]:
    """The folder WhiteNoise serves for the files of `source`, built under `into` if not there yet,
    and the manifest: each file's name -> its hashed name."""
    files = sorted(path for path in source.rglob("*") if path.is_file() and not path.name.startswith("."))
    contents = {path.relative_to(source).as_posix(): path.read_bytes() for path in files}
    release = hashlib.sha256()
    for name, content in contents.items():
        release.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    target = into / release.hexdigest()[:HASH_LENGTH]
    manifest = {name: hashed_name(name, content) for name, content in contents.items()}
    if not target.is_dir():  # renamed into place whole: there means complete
        _write(target, contents, manifest)
    return target, manifest


def _write(target: Path, contents: dict[str, bytes], manifest: dict[str, str]) -> None:
    staging = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    compressor = Compressor(quiet=True)
    for name, content in contents.items():
        for written in (name, manifest[name]):
            path = staging / written
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            if compressor.should_compress(written):
                list(compressor.compress(str(path)))  # writes path.gz and path.br when they are smaller
    try:
        staging.rename(target)
    except OSError:  # another process renamed its identical copy first
        shutil.rmtree(staging, ignore_errors=True)


def _is_hashed(_path: str, url: str) -> bool:
    return bool(HASHED_NAME.search(url))


def _security_headers(headers, _path: str, _url: str) -> None:
    # WhiteNoise answers before Flask, whose after-request functions set these on every other response
    # (static files are served this way only in production, where cookies are Secure: HSTS too).
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY


def init_app(app: Flask) -> None:
    """Serve `static/` with hashed names, immutable caching and compression (production)."""
    folder, manifest = build(Path(app.static_folder), Path(app.instance_path) / "static")
    app.wsgi_app = WhiteNoise(
        app.wsgi_app, root=str(folder), prefix=app.static_url_path, max_age=60, allow_all_origins=False,
        immutable_file_test=_is_hashed, add_headers_function=_security_headers,
    )

    @app.url_defaults
    def _hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]
