"""The README and its design notes stay true: the worked example quotes the scores the pipeline
really gives, and the module map matches the modules."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "shortlist-global-principal-architect.csv"


def test_readme_worked_example_totals_match_the_golden_shortlist() -> None:
    with GOLDEN.open(encoding="utf-8", newline="") as handle:
        scores = {row["candidate_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    notes = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    example = notes.split("**Worked example**")[1]
    example = example.split("\n## ")[0]
    # "Total **80.97**, confidence …" and "…: **9.44**, confidence …", in that order.
    quoted = [float(v) for v in re.findall(r"\*\*([\d.]+)\*\*, confidence", example)]
    assert quoted == [scores["senior-dev-event-driven-payments"],
                      scores["principal-cloud-architect-long-tenure"]]


def test_readme_module_map_is_current() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "module_map.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
