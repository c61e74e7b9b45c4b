"""Benchmarks run by ``make bench``: figures and ratios measured in the same run, printed."""


def percentile(values, share) -> float:
    """The value at ``share`` (0–1) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
