"""Benchmark the extract stage: resumes per second and peak memory (prints figures; not a test).

sample_profiles/ is repeated to N resumes (default 2,000), parsed once, then extracted:
1. one process: ``extract_many()`` over the whole batch (what the flow does);
2. the same call with ``n_process=2``: chunks of resumes extracted in two forked workers
   (see ``extract_many`` for why this is not ``nlp.pipe(n_process=2)``).

CPU is the seconds of CPU spent by all processes, so on a busy machine the wall-clock figures
can be read against the work done. Peak RSS is this process's; with two processes also the
largest worker's (pages shared with the parent after ``fork`` count in both).

``--folder ../shared/corpus/real-resumes`` measures real resumes instead (longer than the
samples); "per CPU-second" is the rate per core, which a busy machine does not distort.

Usage: .venv/bin/python scripts/bench_extract.py [--resumes 2000] [--folder DIR]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from pipeline.extract.build import build_nlp
from pipeline.extract.evidence import extract_many
from pipeline.ingest.read import ingest_folder
from pipeline.parse.resume import parse_resume

ROOT = Path(__file__).resolve().parent.parent


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds used so far by this process and its finished workers."""
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resumes", type=int, default=2000)
    parser.add_argument("--folder", type=Path, default=ROOT / "sample_profiles")
    args = parser.parse_args()

    documents = ingest_folder(args.folder).documents
    resumes = [parse_resume(d.candidate_id, d.text) for d in documents]
    batch = [(resumes[i % len(resumes)], documents[i % len(documents)].content_hash)
             for i in range(args.resumes)]
    nlp = build_nlp()
    nlp("warm up")
    print(f"{len(batch)} resumes from {len(resumes)} in {args.folder.name}/; "
          f"extractor {nlp.meta['extractor_version']}")

    for label, n_process in (("one process  ", 1), ("two processes", 2)):
        start, cpu = time.perf_counter(), cpu_s()
        sentences = sum(len(e.sentences) for e in extract_many(batch, nlp, n_process=n_process))
        elapsed, cpu = time.perf_counter() - start, cpu_s() - cpu
        memory = f"peak RSS {peak_mb():.0f} MB"
        if n_process > 1:
            memory += f" (parent), {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB (largest worker)"
        print(f"{label}: {len(batch) / elapsed:7.1f} resumes/s  ({sentences / elapsed:8.0f} "
              f"sentences/s, {elapsed:.2f} s, {cpu:.2f} s CPU; {len(batch) / cpu:.1f} resumes per "
              f"CPU-second), {memory}")


if __name__ == "__main__":
    main()
