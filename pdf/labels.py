"""The Chinese names of the codes the documents, the console and the notices show (one table each)."""
STAGES = {"accepted": "申请受理", "scheme_reply": "供电方案答复", "design_review": "设计审查",
          "mid_inspection": "中间检查", "grid_works": "外部工程", "connect": "装表接电", "completed": "已接电",
          "cancelled": "已撤销", "process": "全流程"}
CUSTOMER_CLASSES = {"resident": "居民", "non_resident": "非居民", "micro_enterprise": "小微企业"}
DECISIONS = {"auto": "自动答复（低压）", "onsite_reply": "现场答复", "cosign": "网上会签后答复", "manual": "人工编制方案"}
METERING = {"lv_direct": "低压直接计量", "lv_ct_operated": "低压经互感器计量", "high_supply_low_metering": "高供低计",
            "high_supply_high_metering": "高供高计", "bidirectional": "双向计量"}
ID_KINDS = {"resident_id": "居民身份证", "business_license": "营业执照", "passport": "护照", "other": "其他"}


def device_tables() -> dict:
    """The tables a handheld shows the same words from (pulled as reference data ``labels:``)."""
    return {"stages": STAGES, "customer_classes": CUSTOMER_CLASSES, "decisions": DECISIONS, "metering": METERING,
            "id_kinds": ID_KINDS, "asset_kinds": ASSET_KINDS, "rules": RULES, "seed_documents": SEED_DOCUMENTS}


def label(table: dict, code) -> str:
    """The name of ``code``, or the code itself where the table has none."""
    return table.get(code, code)
ASSET_KINDS = {"distribution_transformer": "配电变压器", "ring_main_unit": "环网柜", "switching_station": "开关站",
               "substation": "变电站", "feeder": "10 千伏线路", "manual": "人工确定"}
RULES = {"lv_limit_kw": "低压接入容量上限（千瓦）", "direct_connection_limit_kva": "直接接入容量上限（千伏安）",
         "cosign_online_min_kv": "接入方案网上会签电压（千伏及以上）",
         "single_phase_limit_kw": "单相供电容量上限（千瓦）", "supply_voltage_kv": "供电电压（千伏）",
         "sources": "电源数量", "detour_factor": "线路路径系数", "voltage_drop_limit_pct": "电压偏差限值（%）",
         "lv_direct_meter_max_a": "低压直接计量电流上限（安）",
         "high_supply_low_metering_max_kva": "高供低计容量上限（千伏安）", "investment_boundary": "投资界面",
         "customer_pays": "客户承担费用（元）", "typical_cost_version": "典型造价依据", "conductors": "导线选择",
         "supply_radius_m": "供电半径（米）", "filing_max_route_m": "备案代替审批的线路长度（米）",
         "onsite_reply_limit_kva": "现场答复容量上限（千伏安）", "onsite_reply_max_kv": "现场答复电压上限（千伏）",
         "skipped": "未选用的接入点", "dg_connection_voltage_kv": "分布式电源接入电压（千伏）",
         "dg_metering": "分布式电源计量方式", "dg_hosting_share": "可接入电源容量占设备额定容量比例", "substation_n1_load_share": "变电站 N-1 负载率上限（按主变台数）", **{f"working_days.{stage}": f"时限：{name}（工作日）"
                                         for stage, name in STAGES.items()}}
# The documents a source cites, by the names a customer can look up (the seeds' 文号).
SEED_DOCUMENTS = {"000": "常供电办〔2019〕53号", "001": "国网上电司销〔2018〕1839号", "002": "苏监能稽查〔2020〕75号",
                  "003": "西电〔2022〕46号", "004": "渝电综〔2021〕5号"}
