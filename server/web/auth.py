"""Log-in and log-out of the console (rate-limited like the API's log-in; sessions held server-side)."""
from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for

from server import access
from server.auth import verify_credentials
from server.db import get_db, transaction
from server.errors import PROBLEM_TYPES, Problem
from server.storage import sessions
from server.web import web

LOGIN_ERRORS = {"unauthorized": "用户名或密码错误"}     # the rate limit's own message says when to retry


def local_path(target: str) -> bool:
    """Only a path on this site: no scheme or host, no ``//`` or ``/\\`` (browsers read both as a host),
    no control characters a browser would drop before reading it."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@web.route("/login", methods=["GET", "POST"])
def login():
    if request.method != "POST":          # GET, or HEAD from a link checker: the form
        return render_template("login.html", next=request.args.get("next", ""))
    try:
        user = verify_credentials(request.form.get("username", ""), request.form.get("password", ""))
    except Problem as exc:
        status, message = PROBLEM_TYPES[exc.slug][0], LOGIN_ERRORS.get(exc.slug, exc.detail)
        return render_template("login.html", error=message, next=request.form.get("next", "")), status
    session.clear()
    with transaction(get_db()):
        session["sid"] = sessions.open_session(get_db(), user.username)
    target = request.form.get("next") or ""
    return redirect(target if local_path(target) else url_for("web.inbox"))


@web.route("/logout", methods=["POST"])
def logout():
    if session.get("sid"):
        with transaction(get_db()):
            sessions.close_session(get_db(), session["sid"])
    session.clear()
    flash("已退出")
    return redirect(url_for("web.login"))


@web.app_context_processor
def current_user():
    """The user, and ``may(action)`` so that menus follow server/access.py."""
    user = g.get("user")
    return {"user": user, "may": lambda action: bool(user) and access.may(user, action)}
