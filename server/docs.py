"""A docs page rendered from the generated OpenAPI document (no JavaScript from elsewhere)."""
from flask import current_app, render_template

from server.errors import PROBLEM_TYPES, Problem


def api_docs():
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return render_template("api_docs.html", spec=spec, problems=PROBLEM_TYPES)


def problem_page(slug):
    """Each problem ``type`` URI resolves to a short explanation."""
    if slug not in PROBLEM_TYPES:
        raise Problem("not-found", f"no problem type {slug!r}")
    status, title = PROBLEM_TYPES[slug]
    return {"type": f"/problems/{slug}", "title": title, "status": status}


def init_app(app):
    app.add_url_rule("/api/docs", "api_docs", api_docs)
    app.add_url_rule("/problems/<slug>", "problem_page", problem_page)
