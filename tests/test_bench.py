"""The benchmark's smoke run (`python -m bench.bench --smoke`): the project's trained model only,
tiny loads, and the scale-out stack (two servers behind nginx). It checks the benchmark works end to end; it asserts no speed (that is `make bench`)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ARTIFACTS, ROOT


def test_the_benchmark_runs_and_reports() -> None:
    out = ARTIFACTS / "bench-smoke"
    done = subprocess.run([sys.executable, "-m", "bench.bench", "--smoke", "--out", str(out)], cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.with_suffix(".json").read_text())
    served = results["configs"]["project"]["served"]
    scenarios = [v for v in served.values() if isinstance(v, dict)]
    assert len(scenarios) == 4 and all(s["errors"] == 0 and s["messages"] > 0 for s in scenarios)
    assert served["server_rss_mb"] > 100 and results["configs"]["project"]["parse"]["p50_ms"] > 0
    assert "| 16 clients, new conversations: messages/s |" in out.with_suffix(".md").read_text()
    scaled = results["configs"]["project"]["scaled_out"]  # two servers behind nginx
    assert scaled["errors"] == 0 and scaled["messages"] == 16 * 2 and scaled["servers_rss_mb"] > 200
