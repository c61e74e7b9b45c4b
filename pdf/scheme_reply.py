"""供电方案答复单: the supply scheme reply the customer signs on the tablet.

``render_scheme_reply(document)`` takes plain data (see ``SchemeDocument``) and returns PDF bytes
plus every text line it wrote (tests check them against the parsed PDF).
"""
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import black
from reportlab.lib.units import mm

from pdf.fonts import FONT_NAME
from pdf.layout import BODY, MARGIN, SMALL, WIDTH, Writer
from pdf.labels import ASSET_KINDS, CUSTOMER_CLASSES, DECISIONS, METERING, RULES, STAGES, label
from pdf.sketch import draw_sketch
from pdf.sources import official_source

QR_BORDER = 4            # modules of quiet zone around the code: the QR standard's minimum
BEIJING = timezone(timedelta(hours=8))



@dataclass
class SchemeDocument:
    ticket: dict                   # the ticket record
    scheme: dict                   # the ticket's scheme (with chosen_option)
    business_label: str
    banned_fees: list
    signature: Optional[dict] = None       # parsed strokes (pdf.strokes) + signer_name, signed_at
    manager: str = ""
    cosigned_by: Optional[str] = None
    extra_lines: list = field(default_factory=list)
    policy_document: str = ""              # the region's policy document (文号) the scheme follows


def render_scheme_reply(doc: SchemeDocument) -> tuple[bytes, list]:
    ticket, scheme = doc.ticket, doc.scheme
    writer = Writer("供电方案答复单", f"工单 {ticket['id']}  方案 {scheme['scheme_hash'][:23]}…")
    writer.title("供电方案答复单")
    application(writer, doc)
    decision(writer, scheme, doc.policy_document)
    chosen(writer, scheme["chosen_option"])
    alternatives(writer, scheme)
    sketch(writer, ticket, scheme)
    deadlines(writer, ticket, scheme["chosen_option"])
    explanation(writer, scheme)
    fees(writer, doc.banned_fees)
    integrity(writer, scheme)
    signatures(writer, doc)
    return writer.finish(), writer.lines_written


def application(writer, doc):
    ticket = doc.ticket
    capacity = ticket.get("capacity_kva") or doc.scheme["request"]["capacity_kva"]
    writer.heading("一、客户与申请")
    writer.rows([("工单编号", ticket["id"]), ("客户名称", ticket["customer"]["name"]),
                 ("联系电话", ticket["customer"]["phone"]), ("用电地址", ticket.get("address") or "—"),
                 ("业务类型", doc.business_label),
                 ("客户类别", label(CUSTOMER_CLASSES, ticket["customer_class"])),
                 ("申请容量", f"{capacity:g} kVA"), ("客户经理", doc.manager or "—")])


def decision(writer, scheme, policy_document):
    writer.heading("二、答复方式与供电电压")
    writer.rows([("答复方式", DECISIONS[scheme["decision"]]), ("供电电压", f"{scheme['supply_voltage_kv']:g} kV"),
                 ("电源数量", f"{scheme['sources']} 路"),
                 ("政策依据", f"{policy_document or scheme['policy']['year']}（{scheme['policy']['year']} 年，"
                          f"版本 {scheme['policy']['version'][7:19]}）"),
                 ("方案有效期至", (scheme.get("valid_until") or "—")[:10])])


def number(value, spec="g", unit="") -> str:
    """A number for the page, or a dash where the scheme has none (a hand-written scheme)."""
    return "—" if value is None else f"{value:{spec}}{unit}"


ROOM = {False: ("可开放容量", "接入后负载率"),          # a load: the asset's open capacity
        True: ("可接入电源容量", "接入后占用")}          # a generator (metered both ways): its hosting room


def room_row(option, load_after) -> tuple:
    name, after = ROOM[option["metering"] == "bidirectional"]
    return name, f"{number(option['open_capacity_kva'], 'g', ' kVA')}（{after} {number(load_after, '.0f', '%')}）"


