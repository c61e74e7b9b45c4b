"""The supply scheme on the spot: a pure library (no Flask, no database, no network).

It runs on the server and, with the same code and data, inside the offline client::

    policy = pack_from_dict(pack_dict, load_engineering())     # a pack as pulled from the server
    grid = Grid.from_features(features, version="snapshot-12")
    scheme = build_scheme(request, policy, grid)
"""
from scheme_builder.api import build_scheme
from scheme_builder.errors import SchemeError
from scheme_builder.grid import Grid
from scheme_builder.pack import Pack, pack_from_dict
from scheme_builder.policy import load_engineering

__all__ = ["build_scheme", "Grid", "Pack", "SchemeError", "load_engineering", "pack_from_dict"]
