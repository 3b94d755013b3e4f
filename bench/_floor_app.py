"""A second baseline for the signed-in pages: the bare Flask page plus only the database reads every signed-in
page of an application must make, by key, in one transaction: the session row (by its cookie's digest), the
application (by its public id) and its applicant. No ORM, no rendering, no session logic.

Served beside the portal under the same gunicorn settings, against the portal's own database and rows, it
shows how much of bare Flask's rate is left once those round trips are paid (bench/pages.py, "floor" row):
an upper bound for any signed-in page on this machine, however fast its rendering. The keys come in the
environment: FLOOR_DATABASE_URL, FLOOR_SESSION_DIGEST, FLOOR_APPLICATION.
"""

import os
from datetime import UTC, datetime

from flask import Flask, abort
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ["FLOOR_DATABASE_URL"], pool_size=5, max_overflow=10)
SESSION = text("SELECT data FROM web_sessions WHERE id_digest = :digest AND expires_at > :now")
APPLICATION = text("SELECT * FROM applications WHERE public_id = :public_id")
PERSON = text("SELECT * FROM people WHERE id = :id")
PAGE = "<!doctype html><html lang=en><title>Hello</title><h1>Hello</h1><p>A bare Flask page.</p></html>"


@app.route("/")
def page():
    with engine.connect() as connection:  # BEGIN at the first read, ROLLBACK when returned to the pool
        now = datetime.now(UTC).replace(tzinfo=None)  # as the portal stores times: naive UTC
        if connection.execute(SESSION, {"digest": os.environ["FLOOR_SESSION_DIGEST"], "now": now}).scalar() is None:
            abort(403)
        application = connection.execute(APPLICATION, {"public_id": os.environ["FLOOR_APPLICATION"]}).one()
        connection.execute(PERSON, {"id": application.applicant_person_id}).one()
    return PAGE
