"""``make bench`` keeps working: a tiny run prints every column and the verdict line."""
import subprocess
import sys
from pathlib import Path


def test_bench_runs_and_reports_targets():
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--sizes", "300", "--requests", "15"],
                            cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "speedup" in result.stdout and "targets at" in result.stdout
    header, row = result.stdout.splitlines()[1:3]
    assert header.split()[0] == "assets" and int(row.split()[0]) > 0 and row.split()[-1] != "0%"
