"""The Chinese names of the codes the documents, the console and the notices show (one table each)."""
STAGES = {"accepted": "申请受理", "scheme_reply": "供电方案答复", "design_review": "设计审查",
          "mid_inspection": "中间检查", "grid_works": "外部工程", "connect": "装表接电", "completed": "已接电",
          "cancelled": "已撤销", "process": "全流程"}
CUSTOMER_CLASSES = {"resident": "居民", "non_resident": "非居民", "micro_enterprise": "小微企业"}
DECISIONS = {"auto": "自动答复（低压）", "onsite_reply": "现场答复", "cosign": "网上会签后答复", "manual": "人工编制方案"}
METERING = {"lv_direct": "低压直接计量", "lv_ct": "低压经互感器计量", "high_supply_low_metering": "高供低计",
            "high_supply_high_metering": "高供高计"}
ID_KINDS = {"resident_id": "居民身份证", "business_license": "营业执照", "passport": "护照", "other": "其他"}


def label(table: dict, code) -> str:
    """The name of ``code``, or the code itself where the table has none."""
    return table.get(code, code)
