"""A rule's source as a customer can read it: the official documents it rests on (文号, standard
numbers, 供电营业规则) and the words quoted from them; never the project's own files or notes."""
import re

from pdf.labels import SEED_DOCUMENTS

SEED = re.compile(r"\b(00[0-4])\b")
STANDARD = re.compile(r"(?:GB/[TZ]|DL/T|Q/GDW)\s?\d+(?:\.\d+)?(?:-\d{4})?|供电营业规则(?:\s?[（(]1996[)）])?")
QUOTE = re.compile(r"「[^」]+」")


def official_source(source: str, assumed: bool = False) -> str:
    refs = [SEED_DOCUMENTS[seed] for seed in SEED.findall(source)]
    refs += [match.group(0).replace(" (1996)", "（1996）").replace("(1996)", "（1996）")
             for match in STANDARD.finditer(source)]
    text = "、".join(dict.fromkeys(refs)) or "工程经验值"
    quotes = QUOTE.findall(source)
    if quotes:
        text += "：" + "".join(quotes[:2])
    return text + ("（本地区文件未规定，参照执行）" if assumed else "")
