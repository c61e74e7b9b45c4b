"""Getting-Electricity indicators per region and month, as tables, SVG charts and CSV."""
import csv
import io
import re
from collections import defaultdict
from datetime import datetime

from flask import Response, current_app, g, render_template, request

from pdf.labels import CUSTOMER_CLASSES, label
from server import access
from server.db import get_db
from server.errors import Problem
from server.storage import conflicts as conflict_store, ratings, tickets as store, users, utcnow
from server.storage.calendar import load_calendar
from server.web import login_required, web
from sync import storage as sync_store


def on_time(application) -> bool:
    """Connected by its process deadline (none: on time); both times in UTC, so they compare as text."""
    return application["completed_at"] <= (application["process_due_at"] or "9999")


def class_rows(db, applications, book) -> list:
    """Per customer class: applications, connections, average and maximum working days against the
    per-ticket limit and the average the region targets (a KPI, docs/DOMAIN.md §3)."""
    calendar, groups = load_calendar(db), defaultdict(list)
    for application in applications:
        groups[application["customer_class"]].append(application)
    pipelines = {key: book.get(key[0], key[1]).pipelines[key[2]]
                 for key in {(a["region"], a["policy_year"], a["pipeline"]) for a in applications}}
    rows = []
    for customer_class, members in sorted(groups.items()):
        done = [a for a in members if a["stage"] == "completed" and a["completed_at"]]
        days = [calendar.working_days_between(datetime.fromisoformat(a["created_at"]),
                                              datetime.fromisoformat(a["completed_at"])) for a in done]
        used = [pipelines[a["region"], a["policy_year"], a["pipeline"]] for a in members]
        limit = max((p.process_limit_days.value for p in used if p.process_limit_days), default=None)
        target = max((p.average_target_days.value for p in used if p.average_target_days), default=None)
        rows.append({"customer_class": label(CUSTOMER_CLASSES, customer_class), "applications": len(members),
                     "connected": len(done), "avg_working_days": round(sum(days) / len(days), 2) if days else None,
                     "max_working_days": round(max(days), 2) if days else None, "limit_days": limit,
                     "average_target_days": target,
                     "on_time_share": round(sum(map(on_time, done)) / len(done), 3) if done else None,
                     "avg_stages": round(sum(len(a["planned_stages"]) for a in members) / len(members), 2)})
    return rows


def summary_rows(db, applications, region, month) -> list:
    signed = [a for a in applications if a["scheme.signed_at"]]
    on_site = [a for a in signed if a["scheme.signed_on_device"] not in (None, "web", "demo")]
    pays = sum(a["scheme.chosen_option.cost_estimate_yuan.customer_pays"] or 0 for a in signed)
    lag = sync_store.client_lag_seconds(db, month, region and users.usernames_in(db, region))
    ids = [a["id"] for a in applications]
    conflicts, rating = conflict_store.open_count_of(db, ids), ratings.average(db, ids)
    return [{"indicator": name, "value": value} for name, value in (
        ("地区", region or "全部"), ("月份", month), ("申请数", len(applications)), ("已签方案", len(signed)),
        ("现场签署占比", round(len(on_site) / len(signed), 3) if signed else None),
        ("客户承担费用（元）", pays), ("同步延迟（秒，平均）", round(lag, 1) if lag is not None else None),
        ("未解决冲突", conflicts), ("客户评价（平均分 / 条数）", f"{rating[0]:.2f} / {rating[1]}" if rating[1] else "—"))]


def indicators(region, month) -> dict:
    db = get_db()
    applications = store.applications_in_month(db, access.ticket_filter(g.user), month, region)
    book = current_app.extensions["yekuo.policies"]
    return {"by_class": class_rows(db, applications, book), "summary": summary_rows(db, applications, region, month)}


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def params():
    month = request.args.get("month") or utcnow().strftime("%Y-%m")
    if not MONTH.match(month):
        raise Problem("validation-error", "month is YYYY-MM", errors={"month": ["YYYY-MM"]})
    return access.region_or_own(g.user, request.args.get("region")) or "", month


def cell(value):
    """A spreadsheet opens a cell starting with = + - @ as a formula: such text gets a leading
    apostrophe (OWASP's CSV-injection advice). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@web.route("/dashboard")
@login_required("dashboard.read")
def dashboard():
    region, month = params()
    data = indicators(region, month)
    chart_max = max([r["limit_days"] or 0 for r in data["by_class"]] + [r["average_target_days"] or 0
                                                                       for r in data["by_class"]] + [r["avg_working_days"] or 0
                                                                       for r in data["by_class"]] + [1])
    return render_template("dashboard.html", region=region, month=month, chart_max=chart_max, **data)


@web.route("/dashboard.csv")
@login_required("dashboard.read")
def dashboard_csv():
    region, month = params()
    table = request.args.get("table", "by_class")
    rows = indicators(region, month).get(table)
    if rows is None:
        raise Problem("not-found", "table is by_class or summary")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["empty"])
    writer.writeheader()
    writer.writerows({key: cell(value) for key, value in row.items()} for row in rows)
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    name = re.sub(r"[^A-Za-z0-9_-]", "_", f"{table}-{region or 'all'}-{month}")     # never a quote or a newline
    response.headers.set("Content-Disposition", "attachment", filename=f"{name}.csv")
    return response
