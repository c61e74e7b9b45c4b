"""The scheme builder as it was before the planner's model (issue 12), timed in the same run on the same
grid and the same requests, so the cost of the new checks (substation N-1, dedicated lines, priced
relief, parallel LV cables, new sites) is a measured ratio, not a memory.

A child process imports that commit's code (``git archive`` into a temporary directory): the two
models share module names and cannot live in one interpreter.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import percentile

PREVIOUS = "3dfceb3b683833ed45f1e74fb3d40b0981f3d261"   # the parent of 85ffd09, issue 12's first commit
ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
from scheme_builder import Grid, build_scheme
from scheme_builder.errors import SchemeError
from server.policy import load_policy_book

job = json.load(sys.stdin)
start = time.perf_counter()
grid = Grid.from_features(job["features"], "bench/previous")
index_s = time.perf_counter() - start
policy = load_policy_book().get("changzhou")

def run(requests):
    times = []
    for request in requests:
        began = time.perf_counter()
        try:
            build_scheme(request, policy, grid)
        except SchemeError:
            pass
        times.append((time.perf_counter() - began) * 1000)
    return times

run(job["requests"][:20])
json.dump({"index_s": index_s, "ms": run(job["requests"])}, sys.stdout)
"""


def timings(features, requests):
    """{index_s, p50, p99} of the previous model, or a sentence saying why it could not run."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", PREVIOUS], capture_output=True)
        if archive.returncode:
            return f"commit {PREVIOUS[:7]} is not in this checkout ({archive.stderr.decode().strip()})"
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        child = subprocess.run([sys.executable, "-c", CHILD], cwd=tmp, capture_output=True, text=True,
                               input=json.dumps({"features": features, "requests": requests}),
                               env={**os.environ, "PYTHONPATH": tmp})
    if child.returncode:
        return f"the previous model failed: {child.stderr.strip().splitlines()[-1:]}"
    result = json.loads(child.stdout)
    return {"index_s": result["index_s"], "p50": percentile(result["ms"], 0.5), "p99": percentile(result["ms"], 0.99)}
