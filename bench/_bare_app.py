"""The baseline the portal's pages are compared with: a bare Flask app under the same gunicorn settings.
GET answers a short HTML page; POST answers a redirect, as the portal's form submissions do."""

from flask import Flask, redirect

app = Flask(__name__)
PAGE = "<!doctype html><html lang=en><title>Hello</title><h1>Hello</h1><p>A bare Flask page.</p></html>"


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def anything(path: str):
    from flask import request

    if request.method == "POST":
        return redirect("/done")
    return PAGE
