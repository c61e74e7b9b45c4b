"""Line breaking for Chinese text (禁则, kinsoku): no line starts with closing punctuation and no
line ends with opening punctuation. Latin words and numbers are not split."""
import re

NO_LINE_START = set("，。、；：！？）》”’」』】〕〉…—%‰·,.;:!?)]}")
NO_LINE_END = set("（《“‘「『【〔〈([{")
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/%+\-=]*|\s+|.", re.S)


def break_lines(text: str, width: float, measure) -> list:
    """Lines of ``text`` no wider than ``width`` (``measure(s)`` gives a string's width)."""
    lines = []
    for paragraph in text.split("\n"):
        lines += break_paragraph(paragraph, width, measure)
    return lines


def break_paragraph(paragraph: str, width: float, measure) -> list:
    lines, line = [], ""
    for token in TOKEN.findall(paragraph):
        if line and measure(line + token) > width and not token.isspace():
            head, carried = settle(line, token)
            if carried:
                lines.append(head.rstrip())
            line = carried.lstrip() or head
        else:
            line += token
    if line or not lines:
        lines.append(line.rstrip())
    return lines


def settle(line: str, token: str) -> tuple:
    """Cut before ``token``, moving characters down while the next line would start with a closer
    or this one end with an opener. With no legal cut the token hangs past the margin (悬挂):
    returns (line + token, "")."""
    head, carried = line, token
    while len(head) > 1 and (carried.lstrip()[:1] in NO_LINE_START or head.rstrip()[-1:] in NO_LINE_END):
        head, carried = head[:-1], head[-1] + carried
    if carried.lstrip()[:1] in NO_LINE_START or head.rstrip()[-1:] in NO_LINE_END:
        return line + token, ""
    return head, carried
