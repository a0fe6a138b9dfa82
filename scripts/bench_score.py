"""Benchmark ``trajectory score`` end to end on real resumes (prints figures; not a test).

``../shared/corpus/real-resumes/`` (or --corpus) is repeated to each size (default 2,000 and
10,000; --100k adds 100,000) as hard links under distinct candidate ids in a temporary folder,
and scored by the real command in a fresh process with a fresh SQLite database, once per
worker count (default 1 and 2; a count the command does not accept is reported and skipped).
Printed per run: resumes/s over the whole command and over the run without its fixed
start-up (the one-resume cold start subtracted), the ratio to the tokenizer ceiling, CPU
seconds of the command and everything it started, and its peak RSS (the largest process).

Also printed: the tokenizer ceiling (``spacy.blank("en")`` over the corpus texts, this
process, the same run), the one-resume cold start (median of three), and the nightly flow
over the first size: everything new, nothing changed the same day, nothing changed the next
day. On a machine shared with other work, read resumes/s against CPU seconds. With more than
one worker the CPU seconds leave out the extraction workers (children of the forkserver
process, which the command does not wait for), so they undercount.

Usage: .venv/bin/python scripts/bench_score.py [--sizes 2000 10000] [--100k] [--workers 1 2]
       [--corpus DIR] [--no-nightly]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: ../shared beside the checkout, or beside its parent folder (a git worktree one level deeper).
CORPUS = next((base / "shared" / "corpus" / "real-resumes" for base in (ROOT.parent,
               ROOT.parent.parent) if (base / "shared" / "corpus" / "real-resumes").is_dir()),
              ROOT.parent / "shared" / "corpus" / "real-resumes")
TRAJECTORY = str(Path(sys.executable).with_name("trajectory"))
RUBRIC = "global-principal-architect"


def children_usage() -> tuple[float, float]:
    """(CPU seconds, peak RSS MB) of the finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def run_measured(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run a command to completion: (wall s, CPU s of it and its children, peak RSS MB).

    Peak RSS is of the largest process it started; measured in a fresh helper process so an
    earlier, bigger run does not mask it.
    """
    probe = ("import resource,subprocess,sys,time;t=time.perf_counter();"
             "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE,"
             "text=True);w=time.perf_counter()-t;u=resource.getrusage(resource.RUSAGE_CHILDREN);"
             "print(r.returncode,w,u.ru_utime+u.ru_stime,u.ru_maxrss/1024);"
             "sys.stderr.write(r.stderr[-3000:] if r.returncode else '')")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                          env=env, check=False)
    fields = done.stdout.split()
    if len(fields) != 4 or fields[0] != "0":
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return float(fields[1]), float(fields[2]), float(fields[3])


def make_folder(corpus: list[Path], size: int, folder: Path) -> None:
    """``size`` hard links to the corpus files, cycled, each under its own candidate id."""
    folder.mkdir(parents=True)
    for i in range(size):
        source = corpus[i % len(corpus)]
        os.link(source, folder / f"c{i:06d}-{source.name}")


def tokenizer_ceiling(corpus: list[Path]) -> float:
    """Resumes/s of spaCy's blank English tokenizer alone over the corpus texts."""
    import spacy

    nlp = spacy.blank("en")
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in corpus]
    nlp.make_doc(texts[0])
    start = time.perf_counter()
    for text in texts:
        nlp.make_doc(text)
    return len(texts) / (time.perf_counter() - start)


def score_args(folder: Path, tmp: Path, name: str, workers: int) -> list[str]:
    args = [TRAJECTORY, "score", str(folder), "--rubric", RUBRIC, "--out",
            str(tmp / f"{name}.csv"), "--database", f"sqlite:///{tmp / name}.db", "--quiet"]
    return args + (["--workers", str(workers)] if workers != 1 else [])


def accepts_workers(env: dict[str, str]) -> bool:
    help_text = subprocess.run([TRAJECTORY, "score", "--help"], capture_output=True, text=True,
                               env=env, check=False).stdout
    return "--workers" in help_text


