"""What the policy model stands on: canonical JSON (the bytes hashes are taken of) and the national
engineering tables shipped with the library (``data/engineering.json``, docs/ENGINEERING.md)."""
import json
from importlib import resources


def canonical_json(data) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes on every machine."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load_engineering() -> dict:
    """The national engineering tables shipped with the library."""
    text = (resources.files("scheme_builder") / "data" / "engineering.json").read_text(encoding="utf-8")
    return json.loads(text)
