"""Serves the field app's build (``field_app/dist``, made by ``make field-app``) at ``/app/``.

The index and the service worker are always revalidated, so a device learns of a new version the
next time it is online; the bundle and stylesheet are named by content hash and cached for good. The
app's pages get their own Content-Security-Policy: like the console, no inline script or style, but
photos shown from the device (``blob:``) and a service worker that fetches the shell.
"""
from pathlib import Path

from flask import Blueprint, current_app, redirect, send_from_directory
from werkzeug.exceptions import NotFound

from server.errors import Problem

APP_POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
              "worker-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
              "frame-ancestors 'none'; manifest-src 'self'")
REVALIDATE = ("index.html", "sw.js", "manifest.webmanifest")
CACHING = {True: "no-cache", False: "public, max-age=31536000, immutable"}     # revalidated? → Cache-Control
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "field_app" / "dist"

field_app = Blueprint("field_app", __name__)


def build_dir() -> Path:
    configured = current_app.config["FIELD_APP_DIR"]
    return Path(configured) if configured else DEFAULT_DIR


@field_app.route("/app")
def app_root():
    return redirect("/app/", code=308)


@field_app.route("/app/", defaults={"name": "index.html"})
@field_app.route("/app/<path:name>")
def app_file(name):
    folder = build_dir()
    if not (folder / "index.html").is_file():
        raise Problem("not-built", "the field app is not built on this server: run `make field-app`")
    try:
        response = send_from_directory(folder, name)
    except NotFound:
        raise Problem("not-found", f"the field app has no file {name}") from None
    response.headers["Content-Security-Policy"] = APP_POLICY
    response.headers["Cache-Control"] = CACHING[name in REVALIDATE]
    return response


def init_app(app):
    app.register_blueprint(field_app)
