"""``make bench`` keeps working: tiny runs print every column, every figure and the verdicts."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYNC_FIGURES = ("push, engine as a library", "push over HTTP", "pull over HTTP", "initial sync",
                "concurrent devices", "render + sign one scheme PDF", "field app: first sync",
                "field app: work list opens", "field app: scheme built on the tablet")


def test_bench_runs_and_reports_targets():
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "scheme", "--sizes", "300",
                             "--requests", "15"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "speedup" in result.stdout and "targets at" in result.stdout
    header, row = result.stdout.splitlines()[1:3]
    assert header.split()[0] == "assets" and int(row.split()[0]) > 0 and row.split()[-1] != "0%"


@pytest.mark.e2e
def test_the_sync_bench_prints_every_figure_with_its_target():
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "sync", "--quick"], cwd=ROOT,
                            capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert any(line.startswith("raw SQLite limit") for line in lines)
    for name in SYNC_FIGURES:
        row = next(line for line in lines if line.startswith(name) or name in line.split("  ")[0])
        assert ("met" in row or "MISSED" in row) and "×" in row, row
