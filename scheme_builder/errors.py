"""One root error per package; each subclass names one failure and the request field it concerns."""


class SchemeError(ValueError):
    """The scheme cannot be built from this request; ``errors`` maps request fields to reasons."""

    def __init__(self, msg: str, errors=None):
        super().__init__(msg)
        self.msg = msg
        self.errors = errors or {}


class InvalidRequest(SchemeError):
    """A request field is missing or out of range."""


class OutsideGridExtent(SchemeError):
    """The location is farther from the region's grid than any supply radius reaches."""


class NoGridData(SchemeError):
    """The region has no grid snapshot to build a scheme from."""


class BannedFeeInScheme(AssertionError):
    """A fee that docs/DOMAIN.md §4 bans appeared in a scheme: a bug (a 500), never the request's fault."""


class GridDataError(SchemeError):
    """A grid file has bad features; ``report`` lists every one (index or line, asset, field, reason)."""

    def __init__(self, msg: str, report):
        super().__init__(msg, {"features": [f"{r['where']}: {r['field']}: {r['reason']}" for r in report[:50]]})
        self.report = report
