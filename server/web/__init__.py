"""The back-office console: server-rendered pages (Jinja, Chinese labels, no JS build step).

Log-in with a session cookie; every POST form carries a CSRF token (Flask-WTF); the same scope
rules as the API (:mod:`server.access`) decide what each page shows.
"""
from functools import wraps

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from server import access, json_input
from server.db import get_db
from server.errors import Problem
from server.storage import sessions, users

web = Blueprint("web", __name__, template_folder="../templates/web")
csrf = CSRFProtect()


@web.before_request
def load_user_and_check_csrf():
    g.user = current_console_user()
    g.device_id = "web"
    if request.method == "POST":
        csrf.protect()


def current_console_user():
    """The user of a live server-side session; a cookie from before log-out or expiry carries no one."""
    sid = session.get("sid")
    username = sid and sessions.session_user(get_db(), sid, current_app.config["SESSION_HOURS"])
    return users.get_user(get_db(), username) if username else None


def form(name: str, default: str = "") -> str:
    """A text field of the posted form, cleaned like every JSON body (server/json_input.py)."""
    return json_input.form_text(request.form.get(name, default))


def login_required(action: str):
    """Pages need a logged-in user whose role may do ``action`` (:mod:`server.access`)."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("web.login", next=request.full_path))
            if not access.may(g.user, action):
                raise Problem("forbidden", "这个页面需要后台权限")
            return view(*args, **kwargs)
        return wrapper
    return decorator


class ConsoleSession(SecureCookieSessionInterface):
    """The signed cookie session is the console's (its pages, its log-in); the API and sync endpoints
    authenticate by bearer token and get Flask's null session, without a cookie read or written — a
    serializer built, a cookie looked for and a response inspected were ~2 % of a sync push's CPU."""

    def open_session(self, app, request):
        if request.path.startswith(TOKEN_PATHS):
            return None
        return super().open_session(app, request)


TOKEN_PATHS = ("/api/", "/sync/")


def init_app(app):
    app.session_interface = ConsoleSession()
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)     # only the console's forms; the API uses tokens
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=bool(app.config["SECURE_COOKIES"]),
                      WTF_CSRF_TIME_LIMIT=app.config["CSRF_HOURS"] * 3600)
    csrf.init_app(app)
    from server.web import auth, customer, dashboard, pages  # noqa: F401 - routes register on import
    app.register_blueprint(web)
    app.register_error_handler(CSRFError, csrf_failed)


def csrf_failed(exc):
    return render_template("error.html", status=400, message=f"表单已失效或缺少校验码（CSRF）：{exc.description}"), 400
