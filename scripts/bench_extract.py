"""Benchmark the extract stage: resumes per second and peak memory (prints figures; not a test).

sample_profiles/ is repeated to N resumes (default 2,000), parsed once, then extracted:
1. one process: ``extract_many()`` over the whole batch (what the flow does);
2. the same call with ``n_process=2``: chunks of resumes extracted in two forked workers
   (see ``extract_many`` for why this is not ``nlp.pipe(n_process=2)``).

Peak RSS is this process's; with two processes also the largest worker's (pages shared with
the parent after ``fork`` count in both).

Usage: .venv/bin/python scripts/bench_extract.py [--resumes 2000]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from pipeline.extract import extract_many
from pipeline.ingest import ingest_folder
from pipeline.nlp.build import build_nlp
from pipeline.parse import parse_resume

ROOT = Path(__file__).resolve().parent.parent


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resumes", type=int, default=2000)
    args = parser.parse_args()

    documents = ingest_folder(ROOT / "sample_profiles").documents
    resumes = [parse_resume(d.candidate_id, d.text) for d in documents]
    batch = [(resumes[i % len(resumes)], documents[i % len(documents)].content_hash)
             for i in range(args.resumes)]
    nlp = build_nlp()
    nlp("warm up")
    print(f"{len(batch)} resumes from {len(resumes)} sample profiles; "
          f"extractor {nlp.meta['extractor_version']}")

    start = time.perf_counter()
    sentences = sum(len(e.sentences) for e in extract_many(batch, nlp))
    elapsed = time.perf_counter() - start
    print(f"one process  : {len(batch) / elapsed:7.1f} resumes/s  "
          f"({sentences / elapsed:8.0f} sentences/s, {elapsed:.2f} s), peak RSS {peak_mb():.0f} MB")

    start = time.perf_counter()
    sentences = sum(len(e.sentences) for e in extract_many(batch, nlp, n_process=2))
    elapsed = time.perf_counter() - start
    print(f"two processes: {len(batch) / elapsed:7.1f} resumes/s  "
          f"({sentences / elapsed:8.0f} sentences/s, {elapsed:.2f} s), "
          f"peak RSS {peak_mb():.0f} MB (parent), {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB "
          "(largest worker)")


if __name__ == "__main__":
    main()