def nightly_figures(folder: Path, tmp: Path, env: dict[str, str]) -> None:
    """The nightly flow over ``folder``: full, unchanged the same day, unchanged next day."""
    script = f"""
import time, yaml
from datetime import UTC, datetime, timedelta
from pathlib import Path
from pipeline.runs.flows import nightly
tmp = Path({str(tmp)!r})
def config(folder, name):
    path = tmp / (name + ".yaml")
    path.write_text(yaml.safe_dump({{"nightly": {{"sources": [{{"kind": "folder",
        "path": str(folder)}}], "out_dir": str(tmp / name)}}}}), encoding="utf-8")
    return str(path)
(tmp / "empty").mkdir()
nightly(config(tmp / "empty", "warm-up"), "sqlite:///" + str(tmp / "warm-up.db"))
url = "sqlite:///" + str(tmp / "nightly.db")
today = datetime.now(UTC).date()
figures = {{}}
for label, as_of in (("full", today), ("unchanged", today),
                     ("next day", today + timedelta(days=1))):
    start = time.perf_counter()
    s = nightly(config(Path({str(folder)!r}), "nightly"), url, as_of=as_of)
    figures[label] = time.perf_counter() - start
    print(f"  nightly {{label:>9}}: {{figures[label]:7.2f}} s (new {{s.staged.new}}, "
          f"unchanged {{s.staged.unchanged}}, extracted {{s.extracted}}, "
          f"rubrics {{len(s.rubrics)}})", flush=True)
for label in ("unchanged", "next day"):
    print(f"  nightly {{label}} / full: {{figures[label] / figures['full']:.1%}} "
          "(target: 10% or less)")
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--100k", dest="hundred_k", action="store_true",
                        help="also 100,000 resumes (slow: about 15 minutes per worker count)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-nightly", action="store_true")
    args = parser.parse_args()
    corpus = sorted(p for p in args.corpus.glob("*.txt") if p.is_file())
    if not corpus:
        raise SystemExit(f"{args.corpus}: no .txt resumes (is ../shared there?)")
    sizes = [*args.sizes, *([100_000] if args.hundred_k else [])]

    with tempfile.TemporaryDirectory(prefix="bench-score-") as tmp_name:
        tmp = Path(tmp_name)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRAJECTORY_")}
        env.update(TRAJECTORY_DATA_DIR=str(tmp / "data"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_LOGGING_LEVEL="WARNING")
        ceiling = tokenizer_ceiling(corpus)
        print(f"corpus: {len(corpus)} real resumes in {args.corpus}; sizes {sizes}")
        print(f"tokenizer ceiling (spacy.blank('en'), one process): {ceiling:.1f} resumes/s")

        make_folder(corpus, 1, tmp / "one")
        colds = [run_measured(score_args(tmp / "one", tmp, f"cold{i}", 1), env)
                 for i in range(3)]
        cold = statistics.median(w for w, _, _ in colds)
        print(f"one-resume cold start: {cold:.2f} s wall (median of 3; "
              f"{statistics.median(c for _, c, _ in colds):.2f} s CPU) — target 5 s or less")

        workers = [w for w in args.workers if w == 1 or accepts_workers(env)]
        for skipped in sorted(set(args.workers) - set(workers)):
            print(f"--workers {skipped}: not accepted by this trajectory score; skipped")
        for size in sizes:
            folder = tmp / f"in-{size}"
            make_folder(corpus, size, folder)
            for n in workers:
                wall, cpu, rss = run_measured(score_args(folder, tmp, f"s{size}w{n}", n), env)
                rate, net = size / wall, size / max(wall - cold, 1e-9)
                print(f"{size:>7} resumes, {n} worker(s): {wall:8.1f} s, {rate:6.1f} resumes/s "
                      f"({net:6.1f} without start-up; {net / ceiling:5.1%} of the ceiling), "
                      f"{cpu:8.1f} s CPU, peak RSS {rss:5.0f} MB")
        if not args.no_nightly:
            print(f"nightly over {sizes[0]} resumes:")
            nightly_figures(tmp / f"in-{sizes[0]}", tmp, env)


if __name__ == "__main__":
    main()
