"""Policy packs: one JSON file per region and year in ``server/policies``, validated at start-up.

A pack holds the ticket rules (business types, stage pipelines, time limits, documents) and the
scheme rules. Every number carries its ``source`` clause. ``version`` is a content hash that
tickets and schemes echo, so a number changed in a pack is visible in every record made after.
"""
import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Optional

from scheme_builder.policy import canonical_json


class PolicyError(Exception):
    """A policy pack file is missing, unreadable or invalid."""


class PolicyNotFound(LookupError):
    """No pack for the requested region and year; ``errors`` names the request field at fault."""

    def __init__(self, msg, field_name):
        super().__init__(msg)
        self.errors = {field_name: [msg]}


@dataclass(frozen=True)
class Sourced:
    value: object
    source: str


@dataclass(frozen=True)
class StageRule:
    stage: str
    label: str
    limit_days: Optional[float]
    when: Optional[str]
    source: str


@dataclass(frozen=True)
class Pipeline:
    label: str
    days_unit: str
    stages: tuple
    total_limit_days: Optional[Sourced]
    source: str
    total_limit_days_with_works: Optional[Sourced] = None


@dataclass(frozen=True)
class Track:
    pipeline: str
    customer_classes: Optional[frozenset]
    reliability_classes: Optional[frozenset]

    def matches(self, customer_class, reliability_class) -> bool:
        return ((self.customer_classes is None or customer_class in self.customer_classes)
                and (self.reliability_classes is None or reliability_class in self.reliability_classes))


@dataclass(frozen=True)
class BusinessType:
    label: str
    voltage: str
    documents: tuple
    documents_source: str
    tracks: tuple
    source: str


@dataclass(frozen=True)
class DocumentRule:
    label: str
    waivable: bool
    source: str


@dataclass(frozen=True)
class Zone:
    zone: str
    label: str
    onsite_reply_limit_kva: Sourced


@dataclass(frozen=True)
class Pack:
    id: str
    region: str
    year: int
    title: str
    document: str
    seed: str
    zones: tuple
    documents: dict
    pipelines: dict
    business_types: dict
    scheme: dict
    version: str = field(default="")
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def pipeline_for(self, business_type: str, customer_class: str, reliability_class: str) -> str:
        """The name of the pipeline a ticket of this kind follows (first matching track)."""
        for track in self.business_types[business_type].tracks:
            if track.matches(customer_class, reliability_class):
                return track.pipeline
        raise PolicyError(f"{self.id}: no track of {business_type} fits {customer_class}/{reliability_class}")

    def zone(self, name: Optional[str]) -> Zone:
        return next((z for z in self.zones if z.zone == name), self.zones[0])


def parse_pack(raw: dict, filename: str) -> Pack:
    """Validate one pack; the error names the file and every bad field."""
    from marshmallow import ValidationError
    from server.schemas.policy import pack_schema
    try:
        data = pack_schema.load(raw)
    except ValidationError as exc:
        from server.errors import flatten_errors
        fields_ = "; ".join(f"{path}: {' '.join(map(str, msgs))}" for path, msgs in
                            flatten_errors(exc.messages).items())
        raise PolicyError(f"policy pack {filename} is invalid: {fields_}") from None
    version = "sha256:" + hashlib.sha256(canonical_json(raw)).hexdigest()[:16]
    return Pack(**{**data, "zones": tuple(data["zones"]), "version": version, "raw": raw})


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
    packs = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".json"):
            continue
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise PolicyError(f"policy pack {path.name} is not valid JSON: {exc}") from None
        packs.append(parse_pack(raw, path.name))
    if not packs:
        raise PolicyError(f"no policy packs found in {folder}")
    return PolicyBook(packs)
