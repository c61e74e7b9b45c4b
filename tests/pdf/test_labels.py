"""Every code the scheme builder emits has its Chinese label: walked over the golden vectors (every pack,
city and hand-made grids, generators, 35 kV, dedicated lines, relief) and the planner's scenarios."""
import re

from pdf.labels import ASSET_KINDS, DECISIONS, METERING, RULES
from tests.golden_vectors import INHERITED_NAMES, vectors

SCHEMES = [case["scheme"] for case in vectors()["cases"] if "scheme" in case]
LATIN = re.compile(r"[A-Za-z][A-Za-z]+")
ALLOWED = re.compile(r"(?:GB/[TZ]|DL/T|Q/GDW)\s?\d+|kVA|kW|kV|[A-Z]+-[\w-]+|N-1|YJ\w*|JK\w*|\d+×|"
                     + "|".join(map(re.escape, INHERITED_NAMES)))       # the vectors' odd asset ids


def test_every_emitted_code_has_a_label():
    emitted = {"rule": set(), "metering": set(), "kind": set(), "decision": set()}
    for scheme in SCHEMES:
        emitted["decision"].add(scheme["decision"])
        emitted["rule"] |= {row["rule"] for row in scheme["explanation"]}
        for option in scheme["options"]:
            emitted["metering"].add(option["metering"])
            emitted["kind"] |= {source["kind"] for source in option["sources"]}
    assert {"bidirectional", "lv_ct_operated", "high_supply_high_metering"} <= emitted["metering"]
    assert {"substation", "feeder", "distribution_transformer"} <= emitted["kind"]
    tables = {"rule": RULES, "metering": METERING, "kind": ASSET_KINDS, "decision": DECISIONS}
    missing = {name: sorted(codes - set(tables[name])) for name, codes in emitted.items() if codes - set(tables[name])}
    assert missing == {}


def test_what_the_customer_reads_is_chinese():
    """Works, warnings, skip reasons and manual reasons: no English words (asset ids, units, standard numbers
    and conductor types aside)."""
    raw = set()
    for scheme in SCHEMES:
        texts = [*scheme["warnings"], scheme.get("manual_reason") or ""]
        texts += [w for option in scheme["options"] for w in option["works"]]
        texts += [row["value"] for row in scheme["explanation"] if row["rule"] == "skipped"]
        raw |= {word for text in texts for word in LATIN.findall(ALLOWED.sub("", text))}
    assert raw == set()
