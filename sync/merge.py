"""Merge by field, keep the base (docs/SYNC_PROTOCOL.md principle 4), as a pure function.

An update carries ``{"customer.phone": {"base": old, "value": new}}``. Against the record now:

- record version still equals ``base_version`` → ``applied``;
- every changed field's ``base`` equals its current value → ``merged`` (someone changed others);
- a field whose ``base`` differs from the current value while the new value differs too → that
  field is a conflict (both values kept for a person); the op's other fields still apply.
A field already holding the new value is no change at all.
"""
from dataclasses import dataclass, field

MAX_DEPTH = 2


class BadPath(ValueError):
    """A change path that is empty, too deep or not a field."""


@dataclass
class MergeResult:
    status: str                                   # applied | merged | conflict
    apply: dict = field(default_factory=dict)     # path -> value to write
    conflicts: list = field(default_factory=list)  # (path, base, current, device value)


def split(path: str) -> list:
    parts = path.split(".")
    if not path or len(parts) > MAX_DEPTH or any(not p for p in parts):
        raise BadPath(f"{path!r}: a field or field.subfield")
    return parts


def get_path(record: dict, path: str):
    node = record
    for part in split(path):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def set_path(record: dict, path: str, value):
    parts = split(path)
    if len(parts) == 2:
        record[parts[0]] = {**(record.get(parts[0]) or {}), parts[1]: value}
    else:
        record[parts[0]] = value


def merge(record: dict, changes: dict, base_version=None) -> MergeResult:
    if base_version is not None and record.get("version") == base_version:
        return MergeResult("applied", {path: change["value"] for path, change in changes.items()})
    result = MergeResult("applied" if base_version is None else "merged")
    for path, change in changes.items():
        current = get_path(record, path)
        if change.get("base") == current or change["value"] == current:
            result.apply[path] = change["value"]
        else:
            result.conflicts.append((path, change.get("base"), current, change["value"]))
    if result.conflicts:
        result.status = "conflict"
    return result
