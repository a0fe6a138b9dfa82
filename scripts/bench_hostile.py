"""Time per resume for hostile single-line inputs from 1 KB to 1 MB (issue 15).

Each input is ``SUMMARY`` and one line of ``size`` bytes of one pathological kind: a run of
letters ending in a bare number (the quantity finder's quadratic case), runs of ``)``, ``!``,
``%`` or emoji (spaCy's tokenizer's), one resume sentence repeated, and, as the control,
varied words. Every input goes the way a resume goes in a run, through the stage functions
with the default limits: ``read_text`` (decoding and the character limit), ``parse_resume``,
``extract_each`` with the full extractor (rules and classifier) and ``score_each``.

Prints milliseconds per resume (best of ``--repeat``), what became of it (``scored`` or its
quarantine code), and per kind the slowest size's time over the 1 KB time: a pathological
kind must stay within 2x of its 1 KB time. Inputs over the character limit (200,000 by
default) are ``too_long``. Varied words, the control, are real work whose cost grows with
the text up to that limit; for them the script also prints time per KB. Usage::

    python scripts/bench_hostile.py [--repeat 3] [--sizes 1000,10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pipeline.datafiles import shipped_rubrics_dir
from pipeline.errors import ResumeFormatError
from pipeline.extract.build import build_nlp
from pipeline.extract.evidence import extract_each
from pipeline.ingest.read import read_text
from pipeline.parse.resume import parse_resume
from pipeline.score.rubric import load_rubric
from pipeline.score.scoring import score_each

_SENTENCE = "Led the migration of 40 services to AWS Lambda, cutting cost by 30%. "
_WORDS = ("led migrated built designed cut reduced kafka lambda terraform services cost "
          "latency team platform outage on-call 30% 12 servers region failover p95 "
          "pipelines customers").split()


def _run(unit: str) -> Callable[[int], str]:
    return lambda size: (unit * (size // len(unit) + 1))[:size]


def _letters_then_number(size: int) -> str:
    return ("x" * size)[:max(0, size - 3)] + " 42"


def _varied(size: int) -> str:
    rng = random.Random(size)
    words: list[str] = []
    total = 0
    while total < size:
        word = rng.choice(_WORDS) + (". " if rng.random() < 0.08 else " ")
        words.append(word)
        total += len(word)
    return "".join(words)[:size]


KINDS: dict[str, Callable[[int], str]] = {
    "letters+number": _letters_then_number,
    "')' run": _run(")"),
    "'!' run": _run("!"),
    "'%' run": _run("%"),
    "emoji run": _run("\U0001F600"),
    "repeated sentence": _run(_SENTENCE),
    "varied words": _varied,
}


def one_resume(data: bytes, nlp, rubric) -> str:  # type: ignore[no-untyped-def]
    """What a run does to one input; returns ``scored`` or the quarantine code."""
    try:
        text = read_text(data, "bench.txt")
        resume = parse_resume("bench", text.text)
    except ResumeFormatError as err:
        return str(err.code)
    [found] = extract_each([(resume, "h")], nlp)
    if isinstance(found, Exception):
        return str(getattr(found, "code", type(found).__name__))
    ranked, failed = score_each([found], rubric, date(2026, 11, 1))
    return "scored" if ranked else f"score failed ({failed[0][1]!r})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    nlp = build_nlp()
    rubric = load_rubric(Path(shipped_rubrics_dir()) / "global-principal-architect.yaml")
    one_resume(b"SUMMARY\nLed it.", nlp, rubric)  # warm up (model, caches)
    print(f"{'kind':<18} " + " ".join(f"{f'{s:,} B':>22}" for s in sizes)
          + f"   slowest/{sizes[0]:,} B")
    for name, make in KINDS.items():
        cells, times = [], []
        for size in sizes:
            body = make(size).encode("utf-8")[:size].decode("utf-8", "ignore")
            data = f"SUMMARY\nLed the migration {body}\n".encode()
            best, outcome = float("inf"), ""
            for _ in range(args.repeat):
                start = time.perf_counter()
                outcome = one_resume(data, nlp, rubric)
                best = min(best, time.perf_counter() - start)
            times.append(best)
            per_kb = f"{best * 1000 / (len(data) / 1000):.2f}/KB" if name == "varied words" \
                and outcome == "scored" else ""
            cells.append(f"{best * 1000:8.1f} ms {outcome[:8]:<8}{per_kb}")
        print(f"{name:<18} " + " ".join(f"{c:>22}" for c in cells)
              + f"   {max(times) / times[0]:5.1f}x")


if __name__ == "__main__":
    main()
