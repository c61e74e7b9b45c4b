"""The customer's link: a signed, expiring token for one ticket — progress, the signed PDF, ratings."""
from flask import current_app, flash, redirect, render_template, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from server.api.pdf import pdf_response
from server.db import get_db, transaction
from server.errors import Problem
from pdf.labels import STAGES
from server.storage import now_iso, ratings, tickets as store
from server.web import form, web

SALT = "customer-link"


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def customer_link(ticket_id) -> str:
    return url_for("web.customer_page", token=serializer().dumps(ticket_id), _external=True)


def ticket_of(token) -> dict:
    """The ticket the token was made for; an expired or forged token reaches nothing."""
    try:
        ticket_id = serializer().loads(token, max_age=current_app.config["CUSTOMER_LINK_DAYS"] * 86400)
    except SignatureExpired:
        raise Problem("forbidden", "链接已过期，请联系客户经理重新发送") from None
    except BadSignature:
        raise Problem("not-found", "链接无效") from None
    ticket = store.get_ticket(get_db(), ticket_id)
    if ticket is None:
        raise Problem("not-found", "链接无效")
    return ticket


@web.route("/customer/<token>")
def customer_page(token):
    ticket = ticket_of(token)
    rated = {r["stage"]: r for r in ratings.of_ticket(get_db(), ticket["id"])}
    history = [h for h in store.get_history(get_db(), ticket["id"]) if h["from_stage"] != h["to_stage"]]
    return render_template("customer.html", ticket=ticket, token=token, history=history, rated=rated,
                           stage_names=STAGES)


@web.route("/customer/<token>/scheme.pdf")
def customer_pdf(token):
    ticket = ticket_of(token)
    if not ticket.get("signed_pdf"):
        raise Problem("not-found", "方案尚未签署")
    return pdf_response(current_app.extensions["yekuo.services"].blobs.read(ticket["signed_pdf"]["blob"]),
                        f"scheme-{ticket['id']}.pdf")


@web.route("/customer/<token>/rate", methods=["POST"])
def customer_rate(token):
    ticket = ticket_of(token)
    stage, score = request.form.get("stage", ""), request.form.get("score", type=int)
    finished = {h["from_stage"] for h in store.get_history(get_db(), ticket["id"]) if h["from_stage"] != h["to_stage"]}
    if stage not in finished or score not in range(1, 6):
        raise Problem("validation-error", "请为已完成的环节打 1–5 分",
                      errors={"stage" if stage not in finished else "score": ["invalid"]})
    db = get_db()
    with transaction(db):
        ratings.rate(db, ticket["id"], stage, score, form("comment")[:500], now_iso())
    flash("感谢您的评价")
    return redirect(url_for("web.customer_page", token=token))
