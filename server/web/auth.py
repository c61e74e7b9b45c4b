"""Log-in and log-out of the console (rate-limited like the API's log-in)."""
from flask import flash, g, redirect, render_template, request, session, url_for

from server.auth import verify_credentials
from server.errors import PROBLEM_TYPES, Problem
from server.web import web

LOGIN_ERRORS = {"unauthorized": "用户名或密码错误"}     # the rate limit's own message says when to retry


@web.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    try:
        user = verify_credentials(request.form.get("username", ""), request.form.get("password", ""))
    except Problem as exc:
        status, message = PROBLEM_TYPES[exc.slug][0], LOGIN_ERRORS.get(exc.slug, exc.detail)
        return render_template("login.html", error=message, next=request.form.get("next", "")), status
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
