"""``python -m benchmarks [--sizes 1000,10000,100000] [--requests 300] [--only scheme|sync] [--quick]``.

Scheme build speed (below) and the sync and PDF figures (``benchmarks/sync.py``).

For each synthetic grid size: the index build time (projection + STRtree), then the scheme build
time over the same random requests (a mix of LV and HV, anywhere in the city) with the STRtree and
with a linear scan of every asset, and their ratio. Targets (issue 4): p99 ≤ 10 ms at 100k assets,
index build ≤ 2 s, on a 2-core machine.
"""
import argparse
import random
import statistics
import time

from scheme_builder import Grid, build_scheme
from scheme_builder.errors import SchemeError
from scheme_builder.synthetic import make_city_grid
from server.policy import load_policy_book

from benchmarks import percentile, previous_model, sync as sync_bench

TARGET_P99_MS, TARGET_INDEX_S = 10.0, 2.0
CENTRE = (119.974, 31.811)


class LinearGrid(Grid):
    """The same grid answering every radius query by measuring all assets (the baseline)."""

    def within(self, point, radius_m, kinds, voltage_kv=None):
        return self.within_linear(point, radius_m, kinds, voltage_kv)


def requests_for(grid_features, count, seed) -> list:
    """Requests placed near random assets, so most find candidates, as real customers do: LV and 10 kV,
    some important customers (two independent sources) and some above 8000 kVA (35 kV dedicated lines)."""
    rng = random.Random(seed)
    points = [f["geometry"]["coordinates"] for f in grid_features if f["geometry"]["type"] == "Point"]
    requests = []
    for _ in range(count):
        lon, lat = rng.choice(points)
        hv = rng.random() < 0.4
        request = {"business_type": "hv_new" if hv else "lv_nonresident_new", "customer_class": "non_resident",
                   "capacity_kva": rng.choice([315, 630, 1250, 2500, 6000, 9000]) if hv else rng.choice([20, 60, 150, 250]),
                   "location": {"lon": lon + rng.uniform(-0.003, 0.003), "lat": lat + rng.uniform(-0.003, 0.003)}}
        if hv and rng.random() < 0.15:
            request["reliability_class"] = "level1"
        requests.append(request)
    return requests


def with_source_side(features) -> list:
    """The synthetic city with what a planner checks behind a feeder (docs/ENGINEERING.md §4a): main
    transformers, load and spare 10/35 kV bays on every substation, a quarter of them N-1 exhausted."""
    enriched = []
    for n, feature in enumerate(features):
        props = feature["properties"]
        if props["kind"] == "substation":
            units = 2 + n % 2
            props = {**props, "transformers": units, "rating_kva": units * 50000,
                     "peak_kva": units * 50000 * (0.9 if n % 4 == 3 else 0.4), "spare_bays": {"10": 1 + n % 2, "35": n % 3 // 2}}
        enriched.append({**feature, "properties": props})
    return enriched


def timed_builds(requests, policy, grid) -> tuple[list, list]:
    times, hashes = [], []
    for request in requests:
        start = time.perf_counter()
        try:
            hashes.append(build_scheme(request, policy, grid)["scheme_hash"])
        except SchemeError as exc:
            hashes.append(type(exc).__name__)
        times.append((time.perf_counter() - start) * 1000)
    return times, hashes


def bench_size(size, policy, count) -> dict:
    features = with_source_side(make_city_grid(size, seed=size, centre=CENTRE)["features"])
    start = time.perf_counter()
    grid = Grid.from_features(features, f"bench/{size}")
    index_s = time.perf_counter() - start
    linear = LinearGrid(grid.assets, grid.forward, grid.inverse, grid.version)
    requests = requests_for(features, count, seed=size)
    timed_builds(requests[:20], policy, grid)                          # warm caches (pyproj, numpy)
    tree_ms, tree_hashes = timed_builds(requests, policy, grid)
    linear_ms, linear_hashes = timed_builds(requests, policy, linear)
    assert tree_hashes == linear_hashes, "the index and the linear scan disagree"
    return {"assets": len(features), "index_s": index_s, "p50": percentile(tree_ms, 0.5),
            "p99": percentile(tree_ms, 0.99), "mean": statistics.fmean(tree_ms),
            "linear_p50": percentile(linear_ms, 0.5), "linear_p99": percentile(linear_ms, 0.99),
            "speedup": statistics.fmean(linear_ms) / statistics.fmean(tree_ms),
            "built": sum(h.startswith("sha256:") for h in tree_hashes) / len(tree_hashes),
            "previous": previous_model.timings(features, requests)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--only", choices=("scheme", "sync"), help="one table only")
    parser.add_argument("--quick", action="store_true", help="small sync sizes (a smoke run, not the targets)")
    args = parser.parse_args()
    if args.only != "sync":
        scheme_table(args)
    if args.only != "scheme":
        print(f"\nsync and PDF{' (quick sizes: not the targets)' if args.quick else ''}")
        sync_bench.report(sync_bench.run(quick=args.quick))


def scheme_table(args):
    policy = load_policy_book().get("changzhou")
    print(f"scheme build, {args.requests} requests per size (STRtree vs linear scan, same requests, same run)")
    print(f"{'assets':>8} {'index s':>8} {'p50 ms':>8} {'p99 ms':>8} {'lin p50':>8} {'lin p99':>8} {'speedup':>8} {'built':>6}")
    verdicts = []
    for size in (int(s) for s in args.sizes.split(",")):
        r = bench_size(size, policy, args.requests)
        print(f"{r['assets']:>8} {r['index_s']:>8.2f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
              f"{r['linear_p50']:>8.2f} {r['linear_p99']:>8.2f} {r['speedup']:>7.1f}× {r['built']:>6.0%}", flush=True)
        verdicts.append((size, r))
    print("built: share of requests answered with a scheme (the rest lie outside the grid → 422)")
    previous_table(verdicts)
    _size, largest = verdicts[-1]
    print(f"targets at {largest['assets']} assets: p99 {largest['p99']:.2f} ms (≤ {TARGET_P99_MS:g}: "
          f"{'met' if largest['p99'] <= TARGET_P99_MS else 'MISSED'}), index build {largest['index_s']:.2f} s "
          f"(≤ {TARGET_INDEX_S:g}: {'met' if largest['index_s'] <= TARGET_INDEX_S else 'MISSED'})")


def previous_table(verdicts):
    print(f"\nthe previous model (commit {previous_model.PREVIOUS[:7]}, before issue 12), same grids and requests, same run")
    print(f"{'assets':>8} {'p50 now':>8} {'p50 then':>9} {'p99 now':>8} {'p99 then':>9} {'index now':>10} {'then':>6} {'p99 ×':>6}")
    for _size, r in verdicts:
        then = r["previous"]
        if isinstance(then, str):
            print(f"{r['assets']:>8} {then}")
            continue
        print(f"{r['assets']:>8} {r['p50']:>8.2f} {then['p50']:>9.2f} {r['p99']:>8.2f} {then['p99']:>9.2f} "
              f"{r['index_s']:>10.2f} {then['index_s']:>6.2f} {r['p99'] / then['p99']:>5.1f}×")


if __name__ == "__main__":
    main()