def chosen(writer, option):
    cost = option["cost_estimate_yuan"]
    writer.heading(f"三、选定方案（第 {option['rank']} 方案）")
    load_after = None if option["load_rate_after"] is None else option["load_rate_after"] * 100
    writer.rows([
        ("接入点", f"{option['connection']['asset_id']}（{label(ASSET_KINDS, option['connection']['kind'])}）"),
        ("接入点坐标", f"{option['connection']['point']['lon']:.6f}, {option['connection']['point']['lat']:.6f}"),
        ("直线距离 / 线路长度", f"{number(option['distance_m'], 'g', ' m')} / {number(option['route_length_m'], 'g', ' m')}"),
        room_row(option, load_after),
        ("导线型号", option["conductor"]), ("电压降", number(option["voltage_drop_pct"], ".2f", "%")),
        ("计量方式", label(METERING, option["metering"] or "—")),
        ("产权分界 / 投资界面", option["investment_boundary"]),
        ("外部工程", "、".join(option["works"]) or "无"),
        ("工程费用估算", f"{cost['low']:,.0f} – {cost['high']:,.0f} 元，" + (
            f"投资分界点以外的外部工程由客户承担，按 {cost['customer_pays']:,.0f} 元预算" if cost["customer_pays"]
            else "由供电企业投资；客户承担 0 元")),
        *([("客户受电工程参考造价", f"{option['customer_works_yuan']['low']:,.0f} – "
                                     f"{option['customer_works_yuan']['high']:,.0f} 元（客户自建，按典型造价估算）")]
          if option.get("customer_works_yuan") else []),
        ("先接入后改造", "是" if option["upgrade_first"] else "否"),
        ("备案代替审批", "是（线路不超过 500 m）" if option["filing_instead_of_approval"] else "否"),
        *([("工程师说明", option["manual_note"])] if option.get("manual_note") else [])])


def alternatives(writer, scheme):
    writer.heading("四、比选方案")
    for option in scheme["options"]:
        mark = "（选定）" if option["rank"] == scheme["chosen_option"]["rank"] else ""
        writer.paragraph(f"第 {option['rank']} 方案{mark}：{option['connection']['asset_id']}，线路 "
                         f"{number(option['route_length_m'], 'g', ' m')}，{option['conductor']}，电压降 "
                         f"{number(option['voltage_drop_pct'], '.2f', '%')}，"
                         f"费用 {option['cost_estimate_yuan']['low']:,.0f}–{option['cost_estimate_yuan']['high']:,.0f} 元，"
                         f"评分 {option['score']:g}")


def sketch(writer, ticket, scheme):
    height = 62 * mm
    writer.heading("五、接入示意图", keep=height + 4)
    box = (MARGIN, writer.y - height, WIDTH - 2 * MARGIN, height)
    draw_sketch(writer.canvas, box, ticket["location"], ordered(scheme))
    writer.space(height + 6)


def ordered(scheme) -> list:
    """The chosen option first (drawn solid), the others after."""
    chosen_rank = scheme["chosen_option"]["rank"]
    return sorted(scheme["options"], key=lambda o: (o["rank"] != chosen_rank, o["rank"]))


def deadlines(writer, ticket, option):
    writer.heading("六、办理时限（工作日）")
    rows = [(label(STAGES, stage), f"{days:g} 个工作日" if days is not None else "政策未规定时限")
            for stage, days in option["working_days"].items()]
    process = (ticket.get("deadlines") or {}).get("process")
    if process:
        rows.append(("全流程办结期限", f"{beijing_time(process['due_at'])}（北京时间）"
                                       f"{'，暂按工作日推算' if process.get('provisional') else ''}"))
    writer.rows(rows)


