"""Log-in and log-out of the console (rate-limited like the API's log-in)."""
from flask import flash, g, redirect, render_template, request, session, url_for

from server.auth import check_rate_limit
from server.db import get_db, transaction
from server.errors import Problem
from server.storage import devices, users
from server.web import web


@web.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    db, username = get_db(), request.form.get("username", "")
    key = f"{username}|{request.remote_addr}"
    try:
        check_rate_limit(db, key)
    except Problem as exc:
        return render_template("login.html", error=exc.detail, next=request.form.get("next", "")), 429
    user = users.check_credentials(db, username, request.form.get("password", ""))
    if user is None:
        with transaction(db):
            devices.record_failure(db, key)
        return render_template("login.html", error="用户名或密码错误", next=request.form.get("next", "")), 401
    session.clear()
    session["username"] = user.username
    target = request.form.get("next") or ""
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("web.inbox"))


@web.route("/logout", methods=["POST"])
def logout():
    session.clear()
    flash("已退出")
    return redirect(url_for("web.login"))


@web.app_context_processor
def current_user():
    return {"user": g.get("user")}
