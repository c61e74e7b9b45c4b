"""The stage machine, table-driven over every pack and business type."""
import pytest

from server import stages
from server.policy import load_policy_book

BOOK = load_policy_book()
ADVANCING = {"accepted": "complete_acceptance", "scheme_reply": "sign_scheme",
             "design_review": "complete_design_review", "mid_inspection": "complete_mid_inspection",
             "grid_works": "complete_works", "connect": "connect"}
CASES = [(pack_id, business_type, customer_class)
         for pack_id, pack in BOOK.packs.items()
         for business_type in pack.business_types
         for customer_class in ("resident", "non_resident", "micro_enterprise")]


def ticket_for(pack, business_type, customer_class, works=(), reliability="ordinary", signed=True):
    ticket = {"business_type": business_type, "customer_class": customer_class, "reliability_class": reliability,
              "stage": "accepted", "documents": [{"kind": k, "status": "received"}
                                                  for k in pack.business_types[business_type].documents]}
    ticket["pipeline"] = pack.pipeline_for(business_type, customer_class, reliability)
    if stages.needs_scheme(ticket, pack):
        ticket["scheme"] = {"options": [{}], "decision": "auto",
                            "signed_at": "2026-11-24T10:00:00+08:00" if signed else None,
                            "chosen_option": {"works": list(works)}}
    return ticket


def sign_in_scheme_stage(ticket, pack, role):
    """What the sign_scheme effect does to the record, after the machine allows it."""
    if ticket.get("scheme") and not ticket["scheme"]["signed_at"] and stages.scheme_stage(ticket, pack) == ticket["stage"]:
        command = stages.check_command("sign_scheme", ticket, pack, role)
        ticket["scheme"]["signed_at"] = "2026-11-24T10:00:00+08:00"
        ticket["stage"] = stages.stage_after(command, ticket, pack)


def walk(ticket, pack, role="customer_manager"):
    visited = []
    while ticket["stage"] not in stages.TERMINAL:
        visited.append(ticket["stage"])
        sign_in_scheme_stage(ticket, pack, role)
        if ticket["stage"] != visited[-1]:
            continue
        command = stages.check_command(ADVANCING[ticket["stage"]], ticket, pack, role)
        ticket["stage"] = stages.stage_after(command, ticket, pack)
    return visited, ticket["stage"]


@pytest.mark.parametrize("works", [(), ("cable 300 m",)])
@pytest.mark.parametrize("reliability", ["ordinary", "level1"])
@pytest.mark.parametrize("pack_id, business_type, customer_class", CASES)
def test_every_pipeline_walks_to_completed(pack_id, business_type, customer_class, works, reliability):
    pack = BOOK.packs[pack_id]
    ticket = ticket_for(pack, business_type, customer_class, works, reliability, signed=False)
    planned = [rule.stage for rule in stages.planned_stages(ticket, pack)]
    visited, end = walk(ticket, pack)
    assert visited == planned and end == "completed"
    works_rule = {r.stage: r for r in pack.pipelines[ticket["pipeline"]].stages}.get("grid_works")
    expect_works = works_rule is not None and (works_rule.when is None or bool(works))
    assert ("grid_works" in visited) == expect_works


@pytest.mark.parametrize("pack_id, business_type, customer_class, stage_count", [
    ("changzhou-2020", "lv_resident_new", "resident", 2),          # 申请受理 → 装表接电
    ("xihua-2022", "lv_nonresident_new", "non_resident", 2),
    ("chongqing-2021", "hv_new", "non_resident", 3),               # + 方案答复
    ("jiangsu-2020", "hv_new", "non_resident", 3),
])
def test_stage_counts_of_domain_table(pack_id, business_type, customer_class, stage_count):
    pack = BOOK.packs[pack_id]
    assert len(stages.planned_stages(ticket_for(pack, business_type, customer_class), pack)) == stage_count


def test_hv_with_external_works_has_four_stages():
    pack = BOOK.packs["xihua-2022"]
    ticket = ticket_for(pack, "hv_new", "non_resident", works=["cable"])
    assert [r.stage for r in stages.planned_stages(ticket, pack)] == ["accepted", "scheme_reply", "grid_works", "connect"]


def test_dual_source_hv_follows_its_own_pipeline_in_chongqing():
    pack = BOOK.packs["chongqing-2021"]
    assert ticket_for(pack, "hv_new", "non_resident", reliability="level1")["pipeline"] == "hv_dual"
    assert ticket_for(pack, "hv_new", "non_resident")["pipeline"] == "hv_single"