def beijing_time(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def shown(value) -> str:
    """A rule's value for the page: numbers plain, a table of values one by one, none as 未规定."""
    if value is None:
        return "未规定"
    if isinstance(value, dict):
        return "，".join(f"{label(ASSET_KINDS, key)}：{shown(item)}" for key, item in value.items())   # kinds by name
    return f"{value:g}" if isinstance(value, float) else str(value)


def explanation(writer, scheme):
    writer.heading("七、方案依据")
    for row in scheme["explanation"]:
        writer.paragraph(f"· {label(RULES, row['rule'])}：{shown(row['value'])}"
                         f"（{official_source(row['source'], row.get('assumed', False))}）", size=SMALL, indent=4)
    for warning in scheme.get("warnings", []):
        writer.paragraph(f"提示：{warning}", size=SMALL, indent=4)


def fees(writer, banned_fees):
    writer.heading("八、收费声明")
    writer.paragraph("本方案不收取下列费用：" + "、".join(banned_fees) + "。")


def integrity(writer, scheme):
    writer.heading("九、方案校验码")
    size = 26 * mm
    writer.room(size + 4)
    draw_qr(writer.canvas, scheme["scheme_hash"], WIDTH - MARGIN - size, writer.y - size, size)
    writer.paragraph(scheme["scheme_hash"][:40], size=SMALL)
    writer.paragraph(scheme["scheme_hash"][40:], size=SMALL)
    writer.paragraph("扫码或比对校验码，可确认本答复单与所签方案一致。", size=SMALL)
    writer.space(max(0, size - 3 * (SMALL + 4)))


def draw_qr(canvas, text, x, y, size, border=QR_BORDER):
    """The QR code of ``text`` (reportlab's encoder, level L) in a ``size`` square with a quiet border.

    Its dark runs go into one filled path: reportlab's widget encodes the text twice (bounds, then
    drawing) and makes every run a shape of its own, which was most of the reply's render time.
    """
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
    qr.addData(text)
    qr.make()
    count = qr.getModuleCount()
    box = size / (count + 2 * border)
    path = canvas.beginPath()
    for row, modules in enumerate(qr.modules):
        column = 0
        for dark, run in itertools.groupby(modules):
            length = len(list(run))
            if dark:
                path.rect(x + (column + border) * box, y + size - (row + border + 1) * box, length * box, box)
            column += length
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def signatures(writer, doc):
    writer.heading("十、签字确认")
    box_height = 30 * mm
    writer.room(box_height + 20)
    width = (WIDTH - 2 * MARGIN - 10 * mm) / 2
    top = writer.y
    writer.canvas.setFont(FONT_NAME, BODY)
    writer.canvas.drawString(MARGIN, top - BODY, "客户签字：")
    writer.canvas.rect(MARGIN, top - BODY - 4 - box_height, width, box_height)
    if doc.signature:
        draw_strokes(writer.canvas, doc.signature, (MARGIN, top - BODY - 4 - box_height, width, box_height))
        writer.canvas.setFont(FONT_NAME, SMALL)
        writer.canvas.drawString(MARGIN, top - BODY - 14 - box_height,
                                 f"{doc.signature['signer_name']}  {doc.signature['signed_at'][:19]}")
    right = MARGIN + width + 10 * mm
    writer.canvas.setFont(FONT_NAME, BODY)
    writer.canvas.drawString(right, top - BODY, f"客户经理：{doc.manager or '—'}")
    cosign = doc.cosigned_by or ("不需要" if doc.scheme["decision"] != "cosign" else "待会签")
    writer.canvas.drawString(right, top - 2 * BODY - 8, f"后台会签：{cosign}")
    writer.lines_written += ["客户签字：", f"客户经理：{doc.manager or '—'}", f"后台会签：{cosign}"]
    writer.space(box_height + 24)


def draw_strokes(canvas, signature, box):
    """The finger strokes as vector paths, scaled into the box (the canvas's y runs down)."""
    x0, y0, width, height = box
    scale = min(width / signature["width"], height / signature["height"])
    canvas.saveState()
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    for stroke in signature["strokes"]:
        path = canvas.beginPath()
        for i, (x, y, _pressure) in enumerate(stroke):
            point = (x0 + x * scale, y0 + height - y * scale)
            path.moveTo(*point) if i == 0 else path.lineTo(*point)
        canvas.setLineWidth(1.2)
        canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()
