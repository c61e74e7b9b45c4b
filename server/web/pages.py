"""Console pages: inbox, ticket, co-sign and manual queues, conflicts, grid data, jobs."""
import json
from datetime import datetime, timedelta

from flask import current_app, flash, g, redirect, render_template, request, url_for

from pdf.sketch import scale_bar_m, sketch_layout
from scheme_builder import capacity
from scheme_builder.errors import GridDataError
from server import access, conflicts as conflict_service, grid as grid_service, stages, tickets as service
from server.db import get_db
from server.api.pdf import pdf_response
from server.errors import Problem
from server.scheme_pdf import signed_reply
from server.jobs import job_status
from pdf.labels import STAGES, label
from server.storage import ROW_ID, grid as grid_store, outbox, tickets as store, users, utcnow
from server.storage.calendar import load_calendar
from server.web import form, login_required, web
from server.web.customer import customer_link
from sync import storage as sync_store

PAGE_SIZE = 25
FILTERS = ("region", "team", "manager", "business_type", "stage")
FLAGS = ("overdue", "due_soon", "has_conflict")
MANUAL_NUMBERS = ("supply_voltage_kv", "lon", "lat", "route_length_m", "cost_low", "cost_high", "grid_works_days",
                  "connect_days")


def book():
    return current_app.extensions["yekuo.policies"]


def services():
    return current_app.extensions["yekuo.services"]


def actor():
    return service.Actor(g.user, "web")


@web.app_template_filter("stage_name")
def stage_name(stage):
    return label(STAGES, stage)


@web.app_template_filter("reject_page")
def reject_page(args):
    return {k: v for k, v in args.items() if k != "page"}


@web.app_template_filter("short_time")
def short_time(value):
    return (value or "")[:16].replace("T", " ")


@web.route("/")
@login_required("tickets.read")
def inbox():
    """Tickets in the caller's scope, filtered and sorted by due time, in pages."""
    filters = {name: request.args.get(name, "") for name in FILTERS}
    flags = {name: True for name in FLAGS if request.args.get(name) == "1"}      # unchecked: no filter
    page = max(1, request.args.get("page", 1, type=int))
    order = request.args.get("sort") if request.args.get("sort") in store.INBOX_ORDER else "due"
    now = utcnow()
    rows, total = store.inbox(get_db(), access.ticket_filter(g.user),
                              {**filters, **flags, "now": now, "soon": now + timedelta(hours=24)}, order,
                              (page - 1) * PAGE_SIZE, PAGE_SIZE)
    return render_template("inbox.html", tickets=rows, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
                           filters=filters, flags=flags, now=now.isoformat(), stages=STAGES)


def timeline(ticket, pack) -> list:
    """Planned stages with their limit and the working days each actually took."""
    calendar, history = load_calendar(get_db()), store.get_history(get_db(), ticket["id"])
    moves = [h for h in history if h["from_stage"] != h["to_stage"]]
    rows, start = [], ticket["created_at"]
    limits = {rule.stage: rule.limit_days for rule in pack.pipelines[ticket["pipeline"]].stages}
    for move in moves:
        end = move["server_time"]
        rows.append({"stage": move["from_stage"], "limit": limits.get(move["from_stage"]),
                     "actual": round(calendar.working_days_between(datetime.fromisoformat(start),
                                                                   datetime.fromisoformat(end)), 2), "done": end})
        start = end
    if ticket["stage"] not in stages.TERMINAL:
        rows.append({"stage": ticket["stage"], "limit": limits.get(ticket["stage"]), "actual": round(
            calendar.working_days_between(datetime.fromisoformat(start), utcnow()), 2), "done": None})
    return rows


SKETCH_W, SKETCH_H = 560, 260


def sketch(ticket) -> dict:
    """The connection sketch for the page (SVG, y down), laid out as in the PDF."""
    scheme = ticket.get("scheme") or {}
    if not scheme.get("options"):
        return {}
    chosen = (scheme.get("chosen_option") or scheme["options"][0])["rank"]
    options = sorted(scheme["options"], key=lambda o: (o["rank"] != chosen, o["rank"]))
    scale, points = sketch_layout(ticket["location"], options, SKETCH_W, SKETCH_H)
    flipped = [(round(x, 1), round(SKETCH_H - y, 1)) for x, y in points]
    bar = scale_bar_m(scale, SKETCH_W / 3)
    return {"width": SKETCH_W, "height": SKETCH_H, "customer": flipped[0], "bar_m": bar, "bar_px": bar * scale,
            "assets": [{"xy": xy, "label": f"{o['rank']}. {o['connection']['asset_id']}", "chosen": i == 0}
                       for i, (o, xy) in enumerate(zip(options, flipped[1:]))]}


