"""The one gate every JSON body passes: too deep is a 400; text that cannot be stored or numbers out
of range are a 422 naming the field; control and bidi-override characters are stripped, so nothing
shown in the console or the signed PDF can reorder or hide text.

orjson reads a body when it can (strict JSON, finite numbers, integers within 64 bits: the
ordinary case, read in a third of the json module's time, its depth counted on the parsed value);
the json module reads the rest, after a depth check on the raw bytes (its parser recurses), so those
values reach the checks that name their field. A regex screens the raw bytes; the walk over the
parsed value runs only when it hits, so an ordinary body (a push of a hundred ops) pays microseconds.
A push is checked op by op by the sync engine instead (one bad op is that op's rejection), so it is
only cleaned here.
"""
import json
import re

import orjson

from server.errors import Problem
from sync.push import check_storable, has_long_number

MAX_DEPTH = 64            # of a whole body; an op inside a push is held to sync.push.MAX_DEPTH
STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
NOT_BRACKETS = re.compile(rb"[^\[\]{}]")
TEXT = (rb"\\u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|061[cC]|200[eEfF]|202[a-eA-E]|206[6-9]"
        rb"|[dD][89a-fA-F][0-9a-fA-F]{2})"                                     # escaped control, bidi, surrogate
        rb"|\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]")  # the same as UTF-8
LONG_NUMBER = rb"\d{19}"                # maybe beyond 64 bits (orjson would read it as a float)
TEXT_SCREEN = re.compile(TEXT)
SCREEN = re.compile(TEXT + rb"|" + LONG_NUMBER + rb"|[eE][+-]?\d{3}|NaN|Infinity")   # … or not a finite float
STRIPPED = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
CONTAINERS = (dict, list)
TOO_DEEP = f"The body is nested deeper than {MAX_DEPTH} levels."


def too_deep(raw: bytes) -> bool:
    """Nested beyond MAX_DEPTH, found without recursion: strings out, brackets only, innermost pairs
    removed MAX_DEPTH times; anything left was deeper (or unbalanced, which the parser will say)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False
    brackets = NOT_BRACKETS.sub(b"", STRINGS.sub(b"", raw))
    for _ in range(MAX_DEPTH):
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if shorter == brackets:
            break
        brackets = shorter
    return b"[]" in brackets or b"{}" in brackets


def nested_deeper(value, limit: int) -> bool:
    """More than ``limit`` levels of objects and arrays, counted level by level (no recursion)."""
    level = [value] if type(value) in CONTAINERS else []
    for _ in range(limit):
        if not level:
            return False
        level = [child for parent in level for child in (parent.values() if type(parent) is dict else parent)
                 if type(child) in CONTAINERS]
    return bool(level)


def form_text(text: str) -> str:
    """A console form's text: control (NUL included: a person never means one) and bidi characters out."""
    return STRIPPED.sub("", text).replace("\x00", "")


def cleaned(value):
    """``value`` with control (but NUL, which is refused) and bidi-override characters taken out of text."""
    if isinstance(value, str):
        return STRIPPED.sub("", value)
    if isinstance(value, list):
        return [cleaned(item) for item in value]
    if isinstance(value, dict):
        return {key: cleaned(item) for key, item in value.items()}
    return value


def parsed(raw: bytes) -> tuple:
    """(the value, whether orjson read it); a body too deep or not JSON is a 400."""
    if not has_long_number(raw):
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
        else:
            if nested_deeper(value, MAX_DEPTH):
                raise Problem("malformed-json", TOO_DEEP)
            return value, True
    if too_deep(raw):
        raise Problem("malformed-json", TOO_DEEP)
    try:
        return json.loads(raw.decode("utf-8")), False
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Problem("malformed-json", f"The body is not valid JSON: {exc}") from None


def load(raw: bytes, itemwise: bool = False):
    """The parsed body, checked and cleaned (``itemwise``: the caller checks each item itself)."""
    value, strict = parsed(raw)
    if not (TEXT_SCREEN if strict else SCREEN).search(raw):
        return value
    value = cleaned(value)
    if not itemwise:
        check_storable(value)          # Unstorable: a 422 naming the field
    return value
