"""Score the shared real-resume corpus with each rubric and print ranking and unit figures.

Not a test: a benchmark that reads ``../shared/corpus/real-resumes/`` (outside the project) and
prints, for each rubric in ``rubrics/``:

* unit statistics: share of units over 60 words, median words a unit, share of resumes with
  at least one dated role, sections found per resume;
* P@10 and P@20 by the weak labels (``mentions_cloud``; category INFORMATION-TECHNOLOGY),
  beside a TF-IDF baseline (each resume against a role text built from the rubric);
* nDCG@10 and nDCG@20 over the judged resumes (principal rubric only: the judgments grade fit
  to that role), beside TF-IDF on the same files;
* the top 10 with category and score.

Usage: .venv/bin/python scripts/bench_real.py [--corpus ../shared/corpus/real-resumes]
       [--rubric rubrics/global-principal-architect.yaml] [--top 10]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from pipeline.errors import ResumeFormatError
from pipeline.extract.build import build_nlp
from pipeline.extract.evidence import extract_many
from pipeline.parse.resume import parse_resume
from pipeline.records import PILLARS, CandidateEvidence, Resume
from pipeline.score.rubric import Rubric, load_rubric
from pipeline.score.scoring import score_and_rank

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 1, 1)
JUDGED_RUBRIC = "global-principal-architect"
#: The role the graders read (../shared/corpus/README.md), for the judged TF-IDF baseline.
GRADED_ROLE = (
    "Global Principal Cloud Architect (AWS): designs multi-region, highly available, compliant "
    "architectures (compute, networking, IaC, data stores, event-driven messaging, security and "
    "compliance, DR, observability). Drove significant technical change, initiated improvements "
    "and delivered outcomes in cloud, infrastructure and distributed-systems work."
)
_PILLAR_WORDS = {
    "compute_network_iac": "compute networking infrastructure as code terraform cloudformation "
                           "ec2 kubernetes containers vpc",
    "data": "data stores databases dynamodb rds aurora data platform data pipelines warehouse",
    "event_driven": "event-driven messaging kafka sqs sns kinesis eventbridge streaming",
    "security_compliance": "security compliance iam encryption kms audit data residency",
    "operations": "observability monitoring disaster recovery cloudwatch reliability ci/cd",
}


def role_text(rubric: Rubric) -> str:
    """A role text from a rubric: title, description, must-haves and its pillars by weight."""
    weights = rubric.pillar_weights.normalised()
    parts = [rubric.title, rubric.description]
    parts += [m.description + " " + " ".join(m.terms) for m in rubric.must_haves]
    for pillar in sorted(PILLARS, key=lambda p: -weights[p]):
        parts += [_PILLAR_WORDS[pillar]] * max(1, round(weights[pillar] * 5))
    return " ".join(parts)


def tfidf_scores(texts: dict[str, str], query: str) -> dict[str, float]:
    """Cosine of each text to the query under TF-IDF fitted on the texts (English stop words,
    sublinear tf): the keyword-match baseline."""
    ids = sorted(texts)
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    matrix = vec.fit_transform([texts[i] for i in ids])
    sims = linear_kernel(vec.transform([query]), matrix).ravel()
    return {i: float(s) for i, s in zip(ids, sims, strict=True)}


def ranked(scores: dict[str, float]) -> list[str]:
    """Ids best first, ties by id."""
    return sorted(scores, key=lambda i: (-scores[i], i))


def precision_at(order: list[str], relevant: set[str], k: int) -> float:
    """Share of the first k that are relevant."""
    return sum(1 for i in order[:k] if i in relevant) / k


def ndcg_at(order: list[str], grades: dict[str, float], k: int) -> float:
    """nDCG@k over the graded ids in ``order``: gain 2^grade − 1, discount log2(rank + 1)."""
    gains = [2 ** grades[i] - 1 for i in order if i in grades]
    ideal = sorted((2 ** g - 1 for g in grades.values()), reverse=True)
    dcg = sum(g / math.log2(r + 2) for r, g in enumerate(gains[:k]))
    idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal[:k]))
    return dcg / idcg if idcg else 0.0


def unit_stats(evidence: list[CandidateEvidence], section_counts: list[int]) -> str:
    """The units the extract stage read (one SentenceEvidence each) and the parse figures."""
    resumes = [e.resume for e in evidence]
    words = [len(s.text.split()) for e in evidence for s in e.sentences]
    long = sum(1 for w in words if w > 60) / max(1, len(words))
    dated = sum(1 for r in resumes if any(role.start for role in r.roles)) / max(1, len(resumes))
    return (f"units {len(words)}: >60 words {100 * long:.2f}%, median words/unit "
            f"{statistics.median(words) if words else 0:.0f}; resumes with a dated role "
            f"{100 * dated:.1f}%; sections/resume {statistics.mean(section_counts):.2f}")


def _default_corpus() -> Path:
    """``../shared/corpus/real-resumes`` beside the checkout (or beside its parent folder, for a
    git worktree kept one level deeper)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "corpus" / "real-resumes").is_dir():
            return base / "shared" / "corpus" / "real-resumes"
    return ROOT.parent / "shared" / "corpus" / "real-resumes"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=_default_corpus(),
                        help="folder with the .txt files, index.jsonl and judgments.jsonl")
    parser.add_argument("--rubric", type=Path, action="append",
                        help="a rubric to score with (repeatable; default: every rubric shipped)")
    parser.add_argument("--top", type=int, default=10, help="how many of the top to list")
    args = parser.parse_args()
    if not (args.corpus / "index.jsonl").is_file():
        print(f"{args.corpus}: no index.jsonl (the shared corpus is not here)", file=sys.stderr)
        return 2
    index = {d["id"]: d for d in map(json.loads, (args.corpus / "index.jsonl").open())}
    judged_path = args.corpus / "judgments.jsonl"
    grades = ({d["id"]: float(d["grade"]) for d in map(json.loads, judged_path.open())}
              if judged_path.is_file() else {})
    texts = {i: (args.corpus / f"{i}.txt").read_text(encoding="utf-8", errors="replace")
             for i in sorted(index) if (args.corpus / f"{i}.txt").is_file()}

    resumes: list[Resume] = []
    sections: list[int] = []
    for cid, text in texts.items():
        try:
            resume = parse_resume(cid, text)
        except ResumeFormatError as err:
            print(f"skipped {cid}: {err}", file=sys.stderr)
            continue
        resumes.append(resume)
        sections.append(sum(1 for name in ("summary", "skills", "certifications", "education",
                                           "projects") if getattr(resume, name))
                        + (1 if resume.roles else 0))
    print(f"{len(resumes)} resumes parsed from {args.corpus}")
    evidence = extract_many([(r, r.candidate_id) for r in resumes], build_nlp())
    print(unit_stats(evidence, sections))

    cloud = {i for i, d in index.items() if d.get("mentions_cloud")}
    it = {i for i, d in index.items() if d.get("category") == "INFORMATION-TECHNOLOGY"}
    rubrics = args.rubric or sorted((ROOT / "rubrics").glob("*.yaml"))
    for path in rubrics:
        rubric = load_rubric(path)
        scored = score_and_rank(evidence, rubric, AS_OF)
        ours = [s.candidate_id for s in scored]
        by_id = {s.candidate_id: s for s in scored}
        base = ranked(tfidf_scores(texts, role_text(rubric)))
        print(f"\n== {rubric.name}")
        for name, order in (("trajectory", ours), ("tfidf", base)):
            print(f"  {name:10s} P@10/P@20 cloud {precision_at(order, cloud, 10):.2f}/"
                  f"{precision_at(order, cloud, 20):.2f}  IT {precision_at(order, it, 10):.2f}/"
                  f"{precision_at(order, it, 20):.2f}")
        if grades and rubric.name == JUDGED_RUBRIC:
            judged_texts = {i: t for i, t in texts.items() if i in grades}
            for name, order in (("trajectory", [i for i in ours if i in grades]),
                                ("tfidf", ranked(tfidf_scores(judged_texts, GRADED_ROLE)))):
                print(f"  {name:10s} nDCG@10 {ndcg_at(order, grades, 10):.3f}  nDCG@20 "
                      f"{ndcg_at(order, grades, 20):.3f}  (judged {len(grades)})")
        for label, order in (("trajectory", ours), ("tfidf", base)):
            cats = Counter(index[i]["category"] for i in order[:20])
            print(f"  top-20 categories {label}: " + ", ".join(f"{c} {n}" for c, n in
                                                                 cats.most_common()))
        for rank_no, cid in enumerate(ours[: args.top], 1):
            d = index[cid]
            print(f"  {rank_no:2d}. {by_id[cid].score:6.2f}  {cid:20s} {d['category']:24s} "
                  f"cloud={'y' if d.get('mentions_cloud') else 'n'}"
                  + (f" grade={grades[cid]:.1f}" if cid in grades else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
