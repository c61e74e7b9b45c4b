"""What the policy model stands on: canonical JSON (the bytes hashes are taken of) and the national
engineering tables shipped with the library (``data/engineering.json``, docs/ENGINEERING.md)."""
import json
import re
from importlib import resources

REPR = re.compile(r"(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?")


def canonical_json(data) -> bytes:
    """Sorted keys, no spaces, UTF-8, numbers written as JavaScript writes them (``10.0`` → ``10``,
    ``1e-05`` → ``0.00001``): the same bytes on every machine and in the offline app's builder
    (field_app/src/scheme/canon.js), so a scheme hashes the same on the tablet and on the server.

    Fast path: Python's repr of a float is JavaScript's except for whole numbers and exponents, so with
    whole floats below 2⁵³ made ints the json module writes the same bytes; any other float that would
    print differently sends the value down the slow, exact path."""
    try:
        fast = json.dumps(js_floats(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    except ValueError:
        fast = encode(data)
    return fast.encode("utf-8")


def js_floats(value):
    """``value`` with whole floats as ints; ValueError on a float Python and JavaScript write differently."""
    if isinstance(value, dict):
        return {str(k): js_floats(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [js_floats(item) for item in value]
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:      # above, JavaScript pads the shortest digits with 0s
            return int(value)
        if value.is_integer() or not 1e-4 <= abs(value) < 1e16:
            raise ValueError(value)
    return value


def encode(value) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{encode(value[k])}"
                              for k in sorted(value)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(encode(item) for item in value) + "]"
    if isinstance(value, float):
        return js_number(value)
    return json.dumps(value, ensure_ascii=False)


def js_number(value: float) -> str:
    """ECMAScript's Number::toString of a finite float, from Python's shortest round-trip digits."""
    if value == 0:
        return "0"
    sign, whole, fraction, exponent = REPR.fullmatch(repr(value)).groups()
    digits = (whole + (fraction or "")).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + (fraction or "")) - len(digits))
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = f"{digits[:point]}.{digits[point:]}"
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{mantissa}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1)}"
    return sign + text


def load_engineering() -> dict:
    """The national engineering tables shipped with the library."""
    text = (resources.files("scheme_builder") / "data" / "engineering.json").read_text(encoding="utf-8")
    return json.loads(text)
