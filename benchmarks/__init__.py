"""Benchmarks run by ``make bench``: figures and ratios measured in the same run, printed."""