def test_connect_before_scheme_signed_is_illegal():
    pack = BOOK.packs["changzhou-2020"]
    ticket = ticket_for(pack, "lv_nonresident_new", "non_resident")
    ticket["scheme"]["signed_at"] = None
    with pytest.raises(stages.IllegalCommand, match="not signed"):
        stages.check_command("complete_acceptance", ticket, pack, "customer_manager")
    ticket["stage"] = "connect"
    with pytest.raises(stages.IllegalCommand, match="not signed"):
        stages.check_command("connect", ticket, pack, "customer_manager")


@pytest.mark.parametrize("documents, legal", [
    ([{"kind": "subject_proof", "status": "received"},
      {"kind": "property_proof", "status": "missing", "promised_date": "2026-12-01"}], True),   # 容缺 item
    ([{"kind": "subject_proof", "status": "received"}, {"kind": "property_proof", "status": "missing"}], False),
    ([{"kind": "subject_proof", "status": "missing", "promised_date": "2026-12-01"},
      {"kind": "property_proof", "status": "received"}], False),                               # not 容缺
])
def test_only_waivable_documents_may_be_missing_at_acceptance(documents, legal):
    pack = BOOK.packs["changzhou-2020"]
    ticket = {**ticket_for(pack, "lv_nonresident_new", "non_resident"), "documents": documents}
    if legal:
        stages.check_command("complete_acceptance", ticket, pack, "customer_manager")
    else:
        with pytest.raises(stages.IllegalCommand, match="documents missing"):
            stages.check_command("complete_acceptance", ticket, pack, "customer_manager")


def test_waived_document_must_arrive_before_connection():
    pack = BOOK.packs["changzhou-2020"]
    ticket = {**ticket_for(pack, "lv_nonresident_new", "non_resident"), "stage": "connect", "documents": [
        {"kind": "subject_proof", "status": "received"},
        {"kind": "property_proof", "status": "missing", "promised_date": "2026-12-01"}]}
    with pytest.raises(stages.IllegalCommand, match="property_proof"):
        stages.check_command("connect", ticket, pack, "customer_manager")


def test_illegal_command_names_stage_and_allowed_commands():
    pack = BOOK.packs["changzhou-2020"]
    ticket = ticket_for(pack, "hv_new", "non_resident")
    with pytest.raises(stages.IllegalCommand) as error:
        stages.check_command("connect", ticket, pack, "customer_manager")
    assert error.value.stage == "accepted"
    assert "complete_acceptance" in error.value.allowed and "connect" not in error.value.allowed


def test_finished_tickets_take_no_command():
    pack = BOOK.packs["changzhou-2020"]
    ticket = {**ticket_for(pack, "hv_new", "non_resident"), "stage": "cancelled"}
    assert stages.allowed_commands(ticket, pack, "admin") == []


@pytest.mark.parametrize("pack_id", sorted(BOOK.packs))
def test_important_customers_keep_design_review_and_mid_inspection_in_every_region(pack_id):
    """001 m.1: 「取消非重要电力客户设计审查和中间检查环节」 — cancelled for the others only."""
    pack = BOOK.packs[pack_id]
    important = [r.stage for r in stages.planned_stages(
        ticket_for(pack, "hv_new", "non_resident", reliability="level1"), pack)]
    ordinary = [r.stage for r in stages.planned_stages(ticket_for(pack, "hv_new", "non_resident"), pack)]
    assert {"design_review", "mid_inspection"} <= set(important)
    assert not {"design_review", "mid_inspection"} & set(ordinary)


@pytest.mark.parametrize("pack_id", ["shanghai-2020", "xihua-2022", "chongqing-2021"])
def test_lv_micro_enterprises_have_no_works_stage(pack_id):
    """003; 004 att. 2 note 2: 「取消'工程实施'环节」 for LV micro enterprises under 三零, even with works."""
    pack = BOOK.packs[pack_id]
    ticket = ticket_for(pack, "lv_nonresident_new", "micro_enterprise", works=["cable"])
    assert [r.stage for r in stages.planned_stages(ticket, pack)] == ["accepted", "connect"]


def test_dual_circuit_hv_runs_chongqings_dual_source_row():
    """004 att. 2: dual-source or dual-circuit tickets take the 18-day scheme reply."""
    pack = BOOK.packs["chongqing-2021"]
    ticket = ticket_for(pack, "hv_new", "non_resident", reliability="level2")
    assert ticket["pipeline"] == "hv_dual"
    assert {r.stage: r.limit_days for r in pack.pipelines["hv_dual"].stages}["scheme_reply"] == 18
