"""Every quoted clause of every pack is in the seed it cites, and the numbers are in their quotes.

A pack's ``source`` names the seed (``000``–``004``) and quotes its words in 「」. The seeds are
kept under docs/seeds/ (the five original policy documents). The text is compared without
whitespace, since the seeds were extracted from PDFs with line breaks inside sentences. A wrong
number (not in its quote), a misquote (not in the seed) or a citation of the wrong seed fails.
"""
import json
import re
from importlib import resources
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "docs" / "seeds"
QUOTE = re.compile(r"「([^」]+)」")
SEED_ID = re.compile(r"\b(00[0-4])\b")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


SEED_TEXT = {path.name[:3]: squeeze(path.read_text(encoding="utf-8")) for path in SEEDS.glob("*.txt")}


def packs() -> dict:
    folder = resources.files("server") / "policies"
    return {path.name[:-5]: json.loads(path.read_text(encoding="utf-8"))
            for path in folder.iterdir() if path.name.endswith(".json")}


def sourced(node, path=""):
    """(path, node) of every object with a ``source`` (a checklist's ``documents_source`` too)."""
    if isinstance(node, dict):
        if isinstance(node.get("source"), str):
            yield path, node
        if isinstance(node.get("documents_source"), str):
            yield f"{path}.documents_source", {"source": node["documents_source"]}
        for key, child in node.items():
            yield from sourced(child, f"{path}.{key}".lstrip("."))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from sourced(child, f"{path}[{i}]")


CASES = [(pack_id, path, node) for pack_id, raw in sorted(packs().items()) for path, node in sourced(raw)
         if QUOTE.search(node["source"])]


def test_the_five_seeds_are_kept_in_the_project():
    assert sorted(SEED_TEXT) == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("pack_id, path, node", CASES, ids=[f"{p}:{q}" for p, q, _n in CASES])
def test_each_quote_is_in_a_seed_the_source_cites(pack_id, path, node):
    cited = SEED_ID.findall(node["source"])
    assert cited, f"{pack_id} {path}: the source names no seed"
    for quote in QUOTE.findall(node["source"]):
        assert any(squeeze(quote) in SEED_TEXT[seed] for seed in cited), (pack_id, path, quote)


@pytest.mark.parametrize("pack_id, path, node", CASES, ids=[f"{p}:{q}" for p, q, _n in CASES])
def test_each_quoted_number_is_in_its_quote(pack_id, path, node):
    value = node.get("value", node.get("limit_days"))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value == 0:
        return
    quoted = squeeze("".join(QUOTE.findall(node["source"])))
    as_share = f"{value * 100:g}%" if value < 1 else None          # 0.5 is quoted as 50%
    assert f"{value:g}" in quoted or (as_share and as_share in quoted), (pack_id, path, value)


@pytest.mark.parametrize("pack_id", sorted(packs()))
def test_every_number_of_the_region_quotes_its_seed(pack_id):
    """Each non-zero number either quotes the words it comes from or says it is assumed (and why)."""
    bare = [path for path, node in sourced(packs()[pack_id])
            if isinstance(node.get("value", node.get("limit_days")), (int, float))
            and not isinstance(node.get("value", node.get("limit_days")), bool)
            and node.get("value", node.get("limit_days")) and not QUOTE.search(node["source"])
            and not node.get("assumed")]
    assert bare == []


@pytest.mark.parametrize("pack_id", sorted(packs()))
def test_banned_fees_are_named_in_the_seed_they_cite(pack_id):
    for fee in packs()[pack_id]["scheme"]["banned_fees"]:
        seeds = SEED_ID.findall(fee["source"])
        words = QUOTE.findall(fee["source"]) or [fee["name"]]
        assert any(squeeze(word) in SEED_TEXT[s] for s in seeds for word in words), fee


# The values this project pairs with their seed words; each must keep a quote (a number without one
# can silently drift). Other numbers are listed in docs/DOMAIN.md with their clauses.
QUOTED = [("changzhou-2020", p) for p in ("scheme.lv_limit_kw", "scheme.direct_connection_limit_kva",
                                          "zones[0].onsite_reply_max_kv", "scheme.investment_boundary.lv_micro",
                                          "scheme.investment_boundary.hv")] + \
    [(pack, "scheme.lv_limit_kw") for pack in ("shanghai-2020", "jiangsu-2020", "xihua-2022", "chongqing-2021")] + \
    [("shanghai-2020", "zones[0].onsite_reply_limit_kva"), ("shanghai-2020", "scheme.investment_boundary.extended"),
     ("jiangsu-2020", "scheme.investment_boundary.hv"), ("xihua-2022", "scheme.investment_boundary.hv"),
     ("xihua-2022", "zones[0].onsite_reply_max_kv"),
     ("chongqing-2021", "zones[0].onsite_reply_limit_kva"), ("chongqing-2021", "zones[1].onsite_reply_limit_kva")]


@pytest.mark.parametrize("pack_id, path", QUOTED)
def test_the_paired_values_carry_their_quote(pack_id, path):
    found = dict(sourced(packs()[pack_id]))
    assert QUOTE.search(found[path]["source"]), (pack_id, path)


@pytest.mark.parametrize("pack_id", sorted(packs()))
def test_a_borrowed_value_says_so(pack_id):
    """A value whose quote comes only from another region's seed is marked assumed."""
    own = packs()[pack_id]["seed"]
    for path, node in sourced(packs()[pack_id]):
        cited = set(SEED_ID.findall(node["source"]))
        if "value" in node and QUOTE.search(node["source"]) and own not in cited and "assumed" not in node:
            pytest.fail(f"{pack_id} {path} quotes only {sorted(cited)} and is not marked assumed")
