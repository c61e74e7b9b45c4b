"""用电申请表（免填单）: generated from the ticket; the customer only checks it and signs."""
from pdf.layout import Writer
from pdf.labels import CUSTOMER_CLASSES, ID_KINDS, label
DOCUMENT_STATUS = {"received": "已收", "missing": "容缺（承诺补交）"}


def render_application_form(ticket: dict, business_label: str, document_labels: dict) -> tuple[bytes, list]:
    writer = Writer("用电申请表", f"工单 {ticket['id']}")
    writer.title("用电申请表（免填单）")
    customer = ticket["customer"]
    capacity = f"{ticket['capacity_kva']:g} kVA" if ticket.get("capacity_kva") else f"{ticket['capacity_kw']:g} kW"
    writer.heading("申请信息")
    writer.rows([("工单编号", ticket["id"]), ("业务类型", business_label), ("客户名称", customer["name"]),
                 ("证件", f"{ID_KINDS.get(customer.get('id_kind'), '—')} {customer.get('id_number') or ''}"),
                 ("联系电话", customer["phone"]), ("用电地址", ticket.get("address") or "—"),
                 ("客户类别", label(CUSTOMER_CLASSES, ticket["customer_class"])),
                 ("申请容量", capacity), ("受理时间", ticket["created_at"][:19].replace("T", " "))])
    writer.heading("申请资料")
    writer.rows([(document_labels.get(d["kind"], d["kind"]),
                  DOCUMENT_STATUS.get(d["status"], d["status"])
                  + (f"，承诺 {d['promised_date']} 前补交" if d.get("promised_date") and d["status"] != "received" else ""))
                 for d in ticket.get("documents", [])])
    writer.heading("客户确认")
    writer.paragraph("以上信息由供电企业根据现场核实情况生成，客户无需填写，核对无误后签字确认。")
    writer.space(30)
    writer.paragraph("客户签字：____________________    日期：____________")
    return writer.finish(), writer.lines_written
