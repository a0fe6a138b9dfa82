"""Benchmark the nightly flow: a run where every resume is new versus one where nothing
changed (prints figures; not a test).

The readable files of sample_profiles/ are copied to N resumes (default 2,000) under distinct
ids into a temporary folder; a temporary SQLite database (or --database URL, which must be
empty) and shortlists folder are used and removed afterwards. A warm-up run over an empty
folder first starts Prefect's temporary API, so no timed run pays for it. Three timed runs:
everything new; nothing changed, the same day (a no-op: the files already hold what it would
write); nothing changed, the next day (no extraction, every rubric rescored as of that day).

Usage: .venv/bin/python scripts/bench_nightly.py [--resumes 2000] [--database URL]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MALFORMED = ("binary-blob", "empty-file", "scanned-resume")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resumes", type=int, default=2000)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    from pipeline.runs.flows import nightly

    samples = [p for p in sorted((ROOT / "sample_profiles").iterdir())
               if p.stem not in MALFORMED]
    with tempfile.TemporaryDirectory(prefix="bench-nightly-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["TRAJECTORY_DATA_DIR"] = str(tmp / "data")
        inbox, empty = tmp / "inbox", tmp / "empty"
        inbox.mkdir()
        empty.mkdir()
        for i in range(args.resumes):
            sample = samples[i % len(samples)]
            shutil.copy(sample, inbox / f"c{i:05d}-{sample.name}")
        url = args.database or f"sqlite:///{tmp / 'bench.db'}"

        def config(folder: Path, name: str) -> str:
            path = tmp / f"{name}.yaml"
            path.write_text(yaml.safe_dump({"nightly": {
                "sources": [{"kind": "folder", "path": str(folder)}],
                "out_dir": str(tmp / name)}}), encoding="utf-8")
            return str(path)

        nightly(config(empty, "warm-up"), f"sqlite:///{tmp / 'warm-up.db'}")
        figures = {}
        today = datetime.now(UTC).date()
        for label, as_of in (("everything new", today), ("nothing changed", today),
                             ("same, next day", today + timedelta(days=1))):
            start = time.perf_counter()
            summary = nightly(config(inbox, "shortlists"), url, as_of=as_of)
            figures[label] = time.perf_counter() - start
            s = summary.staged
            print(f"{label:>16}: {figures[label]:7.2f} s  (inputs {s.inputs}, new {s.new}, "
                  f"changed {s.changed}, unchanged {s.unchanged}, extracted "
                  f"{summary.extracted}, rubrics {len(summary.rubrics)})")
    ratio = figures["nothing changed"] / figures["everything new"]
    print(f"unchanged / full: {ratio:.1%} (target: under 10%)")
    print(f"next day / full: {figures['same, next day'] / figures['everything new']:.1%} "
          "(no extraction, but every rubric rescored as of the new day)")


if __name__ == "__main__":
    main()