@web.route("/tickets/<ticket_id>")
@login_required("tickets.read")
def ticket_page(ticket_id):
    db = get_db()
    ticket = service.get_visible(db, g.user, ticket_id)
    pack = book().get(ticket["region"], ticket["policy_year"])
    return render_template("ticket.html", ticket=ticket, pack=pack, timeline=timeline(ticket, pack), sketch=sketch(ticket),
                           audit=sync_store.entity_ops(db, ticket_id), notices=outbox.notices(db, ticket_id),
                           conflicts=[c for c in conflict_service.visible_conflicts(db, g.user)
                                      if c["ticket_id"] == ticket_id],
                           history=store.get_history(db, ticket_id), customer_url=customer_link(ticket_id),
                           can_cosign="cosign" in stages.allowed_commands(ticket, pack, g.user.role))


@web.route("/tickets/<ticket_id>/scheme.pdf")
@login_required("tickets.read")
def signed_reply_pdf(ticket_id):
    """The signed reply from the console (the API's link needs a device token)."""
    ticket = service.get_visible(get_db(), g.user, ticket_id)
    return pdf_response(signed_reply(ticket, current_app.extensions["yekuo.services"].blobs), f"scheme-{ticket_id}.pdf")


@web.route("/cosign")
@login_required("cosign.queue")
def cosign_queue():
    """网上会签: schemes above the on-site limit, or with several sources, waiting for the back office."""
    rows = store.awaiting_cosign(get_db(), access.ticket_filter(g.user))
    return render_template("cosign.html", tickets=rows)


@web.route("/cosign/<ticket_id>", methods=["POST"])
@login_required("cosign.queue")
def cosign(ticket_id):
    args = {"scheme_hash": form("scheme_hash"), "comment": form("comment")}
    service.run_command(get_db(), book(), actor(), ticket_id, "cosign", args, services=services())
    flash(f"工单 {ticket_id} 已会签")
    return redirect(url_for("web.cosign_queue"))


@web.route("/manual")
@login_required("scheme.manual_queue")
def manual_queue():
    """No automatic answer: the negative list, above direct connection, nothing fits."""
    return render_template("manual.html", tickets=store.manual_scheme_tickets(get_db(), access.ticket_filter(g.user)))


@web.route("/manual/<ticket_id>", methods=["POST"])
@login_required("scheme.manual_queue")
def write_manual_scheme(ticket_id):
    """The engineer's scheme, from the form: it becomes the ticket's one option, ready to sign."""
    try:
        number = {name: float(request.form[name]) for name in MANUAL_NUMBERS}
        args = {"asset_id": form("asset_id"), "supply_voltage_kv": number["supply_voltage_kv"],
                "point": {"lon": number["lon"], "lat": number["lat"]},
                "route_length_m": number["route_length_m"], "conductor": form("conductor"),
                "works": [w.strip() for w in form("works").split("\n") if w.strip()],
                "cost_estimate_yuan": {"low": number["cost_low"], "high": number["cost_high"]},
                "working_days": {"grid_works": number["grid_works_days"], "connect": number["connect_days"]},
                "note": form("note")}
    except (KeyError, ValueError) as exc:
        raise Problem("validation-error", f"请完整填写方案（{exc}）") from None
    service.run_command(get_db(), book(), actor(), ticket_id, "write_manual_scheme", args, services=services())
    flash(f"工单 {ticket_id} 的方案已编制，等待客户签署")
    return redirect(url_for("web.manual_queue"))


@web.route("/conflicts")
@login_required("tickets.read")
def conflicts_page():
    return render_template("conflicts.html", conflicts=conflict_service.visible_conflicts(get_db(), g.user))


@web.route(f"/conflicts/<{ROW_ID}:conflict_id>", methods=["POST"])
@login_required("tickets.write")
def resolve_conflict(conflict_id):
    conflict = conflict_service.store.get(get_db(), conflict_id)
    if conflict is None:
        raise Problem("not-found", f"no conflict {conflict_id}")
    choice = request.form.get("choice")
    value = {"server": conflict["server_value"], "device": conflict["device_value"]}.get(choice)
    if choice == "new":
        value = parse_value(form("value"), conflict["server_value"])
    conflict_service.resolve(get_db(), book(), actor(), conflict_id, value)
    flash(f"冲突 #{conflict_id} 已解决")
    return redirect(url_for("web.conflicts_page"))


def parse_value(text, like):
    """A new value typed into the form, of the same kind as the server's value."""
    if isinstance(like, (int, float)) and not isinstance(like, bool):
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            raise Problem("validation-error", "需要一个数字", errors={"value": ["a number"]}) from None
    if isinstance(like, (dict, list)):
        try:
            return json.loads(text)
        except ValueError:
            raise Problem("validation-error", "需要 JSON", errors={"value": ["JSON"]}) from None
    return text


