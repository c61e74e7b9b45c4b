"""Policy packs, read-only: what the handheld and the back office apply."""
from flask import current_app
from marshmallow import Schema, fields

from scheme_builder.pack import dump_pack
from server.api import Blueprint
from server.errors import Problem

blp = Blueprint("policies", __name__, url_prefix="/api/policies", description="Policy packs per region and year")


class PackSummarySchema(Schema):
    id = fields.String()
    region = fields.String()
    year = fields.Integer()
    title = fields.String()
    document = fields.String()
    version = fields.String()
    business_types = fields.List(fields.String())


class PackSchema(PackSummarySchema):
    pack = fields.Dict(metadata={"description": "the pack in its file format, as validated (every number with its "
                                            "source; `assumed` where borrowed from another region's document)"})


def summary(pack):
    return {**{k: getattr(pack, k) for k in ("id", "region", "year", "title", "document", "version")},
            "business_types": sorted(pack.business_types)}


@blp.route("", methods=["GET"])
@blp.response(200, PackSummarySchema(many=True))
def list_policies():
    """Every pack the server knows."""
    return [summary(p) for p in current_app.extensions["yekuo.policies"].packs.values()]


@blp.route("/<pack_id>", methods=["GET"])
@blp.response(200, PackSchema)
def get_policy(pack_id):
    """One pack, whole."""
    pack = current_app.extensions["yekuo.policies"].packs.get(pack_id)
    if pack is None:
        raise Problem("not-found", f"no policy pack {pack_id!r}")
    return {**summary(pack), "pack": dump_pack(pack)}
