"""The policy packs the server applies: one JSON file per region and year in ``server/policies``,
loaded once at start-up into the typed model of :mod:`scheme_builder.pack` (docs/DOMAIN.md).

A pack that fails validation stops start-up with the file and every bad field named.
"""
import json
from importlib import resources
from typing import Optional

from marshmallow import ValidationError

from scheme_builder.pack import Pack, PackError, pack_from_dict
from scheme_builder.policy import load_engineering
from server.schemas.policy import pack_schema

PolicyError = PackError


class PolicyNotFound(LookupError):
    """No pack for the requested region and year; ``errors`` names the request field at fault."""

    def __init__(self, msg, field_name):
        super().__init__(msg)
        self.errors = {field_name: [msg]}


def flat_messages(messages, prefix="") -> list:
    if not isinstance(messages, dict):
        return [f"{prefix}: {' '.join(map(str, messages if isinstance(messages, list) else [messages]))}"]
    return [line for key, value in messages.items()
            for line in flat_messages(value, f"{prefix}.{key}" if prefix else str(key))]


def load_pack(raw: dict, engineering: dict, filename: str = "pack") -> Pack:
    """The validated pack of a file; :class:`PackError` names the file and every bad field."""
    try:
        data = pack_schema.load(raw)
    except ValidationError as exc:
        raise PackError(f"policy pack {filename} is invalid: {'; '.join(flat_messages(exc.messages))}") from None
    return pack_from_dict(data, engineering)


class PolicyBook:
    """All packs by id, with the lookups the rest of the server needs."""

    def __init__(self, packs):
        self.packs = {pack.id: pack for pack in packs}

    def get(self, region: str, year: Optional[int] = None) -> Pack:
        """The region's pack of ``year``, or its newest one when no year is given."""
        if year is None:
            years = [p.year for p in self.packs.values() if p.region == region]
            if not years:
                raise PolicyNotFound(f"no policy pack for region {region!r}", "region")
            year = max(years)
        try:
            return self.packs[f"{region}-{year}"]
        except KeyError:
            raise PolicyNotFound(f"no policy pack for region {region!r} and year {year}", "policy_year") from None

    def regions(self):
        return sorted({p.region for p in self.packs.values()})


def load_policy_book(folder=None) -> PolicyBook:
    """Read every ``*.json`` pack of ``folder`` (default: the packaged ``server/policies``)."""
    folder = folder or resources.files("server") / "policies"
    engineering, packs = load_engineering(), []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".json"):
            continue
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise PackError(f"policy pack {path.name} is not valid JSON: {exc}") from None
        packs.append(load_pack(raw, engineering, path.name))
    if not packs:
        raise PackError(f"no policy packs found in {folder}")
    return PolicyBook(packs)