@web.route("/grid", methods=["GET", "POST"])
@login_required("grid.import")
def grid_page():
    """Upload an import, see its report, the snapshot history and the heavy-load list."""
    db, report, result = get_db(), None, None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            report = [{"where": "file", "asset_id": None, "field": "file", "reason": "请选择文件"}]
        else:
            try:
                regions = access.regions(g.user)
                result = grid_service.import_grid(db, book(), upload.read().decode("utf-8-sig"), upload.filename,
                                                  g.user.username, regions)
            except GridDataError as exc:
                report = exc.report
            except UnicodeDecodeError:
                report = [{"where": "file", "asset_id": None, "field": "file", "reason": "不是 UTF-8 文本"}]
    region = access.region_or_own(g.user, None)
    return render_template("grid.html", report=report, result=result, snapshots=grid_store.list_snapshots(db, region),
                           heavy=heavy_assets(db, region or g.user.region))


def heavy_assets(db, region) -> list:
    """Transformers and feeders of the region's current grid, most loaded first: open capacity and load
    rate count the load reservations of signed schemes (docs/ENGINEERING.md §4); beside them the back-feed
    room (§4c): the generation installed, the generators' reservations and the generation it still takes."""
    if grid_store.current_snapshot(db, region) is None:
        return []
    grid, policy = services().grids.get(db, region), book().get(region)
    rooms = grid_store.reserved_by_room(db, region)
    reserved, generation = rooms["load"], rooms["generation"]
    rows = [{"asset_id": a.asset_id, "kind": a.kind, "rating_kva": a.rating_kva, "peak_kva": a.peak_kva,
             "reserved_kva": round(a.reserved_kva + reserved.get(a.asset_id, 0), 1),
             "open_kva": round(capacity.open_capacity_kva(a, policy, reserved.get(a.asset_id, 0)), 1),
             "load_rate": round(capacity.load_rate_after(a, 0, reserved.get(a.asset_id, 0)), 3),
             "generation_kva": a.generation_kva, "generation_reserved_kva": round(generation.get(a.asset_id, 0), 1),
             "hosting_kva": round(capacity.hosting_kva(a, policy, generation.get(a.asset_id, 0)), 1)}
            for a in grid.assets if a.rating_kva]
    return sorted(rows, key=lambda r: -r["load_rate"])[:50]


@web.route("/pool")
@login_required("tickets.read")
def pool_page():
    """抢单: the team's unassigned tickets, most urgent first, with each manager's open load."""
    db = get_db()
    managers = [u for u in users.team_members(db, g.user.team) if access.may(u, "tickets.handle")]
    return render_template("pool.html", tickets=service.pool(db, g.user),
                           loads={u.username: store.open_load(db, u.username) for u in managers},
                           max_open=current_app.config["POOL_MAX_OPEN"])


@web.route("/pool/<ticket_id>", methods=["POST"])
@login_required("pool.grab")
def grab(ticket_id):
    service.grab(get_db(), actor(), ticket_id, current_app.config["POOL_MAX_OPEN"])
    flash(f"已接单 {ticket_id}")
    return redirect(url_for("web.ticket_page", ticket_id=ticket_id))


@web.route("/policies")
@login_required("tickets.read")
def policies_page():
    """The packs in force, each rule with its seed clause; a value borrowed from elsewhere is marked 假定."""
    chosen = request.args.get("pack")
    packs = sorted(book().packs.values(), key=lambda p: p.id)
    pack = book().packs.get(chosen) if chosen else next((p for p in packs if p.region == g.user.region), packs[0])
    if pack is None:
        raise Problem("not-found", f"no policy pack {chosen!r}")
    return render_template("policies.html", packs=packs, pack=pack, rules=policy_rows(pack))


def policy_rows(pack) -> list:
    """(rule, value, source, assumed) of the pack's scheme rules, zones and whole-process limits."""
    scheme, rows = pack.scheme, []
    for name in ("lv_limit_kw", "direct_connection_limit_kva", "cosign_online_min_kv", "filing_max_route_m",
                 "validity_lv_days", "validity_hv_days"):
        rule = getattr(scheme, name)
        if rule:
            rows.append((name, rule.value, rule.source, rule.assumed))
    for key in ("lv_micro", "lv_resident", "hv", "extended", "electrification_share"):
        rule = getattr(scheme.investment_boundary, key)
        rows.append((f"investment_boundary.{key}", rule.value, rule.source, rule.assumed))
    for zone in pack.zones:
        for name in ("onsite_reply_max_kv", "onsite_reply_limit_kva"):
            rule = getattr(zone, name)
            if rule:
                rows.append((f"{zone.label} {name}", rule.value, rule.source, rule.assumed))
    for name, pipeline in pack.pipelines.items():
        for kind in ("process_limit_days", "process_limit_days_with_works", "average_target_days"):
            rule = getattr(pipeline, kind)
            if rule:
                rows.append((f"{pipeline.label} {kind}", rule.value, rule.source, rule.assumed))
    return rows


@web.route("/jobs")
@login_required("jobs.read")
def jobs_page():
    return render_template("jobs.html", jobs=job_status(get_db(), current_app.extensions.get("yekuo.scheduler")))
