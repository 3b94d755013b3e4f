"""`flask serve`: the web server, one RQ worker and (without REDIS_URL) an embedded Redis,
started together and stopped together on Ctrl-C, leaving no process behind."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys

import click
from flask import current_app
from werkzeug.serving import run_simple

from portal.cli.checks import require_database, require_keys, require_redis
from portal.config import SERVED_URL_VARIABLE, served_url
from portal.extensions import redis_connection
from portal.redis_server import stop_embedded


def _stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # RQ finishes the job in hand, then exits
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _raise_keyboard_interrupt(_signum, _frame):
    raise KeyboardInterrupt


def record_served_address(host: str, port: int) -> tuple[str, dict[str, str]]:
    """Without PORTAL_BASE_URL, links made outside a request (QR codes, messages sent by jobs) point at
    the address served here: it goes into this process's settings and into the worker's environment.
    Returns the address and what to add to the worker's environment."""
    settings = current_app.config["PORTAL_SETTINGS"]
    address = served_url(host, port)
    if settings.base_url_fixed:
        return address, {}
    current_app.config["PORTAL_SETTINGS"] = dataclasses.replace(settings, base_url=address)
    return address, {SERVED_URL_VARIABLE: address}


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the portal for development: web server, worker and (if REDIS_URL is unset) Redis."""
    require_database()
    require_keys()
    redis_url = redis_connection.url  # starts the embedded Redis when REDIS_URL is unset
    require_redis()
    embedded = current_app.config["PORTAL_SETTINGS"].redis_url is None
    address, worker_env = record_served_address(host, port)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    # A process started in the background by a shell inherits SIGINT as "ignored": take it back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"],
        env={**os.environ, **worker_env, "REDIS_URL": redis_url},
        # Its own session: Ctrl-C reaches us alone, and we stop the worker before its Redis.
        start_new_session=True,
    )
    click.echo(f"Redis:  {'embedded, ' if embedded else ''}{redis_url}")
    click.echo(f"Worker: pid {worker.pid}")
    click.echo(f"Portal: {address}   (Ctrl-C stops everything)")
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C (or a signal sent to the whole process group twice) must not cut the
        # shutdown short: the worker has to stop before the Redis it talks to.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        click.echo("Stopping the worker and Redis ...")
        _stop(worker)
        stop_embedded()
        click.echo("Stopped.")
